/**
 * The middlewares behind `httpHandler`, in the order they are attached. Each one is created once per route
 * at cold start; per-request state lives in middy's `request.internal`, which is fresh for every invocation.
 */

import type middy from '@middy/core';
import type { APIGatewayProxyEventHeaders, Context } from 'aws-lambda';
import { type ErrorDetail, ValidationFailed } from '../domain/errors.js';
import type { Scope } from '../domain/roles.js';
import type { Logger } from '../logger.js';
import type { Actor } from '../use-cases/types.js';
import { actorFromEvent, requireAnyScope } from './auth.js';
import { readJsonBody } from './body.js';
import { errorCode, errorResponse } from './responses.js';
import type { HttpEvent, HttpInternal, HttpRequest, HttpResponse, HttpRouteSpec } from './types.js';
import { parsePart } from './validation.js';

export type HttpMiddleware = middy.MiddlewareObj<HttpEvent, HttpResponse, Error, Context, HttpInternal>;
type HttpMiddyRequest = middy.Request<HttpEvent, HttpResponse, Error, Context, HttpInternal>;

/**
 * One structured line per request. Deliberately no headers and no bodies: they carry the bearer token and
 * the caller's data.
 */
export const logRequests = (logger: Logger): HttpMiddleware => {
  const log = (request: HttpMiddyRequest, error: unknown): void => {
    const { internal } = request;
    const event = internal.rawEvent ?? request.event;
    const status = request.response?.statusCode ?? 500;
    const line = {
      method: event.requestContext?.http?.method,
      routeKey: event.routeKey,
      status,
      durationMs:
        internal.startedAt === undefined ? undefined : Math.round(performance.now() - internal.startedAt),
      requestId: event.requestContext?.requestId,
    };
    if (error === undefined) {
      logger.info('http request', line);
    } else if (status >= 500) {
      // The stack goes to the log only; the caller got a generic message.
      logger.error('http request failed', { ...line, errorCode: errorCode(error), error });
    } else {
      logger.info('http request', { ...line, errorCode: errorCode(error) });
    }
  };
  return {
    before: (request) => {
      request.internal.startedAt = performance.now();
      request.internal.rawEvent = request.event;
      // Real Lambda contexts only; tests and local runs may pass a bare object.
      if (typeof request.context?.awsRequestId === 'string') logger.addContext(request.context);
    },
    after: (request) => log(request, undefined),
    onError: (request) => log(request, request.error ?? new Error('Unknown error')),
  };
};

/** Every error becomes a JSON response here, and only here. Must not return a value: that would end the chain. */
export const mapErrors = (): HttpMiddleware => ({
  onError: (request) => {
    request.response = errorResponse(request.error);
  },
});

/** Who calls a public route: nobody in particular, whatever token came along. */
const ANONYMOUS: Actor = { sub: '', scopes: new Set() };

export const authorize = (scopes: readonly Scope[] | 'public'): HttpMiddleware => ({
  before: (request) => {
    if (scopes === 'public') {
      request.internal.actor = ANONYMOUS;
      return;
    }
    const actor = actorFromEvent(request.event);
    requireAnyScope(actor, scopes);
    request.internal.actor = actor;
  },
});

const lowerCaseHeaders = (headers: APIGatewayProxyEventHeaders | undefined): Record<string, string> => {
  const lowerCased: Record<string, string> = {};
  if (headers === undefined || headers === null) return lowerCased;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value !== undefined) lowerCased[name.toLowerCase()] = value;
  }
  return lowerCased;
};

/** API Gateway already lower-cases header names; local runs and hand-written events may not. */
const headersOf = (request: HttpMiddyRequest): Readonly<Record<string, string>> => {
  request.internal.headers ??= lowerCaseHeaders(request.event.headers);
  return request.internal.headers;
};

export const parseJsonBody = (): HttpMiddleware => ({
  before: (request) => {
    request.internal.json = readJsonBody(request.event, headersOf(request)['content-type']);
  },
});

/**
 * Validates path, query, headers and body in one go, so the caller sees every problem at once. On success it
 * replaces `request.event` with the validated request, which is what the route receives (middy passes
 * `request.event` to the handler; replacing it rather than mutating leaves the caller's event untouched).
 */
export const validateInput = <TBody, TPath, TQuery, THeaders>(
  spec: HttpRouteSpec<TBody, TPath, TQuery, THeaders>,
): HttpMiddleware => ({
  before: (request) => {
    const { event, internal } = request;
    const { actor } = internal;
    if (actor === undefined) throw new Error('validateInput must run after authorize.');
    const details: ErrorDetail[] = [];
    const rawHeaders = headersOf(request);
    // In the order of the request line, so details read top to bottom.
    const path = spec.path && parsePart(spec.path, event.pathParameters ?? {}, 'path', details);
    const query = spec.query && parsePart(spec.query, event.queryStringParameters ?? {}, 'query', details);
    const headers = spec.headers ? parsePart(spec.headers, rawHeaders, 'headers', details) : rawHeaders;
    const body = spec.body && parsePart(spec.body, internal.json, 'body', details);
    if (details.length > 0) throw new ValidationFailed(details);
    // Every part without a schema is undefined (raw headers excepted), matching the route's type defaults.
    const validated = { actor, body, path, query, headers, event } as HttpRequest<
      TBody,
      TPath,
      TQuery,
      THeaders
    >;
    request.event = validated as unknown as HttpEvent;
  },
});
