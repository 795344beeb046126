import { MAX_BODY_BYTES } from './body.js';
import { headerRef, type JsonObject, ref } from './openapi-components.js';
import type { Operation } from './openapi-operations.js';

/**
 * The OpenAPI document's responses: livedrop's error codes with their meanings, API Gateway's own answers,
 * shared error responses as components, and each route's success answers.
 */

/** When each code is answered, for the responses' descriptions. */
const CODE_MEANINGS: Record<string, string> = {
  VALIDATION_FAILED:
    'a bad JSON body, or a bad body field, path, query or header value; `details` names each',
  UNAUTHORIZED:
    'no verified token, or one without `sub` (in AWS the JWT authorizer refuses a bad token first)',
  FORBIDDEN: 'the token lacks the route’s scope, or a host acts on someone else’s deal',
  DEAL_NOT_FOUND: 'no such deal',
  COUPON_NOT_FOUND: 'no such code, and also someone else’s coupon',
  PRICE_DROP_NOT_FOUND: 'the gala has no such price drop',
  SOLD_OUT: 'no unit left',
  LIMIT_REACHED: 'the viewer already holds perViewerLimit coupons of this deal',
  DEAL_NOT_LIVE: 'the deal is SCHEDULED, PAUSED or ENDED (`details.status`)',
  ALREADY_REDEEMED: 'the coupon was redeemed for another order',
  INVALID_TRANSITION: 'not allowed in the current status (or a release for an order that did not redeem it)',
  STALE_CUE: 'a status cue older than the last one applied',
  REQUEST_IN_PROGRESS:
    'the first request with this Idempotency-Key is still in flight; retry after `Retry-After`',
  IDEMPOTENCY_KEY_REUSED: 'this Idempotency-Key came with a different request',
  COUPON_EXPIRED: 'redeem after `expiresAt`',
  PAYLOAD_TOO_LARGE: `a body over ${MAX_BODY_BYTES / 1024} KiB`,
  UNSUPPORTED_MEDIA_TYPE: 'a body that is not `application/json`',
  RATE_LIMITED: 'over a rate limit kept in the store; `Retry-After` says when the window ends',
  HEADERS_TOO_LARGE:
    'request line and headers over 10 KiB (the local runtime; API Gateway refuses these itself)',
  INTERNAL: 'our fault; a generic message, details only in the log',
  SERVICE_UNAVAILABLE: 'the store is unreachable, slow or throttling; `Retry-After: 1`',
};

/** API Gateway's own answers: its status, body message and when. */
const GATEWAY_ANSWERS: Record<number, { message: string; when: string }> = {
  401: {
    message: 'Unauthorized',
    when: 'the JWT authorizer refused the token: missing, malformed, expired, wrong issuer',
  },
  403: { message: 'Forbidden', when: 'the token has none of the route’s scopes' },
  413: { message: 'Request Entity Too Large', when: 'a request over API Gateway’s 10 MB payload limit' },
  429: { message: 'Too Many Requests', when: 'the stage’s or route’s throttling (per API, not per caller)' },
  500: {
    message: 'Internal Server Error',
    when: 'the integration failed: the function crashed or answered badly',
  },
  503: { message: 'Service Unavailable', when: 'the integration timed out or is unavailable' },
};

/** Which livedrop codes come with a Retry-After header. */
const RETRY_AFTER_CODES = new Set(['REQUEST_IN_PROGRESS', 'RATE_LIMITED', 'SERVICE_UNAVAILABLE']);

const STATUS_NAMES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  431: 'Request header fields too large',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** An example body with the code's meaning as its message (the real messages say more). */
const errorExample = (code: string) => {
  const meaning = CODE_MEANINGS[code] ?? code;
  return {
    summary: `livedrop: ${code}`,
    value: { error: { code, message: `${meaning[0]?.toUpperCase()}${meaning.slice(1)}.` } },
  };
};

/** One error response: livedrop's codes, API Gateway's answer, or either (then `oneOf`, saying which is whose). */
const errorResponse = (status: number, codes: readonly string[], gateway: boolean): JsonObject => {
  const answer = gateway ? GATEWAY_ANSWERS[status] : undefined;
  const lines = [
    ...codes.map((code) => `- livedrop (\`Error\`), \`${code}\`: ${CODE_MEANINGS[code] ?? ''}`),
    ...(answer
      ? [`- API Gateway (\`GatewayError\`), \`{"message":"${answer.message}"}\`: ${answer.when}`]
      : []),
  ];
  const schema =
    codes.length > 0 && answer
      ? { oneOf: [ref('Error'), ref('GatewayError')] }
      : ref(answer ? 'GatewayError' : 'Error');
  const examples = {
    ...(codes[0] === undefined ? {} : { livedrop: errorExample(codes[0]) }),
    ...(answer ? { gateway: { summary: 'API Gateway', value: { message: answer.message } } } : {}),
  };
  const headers = {
    ...(codes.some((code) => RETRY_AFTER_CODES.has(code)) ? { 'Retry-After': headerRef('RetryAfter') } : {}),
    ...(answer && (status === 401 || status === 403)
      ? { 'WWW-Authenticate': headerRef('WWWAuthenticate') }
      : {}),
  };
  return {
    description: `${STATUS_NAMES[status] ?? status}:\n${lines.join('\n')}`,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    content: { 'application/json': { schema, examples } },
  };
};

/** Every error status of a route with livedrop's codes; API Gateway's are added in `errorResponses`. */
const livedropCodes = (operation: Operation, open: boolean): Map<number, string[]> => {
  const codes = new Map<number, string[]>();
  const add = (status: number, ...more: readonly string[]) =>
    codes.set(status, [...(codes.get(status) ?? []), ...more]);
  add(400, 'VALIDATION_FAILED');
  if (!open) {
    add(401, 'UNAUTHORIZED');
    add(403, 'FORBIDDEN');
  }
  for (const [status, list] of Object.entries(operation.errors)) {
    const known = codes.get(Number(status)) ?? [];
    add(Number(status), ...(list ?? []).filter((code) => !known.includes(code)));
  }
  if (operation.body) {
    add(413, 'PAYLOAD_TOO_LARGE');
    add(415, 'UNSUPPORTED_MEDIA_TYPE');
  }
  if (operation.idempotent) {
    add(409, 'REQUEST_IN_PROGRESS');
    add(422, 'IDEMPOTENCY_KEY_REUSED');
  }
  add(431, 'HEADERS_TOO_LARGE');
  add(500, 'INTERNAL');
  add(503, 'SERVICE_UNAVAILABLE');
  return codes;
};

/** Statuses whose codes differ from route to route: described in the operation, not shared. */
const ROUTE_STATUSES = new Set([404, 409, 410]);

const pascal = (words: string) => words.replace(/(?:^|\s)(\w)/g, (_, letter: string) => letter.toUpperCase());

/**
 * A route's error responses. The ones every route answers alike are components (`#/components/responses`),
 * collected in `shared`, so the document says them once; a name that would stand for two different answers throws.
 */
export const errorResponses = (
  operation: Operation,
  shared: Record<string, JsonObject>,
  open: boolean,
): JsonObject => {
  const codes = livedropCodes(operation, open);
  // A public route has no authorizer, so API Gateway never answers it 401 or 403.
  const gateway = Object.keys(GATEWAY_ANSWERS)
    .map(Number)
    .filter((status) => !open || (status !== 401 && status !== 403));
  const statuses = [...new Set([...codes.keys(), ...gateway])].sort((a, b) => a - b);
  return Object.fromEntries(
    statuses.map((status) => {
      const own = codes.get(status) ?? [];
      const response = errorResponse(status, own, gateway.includes(status));
      if (ROUTE_STATUSES.has(status)) return [status, response];
      const name = `${own.length === 0 ? 'Gateway' : ''}${pascal(STATUS_NAMES[status] ?? String(status))}`;
      const known = shared[name];
      if (known !== undefined && JSON.stringify(known) !== JSON.stringify(response)) {
        throw new Error(`two different ${status} answers would share the name ${name}`);
      }
      shared[name] = response;
      return [status, { $ref: `#/components/responses/${name}` }];
    }),
  );
};

export const successResponses = (operation: Operation): JsonObject => {
  const { success } = operation;
  const headers = {
    'Cache-Control': headerRef('CacheControl'),
    ...(operation.conditional ? { ETag: headerRef('ETag') } : {}),
    ...(success.location ? { Location: headerRef('Location') } : {}),
    ...(operation.idempotent
      ? {
          'Idempotency-Key': headerRef('IdempotencyKey'),
          'Idempotent-Replayed': headerRef('IdempotentReplayed'),
        }
      : {}),
  };
  const content = { 'application/json': { schema: ref(success.schema) } };
  const replayed = operation.idempotent
    ? operation.replayStatus
      ? ` (a replay answers ${operation.replayStatus})`
      : '; also the answer to a replay of the same Idempotency-Key'
    : '';
  return {
    [success.status]: { description: `${success.description}${replayed}`, headers, content },
    ...(operation.replayStatus
      ? {
          [operation.replayStatus]: {
            description: `A replay of the same Idempotency-Key: the first answer’s ${success.schema.toLowerCase()}`,
            headers,
            content,
          },
        }
      : {}),
    ...(operation.conditional
      ? {
          304: {
            description: 'Not modified: If-None-Match names the current ETag; no body',
            headers: { 'Cache-Control': headerRef('CacheControl'), ETag: headerRef('ETag') },
          },
        }
      : {}),
  };
};
