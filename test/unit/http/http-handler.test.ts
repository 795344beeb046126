import { afterEach, beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import * as z from 'zod/mini';
import {
  AlreadyRedeemed,
  ClaimInProgress,
  CouponExpired,
  CouponNotFound,
  DealNotFound,
  DealNotLive,
  DomainError,
  Forbidden,
  IdempotencyKeyReused,
  InvalidTransition,
  LimitReached,
  PayloadTooLarge,
  RequestInProgress,
  RequestUndone,
  SoldOut,
  Unauthorized,
  UnsupportedMediaType,
  ValidationFailed,
} from '../../../functions/shared/domain/errors.js';
import { SCOPES } from '../../../functions/shared/domain/roles.js';
import { MAX_BODY_BYTES } from '../../../functions/shared/http/body.js';
import { type HttpHandler, httpHandler } from '../../../functions/shared/http/http-handler.js';
import { dealPathSchema } from '../../../functions/shared/http/schemas.js';
import type { HttpEvent, HttpRequest, RouteResult } from '../../../functions/shared/http/types.js';
import type { Logger } from '../../../functions/shared/logger.js';
import { DEAL_ID, HOST_SUB, invoke, JSON_HEADERS, jsonBody, loadEvent, silentLogger } from './support.js';

/** A route with every part: the wrapper's behaviour does not depend on what a real route does. */
const probeBody = z.strictObject({ name: z.string().check(z.minLength(1)), stock: z.int().check(z.gte(1)) });
const probeQuery = z.strictObject({ view: z.optional(z.enum(['full', 'short'])) });
const probeHeaders = z.object({ 'x-probe': z.optional(z.string().check(z.maxLength(3))) });

type ProbeRequest = HttpRequest<
  z.infer<typeof probeBody>,
  z.infer<typeof dealPathSchema>,
  z.infer<typeof probeQuery>,
  z.infer<typeof probeHeaders>
>;

/** Starts from a real event (POST with a host token) and points it at the probe route. */
const probeEvent = (body: unknown = { name: 'earbuds', stock: 5 }): HttpEvent => {
  const event = loadEvent('cue-deal.valid');
  event.headers = { ...event.headers, 'content-type': 'application/json' };
  event.body = typeof body === 'string' ? body : JSON.stringify(body);
  event.queryStringParameters = { view: 'full' };
  return event;
};

/** A body of exactly `bytes` bytes that satisfies probeBody. */
const bodyOfSize = (bytes: number, fill = 'x'): string => {
  const frame = JSON.stringify({ name: '', stock: 1 });
  const fillBytes = Buffer.byteLength(fill);
  const room = bytes - frame.length;
  if (room % fillBytes !== 0) throw new Error('size not reachable with this fill');
  return JSON.stringify({ name: fill.repeat(room / fillBytes), stock: 1 });
};

let logger: Logger;
let run: Mock<(request: ProbeRequest) => Promise<RouteResult>>;
let handler: HttpHandler;

beforeEach(() => {
  logger = silentLogger();
  run = vi.fn(async () => ({ statusCode: 200, body: { ok: true } }));
  handler = httpHandler({
    scopes: [SCOPES.host, SCOPES.admin],
    body: probeBody,
    path: dealPathSchema,
    query: probeQuery,
    headers: probeHeaders,
    logger,
    run,
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

const expectError = async (event: HttpEvent, statusCode: number, error: Record<string, unknown>) => {
  const response = await invoke(handler, event);
  expect(response.statusCode).toBe(statusCode);
  expect(response.headers).toEqual(JSON_HEADERS);
  expect(jsonBody(response)).toStrictEqual({ error });
  expect(run).not.toHaveBeenCalled();
};

describe('identity and scopes', () => {
  it('answers 401 when the event has no authorizer', async () => {
    const event = probeEvent();
    // @ts-expect-error: a route deployed without the JWT authorizer has no authorizer block.
    delete event.requestContext.authorizer;
    await expectError(event, 401, { code: 'UNAUTHORIZED', message: 'A valid bearer token is required.' });
  });

  it('answers 401 when the token has no sub', async () => {
    const event = probeEvent();
    delete event.requestContext.authorizer.jwt.claims.sub;
    await expectError(event, 401, { code: 'UNAUTHORIZED', message: 'A valid bearer token is required.' });
  });

  it('answers 401 when sub cannot be a principal id', async () => {
    const event = probeEvent();
    event.requestContext.authorizer.jwt.claims.sub = 'has spaces';
    await expectError(event, 401, { code: 'UNAUTHORIZED', message: 'A valid bearer token is required.' });
  });

  it('answers 403 when the token has none of the route scopes', async () => {
    const event = probeEvent();
    event.requestContext.authorizer.jwt.claims.scope = 'livedrop/viewer livedrop/checkout';
    await expectError(event, 403, { code: 'FORBIDDEN', message: 'You are not allowed to do this.' });
  });

  it('answers 403 when the token has no scope claim at all', async () => {
    const event = probeEvent();
    delete event.requestContext.authorizer.jwt.claims.scope;
    await expectError(event, 403, { code: 'FORBIDDEN', message: 'You are not allowed to do this.' });
  });

  it('reads the scopes from `scp` when the token has no `scope`, as API Gateway does (Okta, Entra ID)', async () => {
    const event = probeEvent();
    delete event.requestContext.authorizer.jwt.claims.scope;
    event.requestContext.authorizer.jwt.claims.scp = '[livedrop/admin]';

    const response = await invoke(handler, event);

    expect(response.statusCode).toBe(200);
    expect(run.mock.calls[0]?.[0].actor.scopes).toStrictEqual(new Set(['livedrop/admin']));
  });

  it('checks identity before it looks at the body', async () => {
    const event = probeEvent('not json');
    event.headers['content-type'] = 'text/plain';
    event.requestContext.authorizer.jwt.claims = {};
    await expectError(event, 401, { code: 'UNAUTHORIZED', message: 'A valid bearer token is required.' });
  });

  it.each([
    ['a space-separated string', 'openid livedrop/admin'],
    ['the bracketed string HTTP APIs make of arrays', '[openid livedrop/admin]'],
    ['an array', ['openid', 'livedrop/admin']],
  ])('accepts the scopes as %s and hands the route the actor', async (_form, scope) => {
    const event = probeEvent();
    event.requestContext.authorizer.jwt.claims.scope = scope;
    const response = await invoke(handler, event);
    expect(response.statusCode).toBe(200);
    expect(run).toHaveBeenCalledTimes(1);
    expect(run.mock.calls[0]?.[0].actor).toStrictEqual({
      sub: HOST_SUB,
      scopes: new Set(['openid', 'livedrop/admin']),
    });
  });
});

describe('request body', () => {
  it('refuses a body that is not declared as JSON with 415', async () => {
    const event = probeEvent();
    event.headers['content-type'] = 'text/plain';
    await expectError(event, 415, {
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'The request body must be application/json.',
    });
  });

  it('refuses a body without a content-type with 415', async () => {
    const event = probeEvent();
    delete event.headers['content-type'];
    await expectError(event, 415, {
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'The request body must be application/json.',
    });
  });

  it('refuses JSON in a charset other than UTF-8 with 415', async () => {
    const event = probeEvent();
    event.headers['content-type'] = 'application/json; charset=iso-8859-1';
    await expectError(event, 415, {
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'The request body must be application/json.',
    });
  });

  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON; Charset=UTF-8',
    'application/json;charset="utf-8"',
  ])('accepts the content-type %s', async (contentType) => {
    const event = probeEvent();
    event.headers['content-type'] = contentType;
    expect((await invoke(handler, event)).statusCode).toBe(200);
  });

  it('finds the content-type whatever the case of the header name', async () => {
    const event = probeEvent();
    delete event.headers['content-type'];
    event.headers['Content-Type'] = 'application/json';
    expect((await invoke(handler, event)).statusCode).toBe(200);
  });

  it('accepts a body of exactly the limit', async () => {
    const body = bodyOfSize(MAX_BODY_BYTES);
    expect(Buffer.byteLength(body)).toBe(16 * 1024);
    expect((await invoke(handler, probeEvent(body))).statusCode).toBe(200);
  });

  it('refuses a body one byte over 16 KiB with 413', async () => {
    await expectError(probeEvent(bodyOfSize(MAX_BODY_BYTES + 1)), 413, {
      code: 'PAYLOAD_TOO_LARGE',
      message: 'The request body is larger than 16384 bytes.',
      details: { limitBytes: 16384 },
    });
  });

  it('counts bytes, not characters', async () => {
    // 'é' is two bytes in UTF-8: fewer characters than the limit, more bytes.
    const body = bodyOfSize(MAX_BODY_BYTES + 1, 'é');
    expect(body.length).toBeLessThan(MAX_BODY_BYTES);
    await expectError(probeEvent(body), 413, {
      code: 'PAYLOAD_TOO_LARGE',
      message: 'The request body is larger than 16384 bytes.',
      details: { limitBytes: 16384 },
    });
  });

  it('measures a base64 body after decoding it', async () => {
    const event = probeEvent();
    event.body = Buffer.from(bodyOfSize(MAX_BODY_BYTES)).toString('base64');
    event.isBase64Encoded = true;
    expect(event.body.length).toBeGreaterThan(MAX_BODY_BYTES);
    expect((await invoke(handler, event)).statusCode).toBe(200);
    expect(run.mock.calls[0]?.[0].body.stock).toBe(1);
  });

  it('refuses a base64 body that decodes to more than 16 KiB with 413', async () => {
    const event = probeEvent();
    event.body = Buffer.from(bodyOfSize(MAX_BODY_BYTES + 1)).toString('base64');
    event.isBase64Encoded = true;
    await expectError(event, 413, {
      code: 'PAYLOAD_TOO_LARGE',
      message: 'The request body is larger than 16384 bytes.',
      details: { limitBytes: 16384 },
    });
  });

  it('refuses a body that is not valid JSON with 400', async () => {
    await expectError(probeEvent('{"name": "earbuds",'), 400, {
      code: 'VALIDATION_FAILED',
      message: 'The request is not valid.',
      details: [{ field: 'body', message: 'Must be valid JSON.' }],
    });
  });

  it('refuses a missing body with 400', async () => {
    const event = probeEvent();
    delete event.body;
    await expectError(event, 400, {
      code: 'VALIDATION_FAILED',
      message: 'The request is not valid.',
      details: [{ field: 'body', message: 'A JSON body is required.' }],
    });
  });

  it('ignores the body on routes that take none', async () => {
    const noBody = httpHandler({ scopes: [SCOPES.host], logger, run });
    const event = probeEvent('not json at all');
    event.headers['content-type'] = 'text/plain';
    const response = await invoke(noBody, event);
    expect(response.statusCode).toBe(200);
    expect(run.mock.calls[0]?.[0].body).toBeUndefined();
  });
});

describe('validation', () => {
  it('names one detail per unknown field', async () => {
    await expectError(probeEvent({ name: 'earbuds', stock: 5, colour: 'red', size: 'L' }), 400, {
      code: 'VALIDATION_FAILED',
      message: 'The request is not valid.',
      details: [
        { field: 'body.colour', message: 'Unknown field.' },
        { field: 'body.size', message: 'Unknown field.' },
      ],
    });
  });

  it('names the failing body field', async () => {
    await expectError(probeEvent({ name: 'earbuds', stock: 0 }), 400, {
      code: 'VALIDATION_FAILED',
      message: 'The request is not valid.',
      details: [{ field: 'body.stock', message: 'Too small: expected number to be >=1' }],
    });
  });

  it('refuses a JSON body that is not an object', async () => {
    await expectError(probeEvent('[1, 2]'), 400, {
      code: 'VALIDATION_FAILED',
      message: 'The request is not valid.',
      details: [{ field: 'body', message: 'Invalid input: expected object, received array' }],
    });
  });

  it('refuses a path parameter that is not a ULID', async () => {
    const event = probeEvent();
    event.pathParameters = { dealId: 'deal-1' };
    await expectError(event, 400, {
      code: 'VALIDATION_FAILED',
      message: 'The request is not valid.',
      details: [{ field: 'path.dealId', message: 'Must be a ULID.' }],
    });
  });

  it('refuses unknown and bad query parameters', async () => {
    const event = probeEvent();
    event.queryStringParameters = { view: 'everything', debug: '1' };
    await expectError(event, 400, {
      code: 'VALIDATION_FAILED',
      message: 'The request is not valid.',
      details: [
        { field: 'query.view', message: 'Invalid option: expected one of "full"|"short"' },
        { field: 'query.debug', message: 'Unknown field.' },
      ],
    });
  });

  it('refuses a bad header and names it in lower case', async () => {
    const event = probeEvent();
    event.headers['X-Probe'] = 'too long';
    await expectError(event, 400, {
      code: 'VALIDATION_FAILED',
      message: 'The request is not valid.',
      details: [{ field: 'headers.x-probe', message: 'Too big: expected string to have <=3 characters' }],
    });
  });

  it('reports the problems of every part at once', async () => {
    const event = probeEvent({ stock: 'many' });
    event.pathParameters = {};
    await expectError(event, 400, {
      code: 'VALIDATION_FAILED',
      message: 'The request is not valid.',
      details: [
        { field: 'path.dealId', message: 'Invalid input: expected string, received undefined' },
        { field: 'body.name', message: 'Invalid input: expected string, received undefined' },
        { field: 'body.stock', message: 'Invalid input: expected number, received string' },
      ],
    });
  });

  it('hands the route the parsed parts and lower-cased headers', async () => {
    const event = probeEvent({ name: 'earbuds', stock: 5 });
    event.headers['X-Probe'] = 'abc';
    await invoke(handler, event);
    expect(run).toHaveBeenCalledTimes(1);
    const request = run.mock.calls[0]?.[0];
    expect(request?.body).toStrictEqual({ name: 'earbuds', stock: 5 });
    expect(request?.path).toStrictEqual({ dealId: DEAL_ID });
    expect(request?.query).toStrictEqual({ view: 'full' });
    expect(request?.headers).toStrictEqual({ 'x-probe': 'abc' });
    expect(request?.event).toBe(event);
  });

  it('gives routes without a header schema every header with a lower-cased name', async () => {
    const plain = httpHandler({ scopes: [SCOPES.host], logger, run });
    const event = probeEvent();
    event.headers = { 'X-Request-Source': 'studio', accept: 'application/json' };
    await invoke(plain, event);
    expect(run.mock.calls[0]?.[0].headers).toStrictEqual({
      'x-request-source': 'studio',
      accept: 'application/json',
    });
  });

  it('leaves the caller’s event as it was', async () => {
    const event = probeEvent();
    const before = structuredClone(event);
    await invoke(handler, event);
    expect(event).toStrictEqual(before);
  });

  it('serves the same event object twice at the same time', async () => {
    const event = probeEvent();
    const responses = await Promise.all([invoke(handler, event), invoke(handler, event)]);
    expect(responses.map((response) => response.statusCode)).toStrictEqual([200, 200]);
    expect(run).toHaveBeenCalledTimes(2);
  });
});

class StoreUnavailable extends DomainError {
  readonly code = 'STORE_UNAVAILABLE';
  readonly statusCode = 503;
  constructor() {
    super('Table livedrop-prod throttled on partition DEAL#123.', { details: { table: 'livedrop-prod' } });
  }
}

describe('errors', () => {
  it.each([
    [new ValidationFailed([{ field: 'body.x', message: 'Bad.' }]), 400, 'VALIDATION_FAILED'],
    [new Unauthorized(), 401, 'UNAUTHORIZED'],
    [new Forbidden(), 403, 'FORBIDDEN'],
    [new DealNotFound(DEAL_ID), 404, 'DEAL_NOT_FOUND'],
    [new CouponNotFound(), 404, 'COUPON_NOT_FOUND'],
    [new SoldOut(DEAL_ID), 409, 'SOLD_OUT'],
    [new LimitReached(2), 409, 'LIMIT_REACHED'],
    [new DealNotLive(DEAL_ID, 'PAUSED'), 409, 'DEAL_NOT_LIVE'],
    [new AlreadyRedeemed(), 409, 'ALREADY_REDEEMED'],
    [new InvalidTransition('An ended deal cannot start.', { from: 'ENDED' }), 409, 'INVALID_TRANSITION'],
    [new ClaimInProgress(), 409, 'CLAIM_IN_PROGRESS'],
    [new CouponExpired(), 410, 'COUPON_EXPIRED'],
    [new PayloadTooLarge(100), 413, 'PAYLOAD_TOO_LARGE'],
    [new UnsupportedMediaType(), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('answers %s with its status and code', async (error, statusCode, code) => {
    run.mockRejectedValue(error);
    const response = await invoke(handler, probeEvent());
    expect(response.statusCode).toBe(statusCode);
    expect(response.headers).toEqual(JSON_HEADERS);
    const expected =
      error.details === undefined
        ? { code, message: error.message }
        : { code, message: error.message, details: error.details };
    expect(jsonBody(response)).toStrictEqual({ error: expected });
  });

  it('answers REQUEST_IN_PROGRESS with 409 and Retry-After: 1', async () => {
    run.mockRejectedValue(new RequestInProgress());
    const response = await invoke(handler, probeEvent());
    expect(response.statusCode).toBe(409);
    expect(response.headers).toEqual({ ...JSON_HEADERS, 'retry-after': '1' });
    expect(jsonBody(response)).toStrictEqual({
      error: {
        code: 'REQUEST_IN_PROGRESS',
        message: 'A request with this Idempotency-Key is still in progress; retry shortly.',
      },
    });
  });

  it('answers IDEMPOTENCY_KEY_REUSED with 422 and no Retry-After: the same request again would not help', async () => {
    run.mockRejectedValue(new IdempotencyKeyReused());
    const response = await invoke(handler, probeEvent());
    expect(response.statusCode).toBe(422);
    expect(response.headers).toEqual(JSON_HEADERS);
    expect(jsonBody(response)).toStrictEqual({
      error: {
        code: 'IDEMPOTENCY_KEY_REUSED',
        message: 'This Idempotency-Key was already used for a different request.',
      },
    });
  });

  it('answers an undone request with 503 and Retry-After, keeping its cause out of the answer', async () => {
    run.mockRejectedValue(new RequestUndone('undone', { cause: new Error('scheduler at 10.0.3.7 refused') }));
    const response = await invoke(handler, probeEvent());
    expect(response.statusCode).toBe(503);
    expect(response.headers).toEqual({ ...JSON_HEADERS, 'retry-after': '1' });
    expect(response.body).not.toContain('10.0.3.7');
  });

  it('passes the details of a domain error on to the caller', async () => {
    run.mockRejectedValue(new DealNotLive(DEAL_ID, 'PAUSED'));
    const response = await invoke(handler, probeEvent());
    expect(jsonBody(response)).toStrictEqual({
      error: {
        code: 'DEAL_NOT_LIVE',
        message: `Deal ${DEAL_ID} is not live (it is PAUSED).`,
        details: { status: 'PAUSED' },
      },
    });
  });

  it('hides an unexpected error behind a generic 500', async () => {
    run.mockRejectedValue(new Error('connect ECONNREFUSED 10.0.3.7:8000'));
    const response = await invoke(handler, probeEvent());
    expect(response.statusCode).toBe(500);
    expect(response.headers).toEqual(JSON_HEADERS);
    expect(jsonBody(response)).toStrictEqual({ error: { code: 'INTERNAL', message: 'Internal error.' } });
    expect(response.body).not.toContain('ECONNREFUSED');
  });

  it('hides a thrown value that is not an Error behind a generic 500', async () => {
    run.mockImplementation(() => Promise.reject('just a string'));
    const response = await invoke(handler, probeEvent());
    expect(response.statusCode).toBe(500);
    expect(jsonBody(response)).toStrictEqual({ error: { code: 'INTERNAL', message: 'Internal error.' } });
  });

  it('keeps the status and code of a domain error of 500 or more but not its message or details', async () => {
    run.mockRejectedValue(new StoreUnavailable());
    const response = await invoke(handler, probeEvent());
    expect(response.statusCode).toBe(503);
    expect(jsonBody(response)).toStrictEqual({
      error: { code: 'STORE_UNAVAILABLE', message: 'Internal error.' },
    });
  });

  it('turns a result that cannot be serialised into a generic 500', async () => {
    run.mockResolvedValue({ statusCode: 200, body: { count: 1n } });
    const response = await invoke(handler, probeEvent());
    expect(response.statusCode).toBe(500);
    expect(jsonBody(response)).toStrictEqual({ error: { code: 'INTERNAL', message: 'Internal error.' } });
  });
});

describe('responses', () => {
  it('answers with the route’s status and body as JSON that is never cached', async () => {
    run.mockResolvedValue({ statusCode: 202, body: { accepted: ['a', 'b'] } });
    const response = await invoke(handler, probeEvent());
    expect(response).toStrictEqual({
      statusCode: 202,
      headers: JSON_HEADERS,
      body: '{"accepted":["a","b"]}',
    });
  });

  it('adds the route’s own headers', async () => {
    run.mockResolvedValue({ statusCode: 201, body: {}, headers: { location: '/deals/x' } });
    const response = await invoke(handler, probeEvent());
    expect(response.headers).toStrictEqual({ ...JSON_HEADERS, location: '/deals/x' });
  });

  it('sends no body when the route has none', async () => {
    run.mockResolvedValue({ statusCode: 204 });
    const response = await invoke(handler, probeEvent());
    expect(response).toStrictEqual({ statusCode: 204, headers: JSON_HEADERS });
  });
});

describe('request log', () => {
  const requestLine = (status: number) => ({
    method: 'POST',
    routeKey: 'POST /deals/{dealId}/cues',
    status,
    durationMs: expect.any(Number),
    requestId: 'CAbcDEf05FiAEMw=',
  });

  it('writes one info line per request with method, route, status, duration and request id', async () => {
    const info = vi.spyOn(logger, 'info');
    const error = vi.spyOn(logger, 'error');
    await invoke(handler, probeEvent());
    expect(info).toHaveBeenCalledExactlyOnceWith('http request', requestLine(200));
    expect(error).not.toHaveBeenCalled();
  });

  it('logs a refused request at info with its error code', async () => {
    const info = vi.spyOn(logger, 'info');
    const error = vi.spyOn(logger, 'error');
    const event = probeEvent();
    event.requestContext.authorizer.jwt.claims.scope = 'livedrop/viewer';
    await invoke(handler, event);
    expect(info).toHaveBeenCalledExactlyOnceWith('http request', {
      ...requestLine(403),
      errorCode: 'FORBIDDEN',
    });
    expect(error).not.toHaveBeenCalled();
  });

  it('logs a failed request at error level with the error and its stack', async () => {
    const info = vi.spyOn(logger, 'info');
    const error = vi.spyOn(logger, 'error');
    const failure = new Error('connect ECONNREFUSED 10.0.3.7:8000');
    run.mockRejectedValue(failure);
    await invoke(handler, probeEvent());
    expect(info).not.toHaveBeenCalled();
    expect(error).toHaveBeenCalledExactlyOnceWith('http request failed', {
      ...requestLine(500),
      errorCode: 'INTERNAL',
      error: failure,
    });
    expect(failure.stack).toContain('ECONNREFUSED');
  });

  it('never logs the authorization header or the body', async () => {
    const calls = ['debug', 'info', 'warn', 'error'].map((level) => vi.spyOn(logger, level as 'info'));
    const event = probeEvent({ name: 'secret-product-name', stock: 5 });
    await invoke(handler, event);
    run.mockRejectedValue(new Error('boom'));
    await invoke(handler, event);
    const logged = JSON.stringify(calls.flatMap((spy) => spy.mock.calls));
    expect(calls.reduce((total, spy) => total + spy.mock.calls.length, 0)).toBe(2);
    expect(logged).not.toContain('Bearer');
    expect(logged).not.toContain('example-token');
    expect(logged).not.toContain('secret-product-name');
  });

  it('adds the Lambda context to the logger', async () => {
    const addContext = vi.spyOn(logger, 'addContext');
    await invoke(handler, probeEvent());
    expect(addContext).toHaveBeenCalledExactlyOnceWith(
      expect.objectContaining({ awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' }),
    );
  });
});
