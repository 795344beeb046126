import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../lib/local/runtime.js';

/**
 * The local gateway answers what API Gateway answers in front of the functions: the authorizer's 401/403 with
 * WWW-Authenticate, throttling's 429, 404 for no route, all with API Gateway's `{"message"}` body, and CORS
 * for the allowed origins only. A client tested locally meets the bodies and headers it meets deployed.
 */

const PLAYER = 'https://player.example';
let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({
    port: 0,
    data: 'memory',
    allowedOrigins: [PLAYER],
    // Small limits for the stage, so a test can reach them: the wiring's own route limits stay as deployed.
    throttle: { stage: { rateLimit: 0.001, burstLimit: 20 } },
  });
}, 60_000);

afterAll(async () => {
  await runtime?.close();
});

const token = async (sub: string, role: string, ttlSeconds?: number) => {
  const answer = await fetch(`${runtime.url}/local/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub, role, ...(ttlSeconds === undefined ? {} : { ttlSeconds }) }),
  });
  return ((await answer.json()) as { token: string }).token;
};

const call = async (method: string, path: string, headers: Record<string, string> = {}) => {
  const answer = await fetch(`${runtime.url}${path}`, { method, headers });
  const text = await answer.text();
  return {
    status: answer.status,
    headers: answer.headers,
    body: text ? (JSON.parse(text) as unknown) : null,
  };
};

describe('the local gateway, as API Gateway', () => {
  it('answers a request without a token 401 with a bare Bearer challenge', async () => {
    const answer = await call('GET', '/me/coupons');

    expect(answer.status).toBe(401);
    expect(answer.body).toStrictEqual({ message: 'Unauthorized' });
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('answers a token it cannot verify 401 with an invalid_token challenge', async () => {
    const answer = await call('GET', '/me/coupons', { authorization: 'Bearer not-a-jwt' });

    expect(answer.status).toBe(401);
    expect(answer.body).toStrictEqual({ message: 'Unauthorized' });
    expect(answer.headers.get('www-authenticate')).toBe(
      'Bearer scope="" error="invalid_token" error_description="the token is not valid"',
    );
  });

  it('answers a token without the route scope 403 with an insufficient_scope challenge', async () => {
    const host = await token('host-scope', 'host');

    const answer = await call('GET', '/me/coupons', { authorization: `Bearer ${host}` });

    expect(answer.status).toBe(403);
    expect(answer.body).toStrictEqual({ message: 'Forbidden' });
    expect(answer.headers.get('www-authenticate')).toBe(
      'Bearer scope="livedrop/viewer" error="insufficient_scope" error_description="expected scopes: [livedrop/viewer]"',
    );
  });

  it('answers a path or method no route has 404 Not Found', async () => {
    const viewer = await token('viewer-404', 'viewer');

    const unknownPath = await call('GET', '/no-such-route', { authorization: `Bearer ${viewer}` });
    const unknownMethod = await call('DELETE', '/me/coupons', { authorization: `Bearer ${viewer}` });

    expect([unknownPath.status, unknownPath.body]).toStrictEqual([404, { message: 'Not Found' }]);
    expect([unknownMethod.status, unknownMethod.body]).toStrictEqual([404, { message: 'Not Found' }]);
  });

  it('throttles a route past the stage burst with 429 Too Many Requests, before the authorizer', async () => {
    // POST /deals has no limits of its own: the stage's 20-request burst applies (refilled one token in 1,000 s).
    const answers = await Promise.all(Array.from({ length: 25 }, () => call('POST', '/deals')));

    const throttled = answers.filter((answer) => answer.status === 429);
    expect(answers.filter((answer) => answer.status === 401)).toHaveLength(20);
    expect(throttled).toHaveLength(5);
    for (const answer of throttled) expect(answer.body).toStrictEqual({ message: 'Too Many Requests' });
  });

  it('keeps a route with its own limits out of the stage bucket', async () => {
    const viewer = await token('viewer-own-limits', 'viewer');

    // GET /deals/{dealId}/live declares 5,000/s: ten quick reads are all served (404 DEAL_NOT_FOUND from the function).
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        call('GET', '/deals/01JD0000000000000000000000/live', { authorization: `Bearer ${viewer}` }),
      ),
    );

    expect(answers.map((answer) => answer.status)).toStrictEqual(Array(10).fill(404));
    expect(answers[0]?.body).toMatchObject({ error: { code: 'DEAL_NOT_FOUND' } });
  });
});

describe('CORS for the allowed origins', () => {
  const preflight = (origin: string) =>
    call('OPTIONS', '/deals/01JD0000000000000000000000/claims', {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,idempotency-key',
    });

  it('grants a preflight from an allowed origin, with the Idempotency-Key header', async () => {
    const answer = await preflight(PLAYER);

    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(PLAYER);
    expect(answer.headers.get('access-control-allow-methods')).toContain('POST');
    expect(answer.headers.get('access-control-allow-headers')).toContain('idempotency-key');
  });

  it('grants nothing to another origin', async () => {
    const answer = await preflight('https://elsewhere.example');

    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    expect(answer.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('lets the allowed origin read an answer and its Retry-After, Location and Idempotent-Replayed headers', async () => {
    const viewer = await token('viewer-cors', 'viewer');

    const allowed = await call('GET', '/me/coupons', { authorization: `Bearer ${viewer}`, origin: PLAYER });
    const other = await call('GET', '/me/coupons', {
      authorization: `Bearer ${viewer}`,
      origin: 'https://elsewhere.example',
    });

    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(PLAYER);
    expect(allowed.headers.get('access-control-expose-headers')).toBe(
      'location,retry-after,idempotency-key,idempotent-replayed,etag',
    );
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
