/**
 * What API Gateway itself answers in front of the functions, reproduced by the local gateway so a client tested
 * locally meets the same statuses, bodies and headers as deployed: the JWT authorizer's 401/403 with
 * `WWW-Authenticate`, throttling's 429, 404 for a request no route matches, 413 past the payload quota, 500
 * when a function fails, and CORS preflights for the allowed origins. Bodies are API Gateway's own
 * `{"message": ...}`, not livedrop's error envelope: the functions never see these requests.
 */
import { API_CORS, API_DEFAULT_THROTTLE, type Throttle } from '../../functions/shared/contract/wiring.js';

/** API Gateway's own body messages, by status. */
export const GATEWAY_MESSAGES: Readonly<Record<number, string>> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Request Entity Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An answer of the gateway itself; `headers` carry e.g. `www-authenticate`. */
export class GatewayRefusal extends Error {
  constructor(
    readonly statusCode: number,
    readonly headers: Record<string, string> = {},
    /** Why, for the log only: API Gateway does not tell the client more than its message. */
    readonly reason?: string,
  ) {
    super(GATEWAY_MESSAGES[statusCode] ?? 'Error');
    this.name = 'GatewayRefusal';
  }
}

export const gatewayBody = (statusCode: number): string =>
  JSON.stringify({ message: GATEWAY_MESSAGES[statusCode] ?? 'Error' });

/** RFC 6750 quoting: the description must not break out of its quoted string. */
const quoted = (value: string) => `"${value.replace(/["\\]/g, '')}"`;

/**
 * The JWT authorizer's refusal: 401 when the token is missing or invalid, 403 when it lacks the route's scopes,
 * with the `WWW-Authenticate` challenge API Gateway sends (`Bearer scope="..." error="..." error_description="..."`).
 */
export const authorizerRefusal = (
  statusCode: 401 | 403,
  routeScopes: readonly string[],
  description: string | undefined,
): GatewayRefusal => {
  if (statusCode === 401 && description === undefined) {
    return new GatewayRefusal(401, { 'www-authenticate': 'Bearer' }, 'no bearer token');
  }
  const error = statusCode === 401 ? 'invalid_token' : 'insufficient_scope';
  const scope = statusCode === 401 ? '' : routeScopes.join(' ');
  const text = description ?? `expected scopes: [${routeScopes.join(' ')}]`;
  return new GatewayRefusal(
    statusCode,
    {
      'www-authenticate': `Bearer scope=${quoted(scope)} error=${quoted(error)} error_description=${quoted(text)}`,
    },
    text,
  );
};

/**
 * API Gateway's throttling: a token bucket per route (its own limits, or the stage's default) inside the
 * account's bucket, refilled at the steady rate up to the burst. A refused request costs nothing downstream.
 */
export class GatewayThrottle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly stage: Throttle = API_DEFAULT_THROTTLE,
    private readonly account: Throttle = { rateLimit: 10_000, burstLimit: 5_000 },
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes a token from the account's and the route's bucket, or refuses with 429. */
  admit(routeKey: string, routeLimits: Throttle | undefined): void {
    const at = this.now();
    const account = this.refill('account', this.account, at);
    const route = this.refill(`route ${routeKey}`, routeLimits ?? this.stage, at);
    if (account.tokens < 1 || route.tokens < 1) {
      throw new GatewayRefusal(429, {}, `throttled: ${account.tokens < 1 ? 'account' : routeKey}`);
    }
    account.tokens -= 1;
    route.tokens -= 1;
  }

  private refill(key: string, limits: Throttle, at: number) {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: limits.burstLimit, at };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(limits.burstLimit, bucket.tokens + ((at - bucket.at) / 1000) * limits.rateLimit);
    bucket.at = at;
    return bucket;
  }
}

/**
 * CORS as the HTTP API's `corsPreflight` setting applies it: API-wide, answered by the gateway before the
 * authorizer. An origin not in the list gets no CORS headers, so the browser refuses the call.
 */
export class GatewayCors {
  private readonly origins: ReadonlySet<string>;

  constructor(allowedOrigins: readonly string[]) {
    this.origins = new Set(allowedOrigins.map((origin) => origin.replace(/\/+$/, '').toLowerCase()));
  }

  get enabled(): boolean {
    return this.origins.size > 0;
  }

  private allows(origin: string | undefined): origin is string {
    return origin !== undefined && this.origins.has(origin.toLowerCase());
  }

  /** The answer to a preflight (`OPTIONS` with `Access-Control-Request-Method`), or undefined when not one. */
  preflight(
    method: string,
    headers: Readonly<Record<string, string>>,
  ): { status: number; headers: Record<string, string> } | undefined {
    if (!this.enabled || method !== 'OPTIONS' || headers['access-control-request-method'] === undefined) {
      return undefined;
    }
    const origin = headers.origin;
    if (!this.allows(origin)) return { status: 204, headers: {} };
    return {
      status: 204,
      headers: {
        'access-control-allow-origin': origin,
        'access-control-allow-methods': API_CORS.allowMethods.join(','),
        'access-control-allow-headers': API_CORS.allowHeaders.join(','),
        'access-control-max-age': String(API_CORS.maxAgeSeconds),
        vary: 'origin',
      },
    };
  }

  /** The headers an actual (non-preflight) answer carries for the request's origin. */
  responseHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
    const origin = headers.origin;
    if (!this.allows(origin)) return {};
    return {
      'access-control-allow-origin': origin,
      'access-control-expose-headers': API_CORS.exposeHeaders.join(','),
      vary: 'origin',
    };
  }
}
