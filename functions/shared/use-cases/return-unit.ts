import { type CouponItem, isLiveCoupon } from '../data/coupon.js';
import type { AuditActor } from '../domain/schemas.js';
import { announceCoupon, stockReturned } from './announce.js';
import { expiryRecord, releaseRecord, SYSTEM } from './audit-records.js';
import { type Context, nowIso } from './context.js';

/**
 * Second half of an expiry (the coupon is EXPIRED, its unit RETURNING): 1. the unit back to its shard,
 * exactly once  2. free the viewer's slot  3. the record  4. mark the unit RETURNED. Whoever finds a return a
 * crash left behind (the sweep, a release retry) runs this again; every step is idempotent.
 */
export const finishReturn = async (
  ctx: Context,
  coupon: CouponItem,
  operation: 'expire' | 'release',
  expiredBy: AuditActor = SYSTEM.sweep,
): Promise<boolean> => {
  const returned = await ctx.store.returnUnit(coupon.dealId, coupon.shard, coupon.seq, ctx.clock.now());
  ctx.seam(`${operation}.unit`);
  stockReturned(ctx, coupon.dealId);
  await ctx.store.freeSlot(coupon.dealId, coupon.viewerId, coupon.slot, coupon.code);
  ctx.seam(`${operation}.slot`);
  // Written before RETURNED, so whoever finishes a return a crash left behind also writes the record.
  // A release that ended the hold is recorded as the release (the same record the release writes).
  if (coupon.releasedAt !== undefined && coupon.releasedAt === coupon.expiredAt) {
    if (coupon.releasedOrder !== undefined) {
      await ctx.store.putAudit(releaseRecord(coupon, coupon.releasedOrder, nowIso(ctx)));
    }
  } else {
    await ctx.store.putAudit(expiryRecord(coupon, expiredBy, nowIso(ctx)));
  }
  await ctx.store.markCouponReturned(coupon, nowIso(ctx));
  ctx.seam(`${operation}.returned`);
  return returned;
};

/**
 * Expires one ISSUED coupon past its expiresAt and hands its unit back. `expired` says whether this call
 * made it EXPIRED; a concurrent sweep may have, and is helped to finish. `by`: who found the hold ran out
 * (the sweep, or a claim making room in the viewer's slots).
 */
export const expireCoupon = async (
  ctx: Context,
  code: string,
  by: AuditActor = SYSTEM.sweep,
): Promise<{ expired: boolean; returned: boolean }> => {
  const expired = await ctx.store.expireCoupon(code, nowIso(ctx));
  if (expired) ctx.seam('expire.coupon');
  const coupon = expired ?? (await ctx.store.getCoupon(code));
  if (!isLiveCoupon(coupon) || coupon.unit !== 'RETURNING') return { expired: false, returned: false };
  const returned = await finishReturn(ctx, coupon, 'expire', by);
  if (expired) await announceCoupon(ctx, 'Coupon Expired', coupon, {});
  return { expired: expired !== undefined, returned };
};
