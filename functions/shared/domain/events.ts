/**
 * The events livedrop publishes on its bus (source `livedrop`), each with the zod schema of its detail: the
 * single source of truth for consumers (overlays, analytics, checkout) and for the tests that check every
 * emitted event against it. Coupon codes are bearer secrets and never appear in events.
 */
import * as z from 'zod/mini';
import { DEAL_STATUSES } from './identifiers.js';

export { EVENT_SOURCE } from './identifiers.js';

const instant = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'ISO 8601 UTC'));
const count = z.int().check(z.gte(0));

const dealRef = { dealId: z.string(), streamId: z.string(), at: instant };

const dealStatusDetail = z.strictObject({
  ...dealRef,
  status: z.enum(DEAL_STATUSES),
  cueId: z.optional(z.string()),
});

export const EVENT_SCHEMAS = {
  'Deal Started': dealStatusDetail,
  'Deal Paused': dealStatusDetail,
  'Deal Resumed': dealStatusDetail,
  'Deal Ended': dealStatusDetail,
  'Deal Extended': z.strictObject({ ...dealRef, endsAt: instant, cueId: z.optional(z.string()) }),
  'Deal Restocked': z.strictObject({
    ...dealRef,
    quantity: z.int().check(z.gte(1)),
    cueId: z.optional(z.string()),
  }),
  /** Coalesced: at most one per deal per second from each container. */
  'Deal Stock Changed': z.strictObject({
    ...dealRef,
    stock: count,
    available: count,
    held: count,
    redeemed: count,
  }),
  /** Sent by the container that first finds every shard empty; consumers dedupe by dealId. */
  'Deal Sold Out': z.strictObject(dealRef),
  'Coupon Claimed': z.strictObject({
    ...dealRef,
    couponId: z.string(),
    viewerId: z.string(),
    dealPrice: count,
    currency: z.string(),
    expiresAt: instant,
  }),
  'Coupon Redeemed': z.strictObject({
    ...dealRef,
    couponId: z.string(),
    viewerId: z.string(),
    orderId: z.string(),
  }),
  'Coupon Released': z.strictObject({
    ...dealRef,
    couponId: z.string(),
    viewerId: z.string(),
    orderId: z.string(),
    status: z.enum(['ISSUED', 'EXPIRED']),
  }),
  'Coupon Expired': z.strictObject({ ...dealRef, couponId: z.string(), viewerId: z.string() }),
  'Price Dropped': z.strictObject({
    ...dealRef,
    dropId: z.string(),
    galaId: z.string(),
    previousPrice: count,
    dealPrice: count,
    currency: z.string(),
  }),
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export type EventDetail<T extends EventType> = z.infer<(typeof EVENT_SCHEMAS)[T]>;

/** One event to publish, typed by its detail-type. */
export type LivedropEvent = { [T in EventType]: { detailType: T; detail: EventDetail<T> } }[EventType];
