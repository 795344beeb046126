import type { CouponItem } from '../data/coupon.js';
import type { DealItem } from '../data/deal.js';
import type { ShardItem } from '../data/shard.js';
import type { TallyItem } from '../data/tally.js';
import { formatCode } from '../domain/code.js';
import { effectiveStatus, priorLowestPrice } from '../domain/deal.js';
import type { CouponView, DealView, LiveDealView } from '../domain/schemas.js';

export interface DealFigures {
  stock: number;
  available: number;
  held: number;
  redeemed: number;
}

/**
 * The figures from the shards and their tallies alone (no read per coupon). stock = Σ added; a unit returned
 * but not yet absorbed by its shard (a crash between the two writes) is available; redeemed is the tallies'
 * count, and every other unit out (ISSUED coupons, expiring ones, claims in flight) is held.
 */
export const stockFigures = (shards: ShardItem[], tallies: TallyItem[]): DealFigures => {
  const returned = new Map(tallies.map((tally) => [tally.shard, tally.returned]));
  let stock = 0;
  let available = 0;
  for (const shard of shards) {
    stock += shard.added;
    available += shard.available + Math.max(0, (returned.get(shard.shard) ?? 0) - (shard.absorbed ?? 0));
  }
  const redeemed = tallies.reduce((sum, tally) => sum + (tally.redeemed ?? 0), 0);
  return { stock, available, held: stock - available - redeemed, redeemed };
};

export const toDealView = (deal: DealItem, figures: DealFigures, nowIso: string): DealView => {
  const { stock, available } = figures;
  return {
    dealId: deal.dealId,
    title: deal.title,
    sku: deal.sku,
    streamId: deal.streamId,
    hostId: deal.hostId,
    ...(deal.galaId === undefined ? {} : { galaId: deal.galaId }),
    ...(deal.ivsChannelArn === undefined ? {} : { ivsChannelArn: deal.ivsChannelArn }),
    status: effectiveStatus(deal.status, deal.endsAt, nowIso),
    currency: deal.currency,
    listPrice: deal.listPrice,
    dealPrice: deal.dealPrice,
    stock,
    available,
    held: figures.held,
    redeemed: figures.redeemed,
    perViewerLimit: deal.perViewerLimit,
    claimTtlSeconds: deal.claimTtlSeconds,
    ...(deal.durationSeconds === undefined ? {} : { durationSeconds: deal.durationSeconds }),
    ...priorPrice(deal),
    createdAt: deal.createdAt,
    ...(deal.startedAt === undefined ? {} : { startedAt: deal.startedAt }),
    ...(deal.endsAt === undefined ? {} : { endsAt: deal.endsAt }),
  };
};

const priorPrice = (deal: DealItem) => {
  const prior = priorLowestPrice(deal.priceHistory ?? []);
  return prior === undefined ? {} : { priorLowestPrice: prior };
};

/** The overlay's view: status, stock left and prices, from the deal and its shards only (no counting). */
export const toLiveDealView = (deal: DealItem, shards: ShardItem[], nowIso: string): LiveDealView => ({
  dealId: deal.dealId,
  title: deal.title,
  status: effectiveStatus(deal.status, deal.endsAt, nowIso),
  available: shards.reduce((sum, shard) => sum + shard.available, 0),
  currency: deal.currency,
  dealPrice: deal.dealPrice,
  listPrice: deal.listPrice,
  ...priorPrice(deal),
  ...(deal.endsAt === undefined ? {} : { endsAt: deal.endsAt }),
});

/** An ISSUED coupon past its expiresAt is already expired for every reader, before the sweep records it. */
export const toCouponView = (coupon: CouponItem, nowIso: string): CouponView => ({
  couponId: coupon.couponId,
  code: formatCode(coupon.code),
  dealId: coupon.dealId,
  viewerId: coupon.viewerId,
  status: coupon.status === 'ISSUED' && coupon.expiresAt <= nowIso ? 'EXPIRED' : coupon.status,
  issuedAt: coupon.issuedAt,
  expiresAt: coupon.expiresAt,
  ...(coupon.redeemedAt === undefined ? {} : { redeemedAt: coupon.redeemedAt }),
  ...(coupon.orderId === undefined ? {} : { orderId: coupon.orderId }),
  dealPrice: coupon.dealPrice,
  listPrice: coupon.listPrice,
  currency: coupon.currency,
});
