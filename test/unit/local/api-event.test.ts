/**
 * The local gateway hands each function the API Gateway HTTP API (payload v2) event the deployed function
 * would get, so handlers cannot tell the two apart.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type HttpTrigger, httpRoutes } from '../../../functions/shared/contract/wiring.js';
import {
  type CompiledRoute,
  compileRoute,
  type IncomingRequest,
  lambdaContext,
  toApiGatewayEvent,
} from '../../../lib/local/api-event.js';
import type { VerifiedClaims } from '../../../lib/local/issuer.js';

const trigger = (method: HttpTrigger['method'], path: string): HttpTrigger => ({
  kind: 'http',
  method,
  path,
  roles: ['viewer'],
});

const CLAIMS = compileRoute('claim-coupon', trigger('POST', '/deals/{dealId}/claims'));
const MY_COUPONS = compileRoute('list-my-coupons', trigger('GET', '/me/coupons'));

const CLAIMS_OF_TOKEN: VerifiedClaims = {
  sub: 'viewer-1',
  scope: 'livedrop/viewer livedrop/admin',
  iss: 'https://livedrop.local/issuer',
  aud: 'livedrop-local',
  iat: 1_764_360_000,
  exp: 1_764_363_600,
  token_use: 'access',
};

const request = (overrides: Partial<IncomingRequest> = {}): IncomingRequest => ({
  method: 'POST',
  path: '/deals/01JDQ8ZK3V6N7H9MXBR4TWCYPE/claims',
  rawQueryString: '',
  headers: { host: 'localhost:3000', 'user-agent': 'vitest', 'content-type': 'application/json' },
  body: Buffer.alloc(0),
  sourceIp: '127.0.0.1',
  ...overrides,
});

const eventFor = (route: CompiledRoute, incoming: IncomingRequest, claims = CLAIMS_OF_TOKEN) =>
  toApiGatewayEvent(route, route.match(incoming.path) ?? {}, incoming, claims);

describe('compileRoute', () => {
  it('matches a path with its parameter and names it', () => {
    expect(CLAIMS.match('/deals/01JDQ8ZK3V6N7H9MXBR4TWCYPE/claims')).toEqual({
      dealId: '01JDQ8ZK3V6N7H9MXBR4TWCYPE',
    });
  });

  it('gives the route key API Gateway uses', () => {
    expect(CLAIMS.routeKey).toBe('POST /deals/{dealId}/claims');
    expect(CLAIMS.target).toBe('claim-coupon');
  });

  it('matches a path without parameters with none', () => {
    expect(MY_COUPONS.match('/me/coupons')).toEqual({});
  });

  it.each([
    ['a longer path', '/deals/abc/claims/extra'],
    ['a shorter path', '/deals/abc'],
    ['an empty parameter', '/deals//claims'],
    ['a trailing slash', '/deals/abc/claims/'],
    ['another prefix', '/v1/deals/abc/claims'],
  ])('does not match %s', (_, path) => {
    expect(CLAIMS.match(path)).toBeUndefined();
  });

  it('keeps a parameter to one path segment', () => {
    const coupon = compileRoute('redeem-coupon', trigger('POST', '/coupons/{code}/redemptions'));

    expect(coupon.match('/coupons/A/B/redemptions')).toBeUndefined();
  });

  it('decodes percent-encoded parameters', () => {
    const coupon = compileRoute('redeem-coupon', trigger('POST', '/coupons/{code}/redemptions'));

    expect(coupon.match('/coupons/7KQ2%20M9XH%2F3TRD/redemptions')).toEqual({ code: '7KQ2 M9XH/3TRD' });
  });

  it('throws on malformed percent-encoding, which the gateway must turn into a 400', () => {
    expect(() => CLAIMS.match('/deals/%E0%A4%A/claims')).toThrow(URIError);
  });

  it('treats regular-expression characters in the path literally', () => {
    const dotted = compileRoute('x', trigger('GET', '/v1.0/items/{id}'));

    expect(dotted.match('/v1.0/items/7')).toEqual({ id: '7' });
    expect(dotted.match('/v1x0/items/7')).toBeUndefined();
  });

  it('names several parameters', () => {
    const nested = compileRoute('x', trigger('GET', '/deals/{dealId}/coupons/{code}'));

    expect(nested.match('/deals/d-1/coupons/c-2')).toEqual({ dealId: 'd-1', code: 'c-2' });
  });

  it('matches every wiring route on a concrete path of its own and on no other route’s', () => {
    const routes = httpRoutes().map(({ fn, trigger: t }) => compileRoute(fn.name, t));
    const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'X1');

    for (const route of routes) {
      const matching = routes.filter(
        (other) => other.match(concrete(route.trigger.path)) && other.trigger.method === route.trigger.method,
      );
      expect(matching.map((m) => m.routeKey)).toEqual([route.routeKey]);
    }
  });
});

describe('toApiGatewayEvent', () => {
  it('carries the route key, raw path, headers and the HTTP details', () => {
    const event = eventFor(CLAIMS, request());

    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /deals/{dealId}/claims',
      rawPath: '/deals/01JDQ8ZK3V6N7H9MXBR4TWCYPE/claims',
      rawQueryString: '',
      headers: { host: 'localhost:3000', 'user-agent': 'vitest', 'content-type': 'application/json' },
      requestContext: {
        routeKey: 'POST /deals/{dealId}/claims',
        stage: '$default',
        domainName: 'localhost:3000',
        http: {
          method: 'POST',
          path: '/deals/01JDQ8ZK3V6N7H9MXBR4TWCYPE/claims',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'vitest',
        },
      },
    });
  });

  it('gives every request its own request id', () => {
    const first = eventFor(CLAIMS, request());
    const second = eventFor(CLAIMS, request());

    expect(first.requestContext.requestId).not.toBe(second.requestContext.requestId);
  });

  it('puts path parameters in pathParameters', () => {
    const event = eventFor(CLAIMS, request());

    expect(event.pathParameters).toEqual({ dealId: '01JDQ8ZK3V6N7H9MXBR4TWCYPE' });
  });

  it('leaves pathParameters and queryStringParameters out when there are none', () => {
    const event = eventFor(MY_COUPONS, request({ method: 'GET', path: '/me/coupons' }));

    expect(event).not.toHaveProperty('pathParameters');
    expect(event).not.toHaveProperty('queryStringParameters');
  });

  it('decodes the query and joins repeated names with commas, keeping the raw string', () => {
    const raw = 'limit=10&cursor=a%2Bb&tag=x&tag=y&empty=';

    const event = eventFor(MY_COUPONS, request({ method: 'GET', path: '/me/coupons', rawQueryString: raw }));

    expect(event.rawQueryString).toBe(raw);
    expect(event.queryStringParameters).toEqual({ limit: '10', cursor: 'a+b', tag: 'x,y', empty: '' });
  });

  it('hands the authorizer’s claims over as strings and the scopes as a list', () => {
    const event = eventFor(CLAIMS, request());

    expect(event.requestContext.authorizer.jwt).toEqual({
      claims: {
        sub: 'viewer-1',
        scope: 'livedrop/viewer livedrop/admin',
        iss: 'https://livedrop.local/issuer',
        aud: 'livedrop-local',
        iat: '1764360000',
        exp: '1764363600',
        token_use: 'access',
      },
      scopes: ['livedrop/viewer', 'livedrop/admin'],
    });
  });

  it('gives an empty scope list to a token without a scope claim', () => {
    const event = eventFor(CLAIMS, request(), { sub: 'viewer-1' });

    expect(event.requestContext.authorizer.jwt.scopes).toEqual([]);
  });

  it('passes a UTF-8 body as text', () => {
    const body = JSON.stringify({ viewerId: 'v-1', orderId: 'order-ü-1' });

    const event = eventFor(CLAIMS, request({ body: Buffer.from(body, 'utf8') }));

    expect(event.body).toBe(body);
    expect(event.isBase64Encoded).toBe(false);
  });

  it('passes a binary body base64-encoded', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7b]);

    const event = eventFor(CLAIMS, request({ body: bytes }));

    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(bytes);
  });

  it('has no body for an empty request body', () => {
    const event = eventFor(CLAIMS, request());

    expect(event).not.toHaveProperty('body');
    expect(event.isBase64Encoded).toBe(false);
  });
});

describe('lambdaContext', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('names the function and counts its remaining time down from the timeout', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2025-11-28T20:00:00Z') });
    const context = lambdaContext('claim-coupon', 10_000, 1_024);

    vi.setSystemTime(new Date('2025-11-28T20:00:04Z'));
    const remaining = context.getRemainingTimeInMillis();
    vi.setSystemTime(new Date('2025-11-28T20:00:30Z'));
    const overrun = context.getRemainingTimeInMillis();

    expect(context).toMatchObject({
      functionName: 'claim-coupon',
      memoryLimitInMB: '1024',
      invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:claim-coupon',
      logGroupName: '/aws/lambda/claim-coupon',
    });
    expect(remaining).toBe(6_000);
    expect(overrun).toBe(0);
  });
});
