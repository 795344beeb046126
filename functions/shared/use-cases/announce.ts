import type { CouponItem } from '../data/coupon.js';
import type { DealItem } from '../data/deal.js';
import { iso } from '../domain/clock.js';
import type { LivedropEvent } from '../domain/events.js';
import { discardEvents } from '../domain/ports.js';
import type { DealView } from '../domain/schemas.js';
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
 * per container (its figures cost a few reads). Never throws: it runs after the change was written, and a
 * change that happened must not be answered as an error (the publisher itself never throws either).
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
    let view: DealView;
    try {
      view = await viewOf(ctx, deal);
    } catch (error) {
      // The figures are news, not the change itself: publish what happened; a later event carries them.
      ctx.logger.error('stock figures unavailable; Deal Stock Changed left to a later change', {
        dealId: deal.dealId,
        error,
      });
      continue;
    }
    ctx.stockAnnounced.set(deal.dealId, now);
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

/**
 * A coupon event. The coupon carries its deal's streamId (older coupons do not: the per-container deal cache
 * supplies it then, and if even that read fails the event is logged as lost rather than failing the change).
 */
export const announceCoupon = async (
  ctx: Context,
  detailType: 'Coupon Redeemed' | 'Coupon Released' | 'Coupon Expired',
  coupon: CouponItem,
  extra: { orderId?: string; status?: 'ISSUED' | 'EXPIRED' },
): Promise<void> => {
  const deal = await dealConfig(ctx, coupon.dealId).catch(() => undefined);
  const streamId = coupon.streamId ?? deal?.streamId;
  if (streamId === undefined) {
    ctx.logger.error('coupon event lost: its deal could not be read', {
      detailType,
      couponId: coupon.couponId,
    });
    return;
  }
  const base = {
    dealId: coupon.dealId,
    streamId,
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
  await announce(ctx, [event], deal === undefined ? [] : [deal]);
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

/**
 * A coupon handed to its claimer: its `Coupon Claimed` event (the publisher never throws). Its audit record is
 * not written here: the coupon itself is the claim's durable fact, and the sweep's reconcile writes the record
 * (at the claim's own instant) when its watermark passes the claim's ticket, which it must do anyway for claims
 * that crashed. One store call fewer per claim; the record appears within a sweep.
 */
export const couponClaimed = async (ctx: Context, deal: DealItem, coupon: CouponItem): Promise<void> => {
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
