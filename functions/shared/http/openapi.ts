import * as z from 'zod/mini';
import { FUNCTIONS, type HttpTrigger, type Role, scopeOf } from '../contract/wiring.js';
import {
  checkoutSchema,
  createDealSchema,
  cueSchema,
  dealIdSchema,
  galaIdSchema,
  idempotencyKeySchema,
  priceDropSchema,
  streamIdSchema,
} from '../domain/schemas.js';
import { streamLiveSchema } from '../domain/stream-live.js';
import {
  auditPageSchema,
  auditRecordViewSchema,
  couponPageSchema,
  couponViewSchema,
  dealViewSchema,
  errorBodySchema,
  liveDealViewSchema,
  priceDropListSchema,
  priceDropViewSchema,
  streamDealsSchema,
} from '../domain/view-schemas.js';
import { MAX_BODY_BYTES } from './body.js';
import { couponCodeSchema } from './schemas.js';

/**
 * The OpenAPI 3.1 description of livedrop's HTTP API, generated from the wiring (routes, roles) and the zod
 * schemas the handlers validate with, so it cannot drift from what the code accepts and answers. It also says
 * which answers API Gateway gives itself (its own `{ "message" }` body), since a client meets both.
 * `npm run openapi` writes it to docs/openapi.json; the local runtime serves it at /openapi.json.
 */

/** API Gateway's own error body (authorizer, throttling, payload limit, integration failure). */
const gatewayErrorSchema = z.object({ message: z.string() });

/** Named component schemas, referenced by `$ref` from operations and from each other. */
const SCHEMAS = {
  CreateDeal: createDealSchema,
  Cue: cueSchema,
  Checkout: checkoutSchema,
  CreatePriceDrop: priceDropSchema,
  Deal: dealViewSchema,
  LiveDeal: liveDealViewSchema,
  StreamDeals: streamDealsSchema,
  StreamLive: streamLiveSchema,
  Coupon: couponViewSchema,
  CouponPage: couponPageSchema,
  AuditRecord: auditRecordViewSchema,
  AuditPage: auditPageSchema,
  PriceDrop: priceDropViewSchema,
  PriceDropList: priceDropListSchema,
  Error: errorBodySchema,
  GatewayError: gatewayErrorSchema,
} as const;
type SchemaName = keyof typeof SCHEMAS;

const SCHEMA_DESCRIPTIONS: Record<SchemaName, string> = {
  CreateDeal:
    'A new deal. listPrice > dealPrice; shards <= stock; currency is an ISO 4217 code. Amounts in minor units.',
  Cue: 'A cue: restock carries quantity, extend carries durationSeconds, no other action carries either.',
  Checkout: 'The viewer the coupon must belong to and the order it is (or was) redeemed for.',
  CreatePriceDrop: 'A gala price drop at an instant: exactly one of dealPrice or percentOff.',
  Deal: 'A deal with its figures: stock = available + held + redeemed once quiet.',
  LiveDeal: 'The compact view a viewer overlay polls.',
  StreamDeals: 'A stream’s current (not ENDED) deals, newest first.',
  StreamLive:
    'The public live state of a stream: its LIVE and PAUSED deals, newest first, the same for every viewer. ' +
    '`version` grows with every change of a figure, status, price or end, and never falls.',
  Coupon: 'A coupon bound to one viewer, with the prices at claim time.',
  CouponPage: 'One page of the caller’s coupons, newest first.',
  AuditRecord: 'One immutable audit record: who, what, when, and the state before and after.',
  AuditPage: 'One page of audit records in time order.',
  PriceDrop: 'A gala price drop, with per-deal results once applied.',
  PriceDropList: 'A gala’s price drops, newest first.',
  Error: 'livedrop’s error envelope: a stable `code`, a message for people, and `details` for some codes.',
  GatewayError:
    'The body API Gateway itself answers with, before or instead of livedrop: authorizer, throttling, payload ' +
    'limit, unknown route, integration failure.',
};

const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

type JsonObject = Record<string, unknown>;

/**
 * z.int() states the safe-integer range as bounds; they say nothing a reader needs and make code generators pick
 * 64-bit types, so they are dropped. The `$schema`/`$id` of a standalone document do not belong in a component.
 */
const tidy = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(tidy);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as JsonObject).filter(
    ([key, v]) =>
      key !== '$schema' &&
      key !== '$id' &&
      !((key === 'minimum' || key === 'maximum') && Math.abs(v as number) === Number.MAX_SAFE_INTEGER),
  );
  return Object.fromEntries(entries.map(([key, v]) => [key, tidy(v)]));
};

/** Input view: fields with a default are optional, and plain objects stay open (a client ignores new fields). */
const jsonSchema = (schema: z.ZodMiniType): JsonObject =>
  tidy(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })) as JsonObject;

const componentSchemas = (): Record<string, JsonObject> => {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(SCHEMAS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(
    Object.entries(SCHEMAS).map(([id]) => [
      id,
      { description: SCHEMA_DESCRIPTIONS[id as SchemaName], ...(tidy(schemas[id]) as JsonObject) },
    ]),
  );
};

// ------------------------------------------------------------------------------------------------ parameters

/** Path parameters by name, with the schema the handler validates them with. */
const PATH_PARAMETERS: Record<string, { component: string; schema: z.ZodMiniType; description: string }> = {
  dealId: { component: 'DealId', schema: dealIdSchema, description: 'The deal (a ULID).' },
  streamId: { component: 'StreamId', schema: streamIdSchema, description: 'The stream.' },
  galaId: { component: 'GalaId', schema: galaIdSchema, description: 'The gala.' },
  dropId: { component: 'DropId', schema: dealIdSchema, description: 'The price drop (a ULID).' },
  code: {
    component: 'CouponCode',
    schema: couponCodeSchema,
    description: 'The coupon code; case-insensitive, dashes ignored, O, I and L read as 0, 1 and 1.',
  },
};

const parameterRef = (component: string) => ({ $ref: `#/components/parameters/${component}` });

const componentParameters = (): JsonObject => ({
  ...Object.fromEntries(
    Object.entries(PATH_PARAMETERS).map(([name, p]) => [
      p.component,
      { name, in: 'path', required: true, description: p.description, schema: jsonSchema(p.schema) },
    ]),
  ),
  Cursor: {
    name: 'cursor',
    in: 'query',
    required: false,
    description: 'The `nextCursor` of the previous page.',
    schema: { type: 'string', minLength: 1, maxLength: 2048 },
  },
  IfNoneMatch: {
    name: 'If-None-Match',
    in: 'header',
    required: false,
    description:
      'The `ETag` of the state the client holds: while it is current the answer is 304 with no body.',
    schema: { type: 'string' },
  },
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Makes a retry safe. The same caller sending the same key with the same request gets the first answer again ' +
      '(its status and body) with `Idempotent-Replayed: true`; the same key with a different request is refused ' +
      'with 422 `IDEMPOTENCY_KEY_REUSED`; while the first request is still in flight the answer is 409 ' +
      '`REQUEST_IN_PROGRESS` with `Retry-After`. A refusal is not replayed. Another caller with the same key makes ' +
      'another request.',
    schema: jsonSchema(idempotencyKeySchema),
  },
});

// ------------------------------------------------------------------------------------------------ headers

const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

const COMPONENT_HEADERS = {
  RetryAfter: {
    description: 'Seconds to wait before retrying.',
    schema: { type: 'integer', minimum: 0 },
  },
  Location: {
    description: 'The path of the created resource.',
    schema: { type: 'string' },
  },
  IdempotencyKey: {
    description: 'The request’s Idempotency-Key, echoed when one was sent.',
    schema: jsonSchema(idempotencyKeySchema),
  },
  IdempotentReplayed: {
    description: '`true` when this answer is a replay of the first answer to the same Idempotency-Key.',
    schema: { type: 'string', enum: ['true', 'false'] },
  },
  WWWAuthenticate: {
    description:
      'On API Gateway’s own 401 and 403: the JWT authorizer’s reason, e.g. `Bearer scope="" error="invalid_token" ' +
      'error_description="the token has expired"`, or `error="insufficient_scope"` for a token without the route’s ' +
      'scope.',
    schema: { type: 'string' },
  },
  CacheControl: {
    description:
      '`max-age=1` on the live view, `public, max-age=1, stale-while-revalidate=5` on a stream’s public live ' +
      'state, `no-store` on every other answer.',
    schema: { type: 'string' },
  },
  ETag: {
    description:
      'A strong validator naming the stream and the version of its live state; send it back in If-None-Match.',
    schema: { type: 'string' },
  },
} as const;

// ------------------------------------------------------------------------------------------------ responses

type Tag = 'Deals' | 'Coupons' | 'Audit' | 'Price drops';

/** In alphabetical order, as readers of a long list expect. */
const TAGS: { name: Tag; description: string }[] = [
  { name: 'Audit', description: 'The immutable audit trail of a deal.' },
  {
    name: 'Coupons',
    description: 'Viewers claim coupons and list their own; checkout redeems and releases them.',
  },
  { name: 'Deals', description: 'Create, read and cue flash deals; what viewer overlays poll.' },
  { name: 'Price drops', description: 'Gala-wide price drops scheduled at an instant (admin).' },
];

/** livedrop's own error codes a route answers, by status, besides the ones every route answers. */
type Codes = Partial<Record<number, readonly string[]>>;

interface Operation {
  tag: Tag;
  summary: string;
  body?: SchemaName;
  success: { status: number; schema: SchemaName; description: string; location?: true };
  /** The claim answers a replay with 200 instead of its first 201. */
  replayStatus?: number;
  errors: Codes;
  /** Takes the Idempotency-Key header. */
  idempotent?: true;
  query?: JsonObject[];
  /** Answered with `Cache-Control: max-age=1` instead of `no-store`. */
  cached?: true;
  /** Carries an ETag and answers 304 to a matching If-None-Match. */
  conditional?: true;
}

const limitQuery = (max: number, fallback: number) => ({
  name: 'limit',
  in: 'query',
  required: false,
  description: `Page size, 1..${max} (default ${fallback}).`,
  schema: { type: 'integer', minimum: 1, maximum: max, default: fallback },
});

const OPERATIONS: Record<string, Operation> = {
  'POST /deals': {
    tag: 'Deals',
    summary: 'Create a deal; the caller becomes its host',
    body: 'CreateDeal',
    success: { status: 201, schema: 'Deal', description: 'The deal, SCHEDULED', location: true },
    errors: {},
    idempotent: true,
  },
  'GET /deals/{dealId}': {
    tag: 'Deals',
    summary: 'A deal with its figures: stock = available + held + redeemed once quiet',
    success: { status: 200, schema: 'Deal', description: 'The deal' },
    errors: { 404: ['DEAL_NOT_FOUND'] },
  },
  'GET /deals/{dealId}/live': {
    tag: 'Deals',
    summary: 'What a viewer overlay polls: status, stock left, prices (Cache-Control: max-age=1)',
    success: { status: 200, schema: 'LiveDeal', description: 'The live view' },
    errors: { 404: ['DEAL_NOT_FOUND'] },
    cached: true,
  },
  'GET /deals/{dealId}/audit': {
    tag: 'Audit',
    summary: 'The deal’s immutable audit trail in time order, or one coupon’s (its host or an admin)',
    success: { status: 200, schema: 'AuditPage', description: 'One page of audit records' },
    errors: { 403: ['FORBIDDEN'], 404: ['DEAL_NOT_FOUND'] },
    query: [
      limitQuery(200, 100),
      parameterRef('Cursor'),
      {
        name: 'couponId',
        in: 'query',
        required: false,
        description: 'Only this coupon’s records (one page holds them all).',
        schema: { type: 'string', pattern: '^[0-9A-HJKMNP-TV-Z]{26}$' },
      },
    ],
  },
  'GET /streams/{streamId}/deals': {
    tag: 'Deals',
    summary: 'The current (not ENDED) deals of a stream, newest first',
    success: { status: 200, schema: 'StreamDeals', description: 'The stream’s deals' },
    errors: {},
  },
  'GET /streams/{streamId}/live': {
    tag: 'Deals',
    summary: 'The public live state of a stream, no token needed (Cache-Control: public, max-age=1)',
    success: {
      status: 200,
      schema: 'StreamLive',
      description: 'The live state; an unknown stream has no deals',
    },
    errors: {},
    cached: true,
    conditional: true,
  },
  'POST /galas/{galaId}/price-drops': {
    tag: 'Price drops',
    summary: 'Schedule a gala-wide price drop at an instant (admin)',
    body: 'CreatePriceDrop',
    success: { status: 201, schema: 'PriceDrop', description: 'The drop, SCHEDULED', location: true },
    errors: {},
    idempotent: true,
  },
  'GET /galas/{galaId}/price-drops': {
    tag: 'Price drops',
    summary: 'A gala’s price drops, newest first, with per-deal results once applied (admin)',
    success: { status: 200, schema: 'PriceDropList', description: 'The drops' },
    errors: {},
  },
  'DELETE /galas/{galaId}/price-drops/{dropId}': {
    tag: 'Price drops',
    summary: 'Cancel a price drop that is still SCHEDULED; it never fires (admin)',
    success: { status: 200, schema: 'PriceDrop', description: 'The drop, CANCELLED' },
    errors: { 404: ['PRICE_DROP_NOT_FOUND'], 409: ['INVALID_TRANSITION'] },
  },
  'POST /deals/{dealId}/cues': {
    tag: 'Deals',
    summary: 'Start, pause, resume, end, restock or extend a deal (its host or an admin)',
    body: 'Cue',
    success: { status: 200, schema: 'Deal', description: 'The deal after the cue' },
    errors: { 404: ['DEAL_NOT_FOUND'], 409: ['INVALID_TRANSITION', 'STALE_CUE'] },
    idempotent: true,
  },
  'POST /deals/{dealId}/claims': {
    tag: 'Coupons',
    summary: 'Claim a coupon bound to the caller',
    success: { status: 201, schema: 'Coupon', description: 'A new coupon' },
    replayStatus: 200,
    errors: {
      404: ['DEAL_NOT_FOUND'],
      409: ['SOLD_OUT', 'LIMIT_REACHED', 'DEAL_NOT_LIVE'],
      429: ['RATE_LIMITED'],
    },
    idempotent: true,
  },
  'GET /me/coupons': {
    tag: 'Coupons',
    summary: 'The caller’s coupons, newest first',
    success: { status: 200, schema: 'CouponPage', description: 'One page of coupons' },
    errors: {},
    query: [limitQuery(100, 50), parameterRef('Cursor')],
  },
  'POST /coupons/{code}/redemptions': {
    tag: 'Coupons',
    summary: 'Checkout redeems a coupon for a viewer’s order',
    body: 'Checkout',
    success: { status: 200, schema: 'Coupon', description: 'The coupon, REDEEMED' },
    errors: {
      404: ['COUPON_NOT_FOUND'],
      409: ['ALREADY_REDEEMED'],
      410: ['COUPON_EXPIRED'],
      429: ['RATE_LIMITED'],
    },
  },
  'POST /coupons/{code}/releases': {
    tag: 'Coupons',
    summary: 'Checkout releases a coupon of a cancelled order',
    body: 'Checkout',
    success: { status: 200, schema: 'Coupon', description: 'The coupon, ISSUED again or EXPIRED' },
    errors: { 404: ['COUPON_NOT_FOUND'], 409: ['INVALID_TRANSITION'], 429: ['RATE_LIMITED'] },
  },
};

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
const errorResponses = (
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

const successResponses = (operation: Operation): JsonObject => {
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

// ------------------------------------------------------------------------------------------------ security

const ROLE_SCOPES: Record<Role, string> = {
  viewer: 'A viewer: claims coupons and lists their own',
  host: 'A host: creates deals and cues their own',
  checkout: 'The shop’s checkout service: redeems and releases coupons',
  admin: 'An operator: acts on any deal and schedules gala price drops',
};
const scopes = (roles: readonly Role[]) =>
  Object.fromEntries(roles.map((role) => [scopeOf(role), ROLE_SCOPES[role]]));
const COGNITO = 'https://{cognitoDomain}.auth.{region}.amazoncognito.com/oauth2';

const SECURITY_SCHEMES = {
  oauth2: {
    type: 'oauth2',
    description:
      'Access tokens of the JWT issuer the stack is deployed with (`-c issuer=`), e.g. a Cognito user pool with a ' +
      'resource server `livedrop`. In the URLs, `{cognitoDomain}` is the user pool’s domain prefix and `{region}` ' +
      'its region. API Gateway’s JWT authorizer admits a token with any one of the route’s scopes.',
    flows: {
      authorizationCode: {
        authorizationUrl: `${COGNITO}/authorize`,
        tokenUrl: `${COGNITO}/token`,
        scopes: scopes(['viewer', 'host', 'admin']),
      },
      clientCredentials: { tokenUrl: `${COGNITO}/token`, scopes: scopes(['checkout']) },
    },
  },
  bearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'The same token pasted as it is: a JWT with `sub` and a space-separated `scope` claim holding ' +
      '`livedrop/viewer`, `livedrop/host`, `livedrop/checkout` or `livedrop/admin`. The local runtime issues them ' +
      'at `POST /local/token`.',
  },
} as const;

/** One requirement per role, since any one of the route's scopes is enough. */
const securityOf = (roles: readonly Role[]) =>
  roles.flatMap((role) => [{ oauth2: [scopeOf(role)] }, { bearer: [scopeOf(role)] }]);

// ------------------------------------------------------------------------------------------------ the document

export const routeKeyOf = (trigger: HttpTrigger) => `${trigger.method} ${trigger.path}`;

const DESCRIPTION = [
  'Coupons and flash deals for livestream shopping. Every route but the public live state of a stream takes a bearer',
  'JWT whose `sub` is the caller and whose `scope` holds a `livedrop/<role>` scope. Amounts are integers in minor units.',
  '',
  'A client meets two kinds of error body. livedrop answers `{ "error": { "code", "message", "details"? } }`',
  '(`Error`). API Gateway answers some requests itself, before or instead of livedrop, with `{ "message": "..." }`',
  '(`GatewayError`): 401 and 403 from the JWT authorizer (with `WWW-Authenticate`), 429 from throttling, 413 over',
  'its payload limit, 500 and 503 when the function fails or times out, and 404 `{"message":"Not Found"}` for a',
  'method and path that is no route (no operation below describes it; the local runtime answers 404 `NOT_FOUND` in',
  'the `Error` envelope). Where a status can carry either body, its schema is `oneOf` the two and its description',
  'says which comes from where.',
].join('\n');

export const buildOpenApi = () => {
  const paths: Record<string, Record<string, unknown>> = {};
  const responses: Record<string, JsonObject> = {};
  for (const fn of FUNCTIONS) {
    for (const trigger of fn.triggers) {
      if (trigger.kind !== 'http') continue;
      const routeKey = routeKeyOf(trigger);
      const operation = OPERATIONS[routeKey];
      if (!operation) throw new Error(`no OpenAPI description for ${routeKey}`);
      const parameters = [
        ...[...trigger.path.matchAll(/\{([^}]+)\}/g)].map((m) => {
          const parameter = PATH_PARAMETERS[m[1] as string];
          if (!parameter) throw new Error(`no OpenAPI description for the path parameter ${m[1]}`);
          return parameterRef(parameter.component);
        }),
        ...(operation.query ?? []),
        ...(operation.idempotent ? [parameterRef('IdempotencyKey')] : []),
        ...(operation.conditional ? [parameterRef('IfNoneMatch')] : []),
      ];
      paths[trigger.path] ??= {};
      (paths[trigger.path] as Record<string, unknown>)[trigger.method.toLowerCase()] = {
        operationId: fn.name,
        tags: [operation.tag],
        summary: operation.summary,
        description: fn.description,
        // An empty list overrides nothing here (there is no document-wide default) but says it outright: no token.
        security: trigger.public ? [] : securityOf(trigger.roles),
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(operation.body
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: ref(operation.body) } },
              },
            }
          : {}),
        responses: {
          ...successResponses(operation),
          ...errorResponses(operation, responses, trigger.public === true),
        },
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'livedrop',
      version: '0.1.0',
      description: DESCRIPTION,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'Deployed: the HTTP API’s default stage (`cdk deploy` prints it as the ApiUrl output)',
        variables: {
          apiId: { default: 'abcdef1234', description: 'The HTTP API’s id' },
          region: { default: 'eu-central-1', description: 'The AWS region it is deployed in' },
        },
      },
      { url: 'http://localhost:3000', description: 'Local: `npm start` (PORT, default 3000)' },
    ],
    tags: TAGS,
    paths,
    components: {
      securitySchemes: SECURITY_SCHEMES,
      schemas: componentSchemas(),
      parameters: componentParameters(),
      responses,
      headers: COMPONENT_HEADERS,
    },
  };
};
