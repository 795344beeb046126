/**
 * zod schemas are the single source of truth for every input and output shape; types come from z.infer.
 * zod/mini keeps the Lambda bundles small (~15 KB instead of ~440 KB for classic zod).
 */

import * as z from 'zod/mini';
import {
  type COUPON_STATUSES,
  CUE_ACTIONS,
  type DEAL_STATUSES,
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

// Built on first use: listing every currency and time zone costs a cold start that never checks one.
let currencies: Set<string> | undefined;
const isCurrency = (code: string) => {
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return currencies.has(code);
};

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
      .check(z.refine(isCurrency, 'Must be an ISO 4217 currency code in upper case, e.g. EUR.')),
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

let timeZones: Set<string> | undefined;
const isTimeZone = (zone: string) => {
  timeZones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
  return timeZones.has(zone);
};

/** POST /galas/{galaId}/price-drops: one gala-wide price drop at an instant, in the organiser's time zone. */
export const priceDropSchema = z
  .strictObject({
    at: z.iso.datetime({ offset: true }),
    timeZone: z.string().check(z.refine(isTimeZone, 'Must be an IANA time zone, e.g. Europe/Berlin.')),
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

export const auditQuerySchema = z.strictObject({
  ...pageQuery,
  couponId: z.optional(z.string().check(z.regex(ULID_PATTERN, 'Must be a ULID.'))),
});

// Response shapes live in view-schemas.ts: only the OpenAPI document needs them as values, so no function's
// bundle builds them at its cold start.
export type {
  AuditAction,
  AuditActor,
  AuditRecordView,
  CouponView,
  DealView,
  DropOutcome,
  LiveDealView,
  PriceDropView,
} from './view-schemas.js';
