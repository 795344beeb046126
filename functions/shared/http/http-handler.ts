import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { authorize, logRequests, mapErrors, parseJsonBody, validateInput } from './middlewares.js';
import { jsonResponse } from './responses.js';
import type { HttpEvent, HttpInternal, HttpRequest, HttpResponse, HttpRouteSpec } from './types.js';

export type HttpHandler = middy.MiddyfiedHandler<HttpEvent, HttpResponse, Error, Context, HttpInternal>;

/**
 * The one wrapper every HTTP route goes through: log -> map errors -> authorize -> read JSON body (routes with
 * a body schema) -> validate -> run -> JSON response. Schemas and middlewares are built once, at cold start.
 *
 * Parts without a schema arrive as `undefined`; headers without a schema arrive as the lower-cased raw headers.
 */
export const httpHandler = <
  TBody = undefined,
  TPath = undefined,
  TQuery = undefined,
  THeaders = Readonly<Record<string, string>>,
>(
  spec: HttpRouteSpec<TBody, TPath, TQuery, THeaders>,
): HttpHandler => {
  const run = async (event: HttpEvent): Promise<HttpResponse> => {
    // validateInput has replaced the raw event with the validated request.
    const result = await spec.run(event as unknown as HttpRequest<TBody, TPath, TQuery, THeaders>);
    return jsonResponse(result.statusCode, result.body, result.headers);
  };
  const handler = middy<HttpEvent, HttpResponse, Error, Context, HttpInternal>(run)
    .use(logRequests(spec.logger))
    .use(mapErrors())
    .use(authorize(spec.scopes));
  if (spec.body !== undefined) handler.use(parseJsonBody());
  return handler.use(validateInput(spec));
};
