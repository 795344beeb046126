import type { CouponItem } from '../data/coupon.js';
import type { DealItem } from '../data/deal.js';
import { iso } from '../domain/clock.js';
import type { LivedropEvent } from '../domain/events.js';
import { discardEvents } from '../domain/ports.js';
import { claimRecord } from './audit-records.js';
import { type Context, nowIso } from './context.js';
import { dealConfig, viewOf } from './read-deals.js';

const STOCK_EVENT_INTERVAL_MS = 1_000;

const STATUS_EVENTS = {
  start: 'Deal Started',
  pause: 'Deal Paused',
  resume: 'Deal Resumed',
  end: 'Deal Ended',
} as const;

/**
 * Publishes what an operation caused, plus a Deal Stock Changed for each touched deal at most once a second
 * per container (its figures cost a few reads). The publisher never throws.
 */
export const announce = async (
  ctx: Context,
  events: LivedropEvent[],
  stockOf: readonly DealItem[] = [],
): Promise<void> => {
  // Nothing consumes events without a publisher: skip the figures' reads too.
  if (ctx.events === discardEvents) return;
  const now = ctx.clock.now();
  for (const deal of stockOf) {
    if (now - (ctx.stockAnnounced.get(deal.dealId) ?? 0) < STOCK_EVENT_INTERVAL_MS) continue;
    ctx.stockAnnounced.set(deal.dealId, now);
    const view = await viewOf(ctx, deal);
    events.push({
      detailType: 'Deal Stock Changed',
      detail: {
        dealId: deal.dealId,
        streamId: deal.streamId,
        at: iso(now),
        stock: view.stock,
        available: view.available,
        held: view.held,
        redeemed: view.redeemed,
      },
    });
  }
  if (events.length > 0) await ctx.events.publish(events);
};

/** A coupon event; the deal's streamId comes from the per-container deal cache. */
export const announceCoupon = async (
  ctx: Context,
  detailType: 'Coupon Redeemed' | 'Coupon Released' | 'Coupon Expired',
  coupon: CouponItem,
  extra: { orderId?: string; status?: 'ISSUED' | 'EXPIRED' },
): Promise<void> => {
  const deal = await dealConfig(ctx, coupon.dealId);
  const base = {
    dealId: coupon.dealId,
    streamId: deal.streamId,
    at: nowIso(ctx),
    couponId: coupon.couponId,
    viewerId: coupon.viewerId,
  };
  const event: LivedropEvent =
    detailType === 'Coupon Expired'
      ? { detailType, detail: base }
      : detailType === 'Coupon Redeemed'
        ? { detailType, detail: { ...base, orderId: extra.orderId ?? '' } }
        : {
            detailType,
            detail: { ...base, orderId: extra.orderId ?? '', status: extra.status ?? 'ISSUED' },
          };
  await announce(ctx, [event], [deal]);
};

export const statusEvent = (
  ctx: Context,
  deal: DealItem,
  action: 'start' | 'pause' | 'resume' | 'end',
  cueId?: string,
): LivedropEvent => ({
  detailType: STATUS_EVENTS[action],
  detail: {
    dealId: deal.dealId,
    streamId: deal.streamId,
    status: deal.status,
    at: nowIso(ctx),
    ...(cueId === undefined ? {} : { cueId }),
  },
});

/** Stock came back (return, restock): facts about it are stale, and a later sell-out is news again. */
export const stockReturned = (ctx: Context, dealId: string): void => {
  ctx.facts.forget(dealId);
  ctx.soldOutAnnounced.delete(dealId);
};

/** A coupon handed to its claimer: its claim record, then its `Coupon Claimed` event. */
export const couponClaimed = async (ctx: Context, deal: DealItem, coupon: CouponItem): Promise<void> => {
  await ctx.store.putAudit(claimRecord(coupon, { kind: 'viewer', id: coupon.viewerId }));
  await announce(
    ctx,
    [
      {
        detailType: 'Coupon Claimed',
        detail: {
          dealId: deal.dealId,
          streamId: deal.streamId,
          at: coupon.issuedAt,
          couponId: coupon.couponId,
          viewerId: coupon.viewerId,
          dealPrice: coupon.dealPrice,
          currency: coupon.currency,
          expiresAt: coupon.expiresAt,
        },
      },
    ],
    [deal],
  );
};
