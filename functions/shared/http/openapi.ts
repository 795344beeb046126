import * as z from 'zod/mini';
import { FUNCTIONS, type HttpTrigger, scopeOf } from '../contract/wiring.js';
import {
  auditPageSchema,
  checkoutSchema,
  couponPageSchema,
  couponViewSchema,
  createDealSchema,
  cueSchema,
  dealViewSchema,
  errorBodySchema,
  liveDealViewSchema,
  priceDropListSchema,
  priceDropSchema,
  priceDropViewSchema,
  streamDealsSchema,
} from '../domain/schemas.js';

/**
 * The OpenAPI 3.1 description of livedrop's HTTP API, generated from the wiring (routes, roles) and the zod
 * schemas the handlers validate with, so it cannot drift from what the code accepts and answers.
 */
interface Operation {
  summary: string;
  body?: z.ZodMiniType;
  success: { status: number; schema: z.ZodMiniType; description: string };
  errors: number[];
  query?: { name: string; description: string; schema: Record<string, unknown> }[];
  headers?: { name: string; description: string }[];
}

const OPERATIONS: Record<string, Operation> = {
  'POST /deals': {
    summary: 'Create a deal; the caller becomes its host',
    body: createDealSchema,
    success: { status: 201, schema: dealViewSchema, description: 'The deal, SCHEDULED' },
    errors: [400, 401, 403, 413, 415],
  },
  'GET /deals/{dealId}': {
    summary: 'A deal with its figures: stock = available + held + redeemed once quiet',
    success: { status: 200, schema: dealViewSchema, description: 'The deal' },
    errors: [400, 401, 403, 404],
  },
  'GET /deals/{dealId}/live': {
    summary: 'What a viewer overlay polls: status, stock left, prices (Cache-Control: max-age=1)',
    success: { status: 200, schema: liveDealViewSchema, description: 'The live view' },
    errors: [400, 401, 403, 404],
  },
  'GET /deals/{dealId}/audit': {
    summary: 'The deal’s immutable audit trail in time order, or one coupon’s (its host or an admin)',
    success: { status: 200, schema: auditPageSchema, description: 'One page of audit records' },
    errors: [400, 401, 403, 404],
    query: [
      {
        name: 'limit',
        description: 'Page size, 1..200 (default 100)',
        schema: { type: 'integer', minimum: 1, maximum: 200 },
      },
      { name: 'cursor', description: 'nextCursor of the previous page', schema: { type: 'string' } },
      {
        name: 'couponId',
        description: 'Only this coupon’s records (one page holds them all)',
        schema: { type: 'string', pattern: '^[0-9A-HJKMNP-TV-Z]{26}$' },
      },
    ],
  },
  'GET /streams/{streamId}/deals': {
    summary: 'The current (not ENDED) deals of a stream, newest first',
    success: { status: 200, schema: streamDealsSchema, description: 'The stream’s deals' },
    errors: [400, 401, 403],
  },
  'POST /galas/{galaId}/price-drops': {
    summary: 'Schedule a gala-wide price drop at an instant (admin)',
    body: priceDropSchema,
    success: { status: 201, schema: priceDropViewSchema, description: 'The drop, SCHEDULED' },
    errors: [400, 401, 403, 413, 415],
  },
  'GET /galas/{galaId}/price-drops': {
    summary: 'A gala’s price drops, newest first, with per-deal results once applied (admin)',
    success: { status: 200, schema: priceDropListSchema, description: 'The drops' },
    errors: [400, 401, 403],
  },
  'DELETE /galas/{galaId}/price-drops/{dropId}': {
    summary: 'Cancel a price drop that is still SCHEDULED; it never fires (admin)',
    success: { status: 200, schema: priceDropViewSchema, description: 'The drop, CANCELLED' },
    errors: [400, 401, 403, 404, 409],
  },
  'POST /deals/{dealId}/cues': {
    summary: 'Start, pause, resume, end or restock a deal (its host or an admin)',
    body: cueSchema,
    success: { status: 200, schema: dealViewSchema, description: 'The deal after the cue' },
    errors: [400, 401, 403, 404, 409, 413, 415],
  },
  'POST /deals/{dealId}/claims': {
    summary: 'Claim a coupon bound to the caller',
    success: { status: 201, schema: couponViewSchema, description: 'The coupon (200 when replayed)' },
    errors: [400, 401, 403, 404, 409, 429],
    headers: [
      { name: 'Idempotency-Key', description: 'Same viewer + same key returns the same coupon with 200' },
    ],
  },
  'GET /me/coupons': {
    summary: 'The caller’s coupons, newest first',
    success: { status: 200, schema: couponPageSchema, description: 'One page of coupons' },
    errors: [400, 401, 403],
    query: [
      {
        name: 'limit',
        description: 'Page size, 1..100 (default 50)',
        schema: { type: 'integer', minimum: 1, maximum: 100 },
      },
      { name: 'cursor', description: 'nextCursor of the previous page', schema: { type: 'string' } },
    ],
  },
  'POST /coupons/{code}/redemptions': {
    summary: 'Checkout redeems a coupon for a viewer’s order',
    body: checkoutSchema,
    success: { status: 200, schema: couponViewSchema, description: 'The coupon, REDEEMED' },
    errors: [400, 401, 403, 404, 409, 410, 413, 415, 429],
  },
  'POST /coupons/{code}/releases': {
    summary: 'Checkout releases a coupon of a cancelled order',
    body: checkoutSchema,
    success: { status: 200, schema: couponViewSchema, description: 'The coupon, ISSUED again or EXPIRED' },
    errors: [400, 401, 403, 404, 409, 413, 415, 429],
  },
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'DEAL_NOT_FOUND, COUPON_NOT_FOUND or PRICE_DROP_NOT_FOUND',
  409: 'SOLD_OUT, LIMIT_REACHED, DEAL_NOT_LIVE, ALREADY_REDEEMED, INVALID_TRANSITION, STALE_CUE or CLAIM_IN_PROGRESS',
  410: 'COUPON_EXPIRED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED (retry after the Retry-After header)',
  503: 'SERVICE_UNAVAILABLE (retry after the Retry-After header)',
};

const jsonSchema = (schema: z.ZodMiniType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

export const routeKeyOf = (trigger: HttpTrigger) => `${trigger.method} ${trigger.path}`;

export const buildOpenApi = () => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const fn of FUNCTIONS) {
    for (const trigger of fn.triggers) {
      if (trigger.kind !== 'http') continue;
      const routeKey = routeKeyOf(trigger);
      const operation = OPERATIONS[routeKey];
      if (!operation) throw new Error(`no OpenAPI description for ${routeKey}`);
      const parameters = [
        ...[...trigger.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
          name: m[1],
          in: 'path',
          required: true,
          schema: { type: 'string' },
        })),
        ...(operation.query ?? []).map((q) => ({
          name: q.name,
          in: 'query',
          required: false,
          description: q.description,
          schema: q.schema,
        })),
        ...(operation.headers ?? []).map((h) => ({
          name: h.name,
          in: 'header',
          required: false,
          description: h.description,
          schema: { type: 'string', maxLength: 128 },
        })),
      ];
      const responses: Record<string, unknown> = {
        [operation.success.status]: {
          description: operation.success.description,
          content: { 'application/json': { schema: jsonSchema(operation.success.schema) } },
        },
      };
      for (const status of [...operation.errors, 500, 503]) {
        responses[status] = {
          description: ERROR_DESCRIPTIONS[status] ?? 'INTERNAL',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        };
      }
      paths[trigger.path] ??= {};
      (paths[trigger.path] as Record<string, unknown>)[trigger.method.toLowerCase()] = {
        operationId: fn.name,
        summary: operation.summary,
        description: fn.description,
        security: [{ jwt: trigger.roles.map(scopeOf) }],
        parameters,
        ...(operation.body
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: jsonSchema(operation.body) } },
              },
            }
          : {}),
        responses,
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'livedrop',
      version: '0.1.0',
      description:
        'Coupons and flash deals for livestream shopping. Bearer JWTs carry `sub` and a `livedrop/<role>` scope.',
    },
    components: {
      securitySchemes: {
        jwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'Scopes: livedrop/viewer, livedrop/host, livedrop/checkout, livedrop/admin',
        },
      },
      schemas: { Error: jsonSchema(errorBodySchema) },
    },
    paths,
  };
};
