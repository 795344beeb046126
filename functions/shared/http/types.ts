import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod/mini';
import type { Scope } from '../domain/roles.js';
import type { Logger } from '../logger.js';
import type { Actor, LivedropEngine } from '../use-cases/types.js';

/** API Gateway HTTP API (payload format 2.0) event for a route behind the JWT authorizer. */
export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

/** What the Lambda returns to API Gateway. */
export type HttpResponse = APIGatewayProxyStructuredResultV2;

/** Any zod/mini schema whose parsed output is T. */
export type HttpSchema<T> = z.ZodMiniType<T, unknown>;

/**
 * What every HTTP handler factory needs; production and tests inject different ones. A factory names the engine
 * methods it calls (`HandlerDeps<Pick<LivedropEngine, 'claim'>>`): a whole Engine serves, and so does a function's own.
 */
export interface HandlerDeps<E = LivedropEngine> {
  engine: E;
  logger: Logger;
}

/** The validated request a route's `run` receives. */
export interface HttpRequest<TBody, TPath, TQuery, THeaders> {
  actor: Actor;
  body: TBody;
  path: TPath;
  query: TQuery;
  /** Lower-cased header names; the parsed output of the route's header schema when it has one. */
  headers: THeaders;
  event: HttpEvent;
}

/** What a route's `run` returns; the wrapper turns it into JSON. */
export interface RouteResult {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HttpRouteSpec<TBody, TPath, TQuery, THeaders> {
  /**
   * The caller needs at least one of these scopes, or `'public'`: anyone, with or without a token (the route's
   * `actor` is then anonymous, and must not be read).
   */
  scopes: readonly Scope[] | 'public';
  /** Routes without a body schema ignore the request body. */
  body?: HttpSchema<TBody>;
  path?: HttpSchema<TPath>;
  query?: HttpSchema<TQuery>;
  /** Validated against the lower-cased headers; use a non-strict object, requests carry many headers. */
  headers?: HttpSchema<THeaders>;
  logger: Logger;
  run: (request: HttpRequest<TBody, TPath, TQuery, THeaders>) => Promise<RouteResult>;
}

/** Per-invocation state the middlewares hand to each other (middy creates a fresh `internal` per request). */
export type HttpInternal = {
  startedAt?: number;
  rawEvent?: HttpEvent;
  actor?: Actor;
  headers?: Readonly<Record<string, string>>;
  json?: unknown;
};
