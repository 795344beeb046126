import { type CouponItem, isLiveCoupon, isTallyPending } from '../data/coupon.js';
import type { AuditActor } from '../domain/schemas.js';
import { announceCoupon, stockReturned } from './announce.js';
import { expiryRecord, releaseRecord, SYSTEM } from './audit-records.js';
import { type Context, nowIso } from './context.js';
import { settleTally } from './count-redemption.js';

/** Absorbing retries this often before leaving the rest to the next return or the sweep. */
const ABSORB_ATTEMPTS = 5;

/**
 * Gives ticket `seq`'s unit back exactly once: 1. the tally counts it, once per ticket (the guard)  2. the
 * shard absorbs the tally's count into `available`. A retry whose tally write was refused still absorbs, so
 * a crash between the two is finished by whoever retries, by the next return on the shard, or by the sweep.
 * True when this call counted the return.
 */
export const returnUnit = async (ctx: Context, dealId: string, k: number, seq: number): Promise<boolean> => {
  const returned = await ctx.store.recordReturn(dealId, k, seq, ctx.clock.now());
  ctx.seam('return.tally');
  const target = returned ?? (await ctx.store.getTally(dealId, k))?.returned ?? 0;
  // Commonly nobody absorbed since: from the count before this return.
  await absorbReturns(ctx, dealId, k, target, returned === undefined ? undefined : returned - 1);
  return returned !== undefined;
};

/**
 * Brings shard k's `absorbed` up to `target` (its tally's `returned`), adding the difference to `available`.
 * Each try is conditional on the `absorbed` it assumes, so concurrent absorbers never add a unit twice; a
 * refusal hands back the shard's `absorbed` (or it is read) and the next try starts from there.
 */
export const absorbReturns = async (
  ctx: Context,
  dealId: string,
  k: number,
  target: number,
  assumed?: number,
): Promise<void> => {
  let from = assumed;
  for (let attempt = 0; attempt < ABSORB_ATTEMPTS; attempt++) {
    if (from === undefined) {
      const shard = await ctx.store.getShard(dealId, k);
      if (!shard) return;
      from = shard.absorbed ?? 0;
    }
    if (from >= target) return;
    const result = await ctx.store.absorbReturns(dealId, k, from, target);
    if ('absorbed' in result) return;
    from = result.refused?.absorbed;
  }
};

/**
 * Second half of an expiry (the coupon is EXPIRED, its unit RETURNING): 0. a release that expired it counted on
 * the tally first (marking the unit RETURNED takes the coupon out of REDEEMING)  1. the unit back to its shard,
 * exactly once  2. free the viewer's slot  3. the record  4. mark the unit RETURNED. Whoever finds a return a
 * crash left behind (the sweep, a release retry) runs this again; every step is idempotent.
 */
export const finishReturn = async (
  ctx: Context,
  expiring: CouponItem,
  operation: 'expire' | 'release',
  expiredBy: AuditActor = SYSTEM.sweep,
): Promise<boolean> => {
  const coupon = await settleTally(ctx, expiring);
  const returned = await returnUnit(ctx, coupon.dealId, coupon.shard, coupon.seq);
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
  let expired = await ctx.store.expireCoupon(code, nowIso(ctx));
  let coupon = expired ?? (await ctx.store.getCoupon(code));
  if (!expired && isLiveCoupon(coupon) && isTallyPending(coupon)) {
    // A release not yet counted keeps the coupon from expiring: count it, then expire.
    await settleTally(ctx, coupon);
    expired = await ctx.store.expireCoupon(code, nowIso(ctx));
    coupon = expired ?? (await ctx.store.getCoupon(code));
  }
  if (expired) ctx.seam('expire.coupon');
  if (!isLiveCoupon(coupon) || coupon.unit !== 'RETURNING') return { expired: false, returned: false };
  const returned = await finishReturn(ctx, coupon, 'expire', by);
  if (expired) await announceCoupon(ctx, 'Coupon Expired', coupon, {});
  return { expired: expired !== undefined, returned };
};
