/**
 * zod schemas are the single source of truth for every input and output shape; types come from z.infer.
 * zod/mini keeps the Lambda bundles small (~15 KB instead of ~440 KB for classic zod).
 */

import * as z from 'zod/mini';
import {
  COUPON_STATUSES,
  CUE_ACTIONS,
  DEAL_STATUSES,
  dealIdSchema,
  identifier,
  orderIdSchema,
  principalIdSchema,
  streamIdSchema,
  ULID_PATTERN,
} from './identifiers.js';

export {
  COUPON_STATUSES,
  CUE_ACTIONS,
  DEAL_STATUSES,
  dealIdSchema,
  idempotencyKeySchema,
  orderIdSchema,
  principalIdSchema,
  streamIdSchema,
} from './identifiers.js';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

const minorUnits = z.int().check(z.gte(1), z.lte(1_000_000_000_000));

export const createDealSchema = z
  .strictObject({
    title: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
    sku: identifier(100),
    streamId: streamIdSchema,
    galaId: z.optional(identifier(128)),
    /** The IVS channel whose Stream End also ends this deal (besides a channel named like streamId). */
    ivsChannelArn: z.optional(
      z
        .string()
        .check(
          z.regex(
            /^arn:aws[a-z-]*:ivs:[a-z0-9-]+:\d{12}:channel\/[A-Za-z0-9]+$/,
            'Must be an IVS channel ARN.',
          ),
        ),
    ),
    currency: z
      .string()
      .check(
        z.refine((c) => CURRENCIES.has(c), 'Must be an ISO 4217 currency code in upper case, e.g. EUR.'),
      ),
    listPrice: minorUnits,
    dealPrice: minorUnits,
    stock: z.int().check(z.gte(1), z.lte(10_000_000)),
    perViewerLimit: z._default(z.int().check(z.gte(1), z.lte(10)), 1),
    claimTtlSeconds: z._default(z.int().check(z.gte(1), z.lte(86_400)), 600),
    durationSeconds: z.optional(z.int().check(z.gte(1), z.lte(7 * 86_400))),
    shards: z.optional(z.int().check(z.gte(1), z.lte(64))),
  })
  .check(
    z.refine((d) => d.dealPrice < d.listPrice, {
      message: 'dealPrice must be lower than listPrice.',
      path: ['dealPrice'],
    }),
    z.refine((d) => d.shards === undefined || d.shards <= d.stock, {
      message: 'shards cannot exceed stock.',
      path: ['shards'],
    }),
  );
export type CreateDealInput = z.infer<typeof createDealSchema>;

const quantitySchema = z.int().check(z.gte(1), z.lte(10_000_000));
const extensionSchema = z.int().check(z.gte(1), z.lte(7 * 86_400));
/** restock carries a quantity and extend a durationSeconds; no other action carries either. */
const cueArguments = [
  z.refine<{ action: string; quantity?: number }>(
    (c) => (c.action === 'restock') === (c.quantity !== undefined),
    {
      message: 'quantity is required for restock and allowed only there.',
      path: ['quantity'],
    },
  ),
  z.refine<{ action: string; durationSeconds?: number }>(
    (c) => (c.action === 'extend') === (c.durationSeconds !== undefined),
    { message: 'durationSeconds is required for extend and allowed only there.', path: ['durationSeconds'] },
  ),
] as const;

export const cueSchema = z
  .strictObject({
    action: z.enum(CUE_ACTIONS),
    quantity: z.optional(quantitySchema),
    durationSeconds: z.optional(extensionSchema),
    /** Optional: a retry with the same cueId changes nothing. */
    cueId: z.optional(identifier(128)),
  })
  .check(...cueArguments);
export type CueInput = z.infer<typeof cueSchema>;
export type CueAction = CueInput['action'];

/** EventBridge `Deal Cue` from the streaming studio (source livestream.studio). */
export const DEAL_CUE_SOURCE = 'livestream.studio';
export const DEAL_CUE_DETAIL_TYPE = 'Deal Cue';

export const dealCueDetailSchema = z
  .object({
    cueId: identifier(128),
    dealId: dealIdSchema,
    streamId: identifier(128),
    hostId: principalIdSchema,
    action: z.enum(CUE_ACTIONS),
    quantity: z.optional(quantitySchema),
    durationSeconds: z.optional(extensionSchema),
    at: z.iso.datetime({ offset: true }),
  })
  .check(...cueArguments);
export type DealCueDetail = z.infer<typeof dealCueDetailSchema>;

/** Amazon IVS `IVS Stream State Change`; only `Stream End` matters to livedrop. */
export const IVS_SOURCE = 'aws.ivs';
export const IVS_STATE_CHANGE_DETAIL_TYPE = 'IVS Stream State Change';

export const ivsStreamStateDetailSchema = z.object({
  event_name: z.string(),
  channel_name: identifier(128),
  stream_id: z.optional(z.string()),
});
export type IvsStreamStateDetail = z.infer<typeof ivsStreamStateDetailSchema>;

export const galaIdSchema = identifier(128);

const TIME_ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);

/** POST /galas/{galaId}/price-drops: one gala-wide price drop at an instant, in the organiser's time zone. */
export const priceDropSchema = z
  .strictObject({
    at: z.iso.datetime({ offset: true }),
    timeZone: z
      .string()
      .check(z.refine((zone) => TIME_ZONES.has(zone), 'Must be an IANA time zone, e.g. Europe/Berlin.')),
    /** Default: every deal of the gala at the moment the drop fires. */
    dealIds: z.optional(z.array(dealIdSchema).check(z.minLength(1), z.maxLength(100))),
    dealPrice: z.optional(minorUnits),
    percentOff: z.optional(z.int().check(z.gte(1), z.lte(99))),
    /** A new wave of units added to each deal with the drop. */
    stock: z.optional(quantitySchema),
  })
  .check(
    z.refine<{ dealPrice?: number; percentOff?: number }>(
      (drop) => (drop.dealPrice === undefined) !== (drop.percentOff === undefined),
      { message: 'Give exactly one of dealPrice or percentOff.', path: ['dealPrice'] },
    ),
  );
export type PriceDropInput = z.infer<typeof priceDropSchema>;

export const PRICE_DROP_STATUSES = ['SCHEDULED', 'APPLIED', 'CANCELLED'] as const;

export const priceDropViewSchema = z.object({
  dropId: z.string(),
  galaId: z.string(),
  status: z.enum(PRICE_DROP_STATUSES),
  at: z.string(),
  timeZone: z.string(),
  dealIds: z.optional(z.array(z.string())),
  dealPrice: z.optional(z.int()),
  percentOff: z.optional(z.int()),
  stock: z.optional(z.int()),
  createdAt: z.string(),
  firedAt: z.optional(z.string()),
  appliedAt: z.optional(z.string()),
  cancelledAt: z.optional(z.string()),
  /** Per deal: APPLIED (with the prices), SKIPPED_ENDED, SKIPPED_NOT_IN_GALA or NOT_FOUND. */
  results: z.optional(
    z.record(
      z.string(),
      z.object({
        outcome: z.enum(['APPLIED', 'SKIPPED_ENDED', 'SKIPPED_NOT_IN_GALA', 'NOT_FOUND']),
        previousPrice: z.optional(z.int()),
        dealPrice: z.optional(z.int()),
      }),
    ),
  ),
});
export type PriceDropView = z.infer<typeof priceDropViewSchema>;
export type DropOutcome = NonNullable<PriceDropView['results']>[string];

export const priceDropListSchema = z.object({ drops: z.array(priceDropViewSchema) });

export const checkoutSchema = z.strictObject({
  viewerId: principalIdSchema,
  orderId: orderIdSchema,
});
export type CheckoutInput = z.infer<typeof checkoutSchema>;

/** A page of a listing: its size (each route checks its own range) and the previous page's nextCursor. */
const pageQuery = {
  limit: z.optional(
    z.pipe(
      z.string().check(z.regex(/^\d{1,3}$/, 'Must be a whole number.')),
      z.transform((s) => Number(s)),
    ),
  ),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
};

/**
 * The route's page size range. zod runs object checks even when a field failed, so a limit that is not a
 * number yet is left to the field's own message.
 */
export const pageSizeAtMost = (max: number) =>
  z.refine<{ limit?: number | undefined }>(
    ({ limit }) => typeof limit !== 'number' || (limit >= 1 && limit <= max),
    { message: `Must be between 1 and ${max}.`, path: ['limit'] },
  );

export const listCouponsQuerySchema = z.strictObject(pageQuery);

export type DealStatus = (typeof DEAL_STATUSES)[number];
export type CouponStatus = (typeof COUPON_STATUSES)[number];

/** Public deal representation (GET /deals/{id}); also the OpenAPI response schema. */
export const dealViewSchema = z.object({
  dealId: z.string(),
  title: z.string(),
  sku: z.string(),
  streamId: z.string(),
  hostId: z.string(),
  galaId: z.optional(z.string()),
  ivsChannelArn: z.optional(z.string()),
  status: z.enum(DEAL_STATUSES),
  currency: z.string(),
  listPrice: z.int(),
  dealPrice: z.int(),
  stock: z.int(),
  available: z.int(),
  held: z.int(),
  redeemed: z.int(),
  perViewerLimit: z.int(),
  claimTtlSeconds: z.int(),
  durationSeconds: z.optional(z.int()),
  /** The lowest price of the 30 days before the current price took effect (EU Omnibus), once it changed. */
  priorLowestPrice: z.optional(z.int()),
  createdAt: z.string(),
  startedAt: z.optional(z.string()),
  endsAt: z.optional(z.string()),
});
export type DealView = z.infer<typeof dealViewSchema>;

/** What a viewer's overlay polls (GET /deals/{dealId}/live); cacheable for a second. */
export const liveDealViewSchema = z.object({
  dealId: z.string(),
  title: z.string(),
  status: z.enum(DEAL_STATUSES),
  available: z.int(),
  currency: z.string(),
  dealPrice: z.int(),
  listPrice: z.int(),
  priorLowestPrice: z.optional(z.int()),
  endsAt: z.optional(z.string()),
});
export type LiveDealView = z.infer<typeof liveDealViewSchema>;

export const streamDealsSchema = z.object({ deals: z.array(liveDealViewSchema) });

/** Public coupon representation; also the OpenAPI response schema. */
export const couponViewSchema = z.object({
  couponId: z.string(),
  code: z.string(),
  dealId: z.string(),
  viewerId: z.string(),
  status: z.enum(COUPON_STATUSES),
  issuedAt: z.string(),
  expiresAt: z.string(),
  redeemedAt: z.optional(z.string()),
  orderId: z.optional(z.string()),
  dealPrice: z.int(),
  listPrice: z.int(),
  currency: z.string(),
});
export type CouponView = z.infer<typeof couponViewSchema>;

export const couponPageSchema = z.object({
  coupons: z.array(couponViewSchema),
  nextCursor: z.optional(z.string()),
});

export const AUDIT_ACTIONS = [
  'deal.created',
  'deal.cued',
  'deal.price-dropped',
  'deal.ended',
  'coupon.claimed',
  'coupon.redeemed',
  'coupon.released',
  'coupon.expired',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const auditActorSchema = z.object({
  kind: z.enum(['viewer', 'host', 'admin', 'checkout', 'system']),
  id: z.string(),
  /** Set when a host's cue came through the studio's event bus rather than the API. */
  via: z.optional(z.literal('studio')),
});
export type AuditActor = z.infer<typeof auditActorSchema>;

/** One immutable audit record (GET /deals/{dealId}/audit). */
export const auditRecordViewSchema = z.object({
  at: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  actor: auditActorSchema,
  couponId: z.optional(z.string()),
  viewerId: z.optional(z.string()),
  orderId: z.optional(z.string()),
  cueId: z.optional(z.string()),
  dropId: z.optional(z.string()),
  /** The state the change started from; null for a creation, or when a repair rewrote a lost record. */
  before: z.nullable(z.record(z.string(), z.unknown())),
  after: z.record(z.string(), z.unknown()),
});
export type AuditRecordView = z.infer<typeof auditRecordViewSchema>;

export const auditPageSchema = z.object({
  records: z.array(auditRecordViewSchema),
  nextCursor: z.optional(z.string()),
});

export const auditQuerySchema = z.strictObject({
  ...pageQuery,
  couponId: z.optional(z.string().check(z.regex(ULID_PATTERN, 'Must be a ULID.'))),
});

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.optional(z.unknown()),
  }),
});
