/**
 * The response shapes: the OpenAPI document's component schemas, and through z.infer the types the use cases
 * answer with. Kept apart from the input schemas (schemas.ts) so a function's bundle builds none of them.
 */

import * as z from 'zod/mini';
import { COUPON_STATUSES, DEAL_STATUSES } from './identifiers.js';

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

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.optional(z.unknown()),
  }),
});
