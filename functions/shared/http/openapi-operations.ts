import { type JsonObject, parameterRef, type SchemaName } from './openapi-components.js';

/** What the OpenAPI document says of each route beyond the wiring: tag, summary, body, answers and codes. */

type Tag = 'Deals' | 'Coupons' | 'Audit' | 'Price drops';

/** In alphabetical order, as readers of a long list expect. */
export const TAGS: { name: Tag; description: string }[] = [
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

export interface Operation {
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

export const OPERATIONS: Record<string, Operation> = {
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
