/**
 * Sample events from events/*.json, adapted to name real things: a deal created in the test instead of the
 * placeholder dealId, a claimed code instead of the placeholder code, another caller, another body. Every
 * helper returns a new event and leaves its argument untouched.
 */
import type { HttpEvent } from '../../functions/shared/http/types.js';
import { COUPON_CODE, DEAL_ID, loadEvent } from '../unit/http/support.js';

/** The placeholders the sample events use. */
export const SAMPLE_DEAL_ID = DEAL_ID;
export const SAMPLE_COUPON_CODE = COUPON_CODE;

const copy = (event: HttpEvent): HttpEvent => structuredClone(event);

/** Puts `value` where the event names `placeholder`: path parameter, raw path and request path. */
const withPathValue = (
  event: HttpEvent,
  parameter: string,
  placeholder: string,
  value: string,
): HttpEvent => {
  const next = copy(event);
  next.pathParameters = { ...next.pathParameters, [parameter]: value };
  next.rawPath = next.rawPath.replace(placeholder, encodeURIComponent(value));
  next.requestContext.http.path = next.requestContext.http.path.replace(
    placeholder,
    encodeURIComponent(value),
  );
  return next;
};

/** A sample event of a /deals/{dealId} route, naming `dealId`. */
export const dealEvent = (name: string, dealId: string): HttpEvent =>
  withPathValue(loadEvent(name), 'dealId', SAMPLE_DEAL_ID, dealId);

/** A sample event of a /coupons/{code} route, naming `code`. */
export const couponEvent = (name: string, code: string): HttpEvent =>
  withPathValue(loadEvent(name), 'code', SAMPLE_COUPON_CODE, code);

/** The same request made by another principal (the JWT `sub`), optionally with other scopes. */
export const asCaller = (event: HttpEvent, sub: string, scope?: string): HttpEvent => {
  const next = copy(event);
  const claims = next.requestContext.authorizer.jwt.claims;
  claims.sub = sub;
  if (scope !== undefined) claims.scope = scope;
  return next;
};

/** The same request with `body` as its plain (not base64) JSON body. */
export const withJsonBody = (event: HttpEvent, body: unknown): HttpEvent => {
  const next = copy(event);
  const text = JSON.stringify(body);
  next.body = text;
  next.isBase64Encoded = false;
  next.headers = { ...next.headers, 'content-length': String(Buffer.byteLength(text, 'utf8')) };
  return next;
};

/** The JSON value of an event's body, decoding base64 when the event says so. */
export const eventJsonBody = (event: HttpEvent): Record<string, unknown> => {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  return JSON.parse(text) as Record<string, unknown>;
};

/** The same request with the sample body's fields merged with `fields` (undefined removes a field). */
export const withBodyFields = (event: HttpEvent, fields: Record<string, unknown>): HttpEvent =>
  withJsonBody(event, { ...eventJsonBody(event), ...fields });

/** The same request with exactly these query parameters (none when empty). */
export const withQuery = (event: HttpEvent, parameters: Record<string, string>): HttpEvent => {
  const next = copy(event);
  const entries = Object.entries(parameters);
  next.rawQueryString = new URLSearchParams(entries).toString();
  if (entries.length === 0) delete next.queryStringParameters;
  else next.queryStringParameters = { ...parameters };
  return next;
};

/** The same request with header `name` set to `value`, or removed when `value` is undefined. */
export const withHeader = (event: HttpEvent, name: string, value: string | undefined): HttpEvent => {
  const next = copy(event);
  const { [name]: _, ...rest } = next.headers;
  next.headers = value === undefined ? rest : { ...rest, [name]: value };
  return next;
};
