import * as z from 'zod/mini';
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
import { couponCodeSchema } from './schemas.js';

/**
 * The OpenAPI document's components: the named schemas (from the zod schemas the handlers validate with), the
 * path and header parameters, and the response headers. openapi.ts assembles the document.
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
export type SchemaName = keyof typeof SCHEMAS;

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

export const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

export type JsonObject = Record<string, unknown>;

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

export const componentSchemas = (): Record<string, JsonObject> => {
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
export const PATH_PARAMETERS: Record<
  string,
  { component: string; schema: z.ZodMiniType; description: string }
> = {
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

export const parameterRef = (component: string) => ({ $ref: `#/components/parameters/${component}` });

export const componentParameters = (): JsonObject => ({
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

export const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

export const COMPONENT_HEADERS = {
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
