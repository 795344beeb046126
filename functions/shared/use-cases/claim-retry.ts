import { isLiveCoupon } from '../data/coupon.js';
import type { DealItem } from '../data/deal.js';
import type { IdempotencyItem } from '../data/viewer.js';
import { ClaimInProgress } from '../domain/errors.js';
import type { CouponView } from '../domain/schemas.js';
import { couponClaimed } from './announce.js';
import { type Context, nowIso, sleep } from './context.js';
import { freeSlotsHolding } from './viewer-slots.js';
import { toCouponView } from './views.js';
import { voidCode } from './void-code.js';

/** One attempt of a claim: the code its coupon will have, chosen before any write. */
export interface Attempt {
  code: string;
  couponId: string;
}

/**
 * Another attempt holds this Idempotency-Key. Returns its coupon once written; undefined when that attempt
 * failed or was abandoned (the caller then starts a new one); CLAIM_IN_PROGRESS while it is still running.
 * `known` is its record as the caller just saw it (read, or handed back by the refused put): the first round
 * uses it instead of reading it again.
 */
export const awaitEarlierAttempt = async (
  ctx: Context,
  deal: DealItem,
  viewerId: string,
  idempotencyKey: string,
  known?: IdempotencyItem,
): Promise<CouponView | undefined> => {
  let seen = known;
  // The wait is a budget of pauses, not a deadline on a clock: a pinned test clock or a simulated one
  // would otherwise never (or always) reach it.
  let waited = 0;
  // Back off: a waiting retry must not hammer the store while the first attempt is queued behind others.
  for (let pause = ctx.options.replayPollMs; ; pause = Math.min(pause * 2, 500)) {
    const record = seen ?? (await ctx.store.getIdempotency(deal.dealId, viewerId, idempotencyKey));
    seen = undefined;
    if (!record) return undefined;
    const coupon = await ctx.store.getCoupon(record.code);
    if (isLiveCoupon(coupon)) return toCouponView(coupon, nowIso(ctx));
    const abandoned =
      coupon !== undefined || ctx.clock.now() - Date.parse(record.at) > ctx.options.claimGraceMs;
    if (abandoned) {
      if (coupon === undefined && !(await voidCode(ctx, record.code, deal.dealId, viewerId))) continue;
      await freeSlotsHolding(ctx, deal.dealId, viewerId, record.code);
      await ctx.store.dropIdempotency(deal.dealId, viewerId, idempotencyKey, record.code);
      return undefined;
    }
    const left = ctx.options.replayWaitMs - waited;
    if (left <= 0) throw new ClaimInProgress();
    await sleep(ctx, Math.min(pause, left));
    waited += Math.min(pause, left);
  }
};

/**
 * An attempt failed without a refusal, so its last write may have landed. Its coupon, if written; else its
 * code is voided so the coupon never can be (the arbiter), and its slot and retry record go, letting a
 * retry with the key run at once; a unit it took goes back through the reconciler. Undefined then. Should
 * the store not answer, the record stays and a retry waits out the claim grace.
 */
export const settleFailedAttempt = async (
  ctx: Context,
  deal: DealItem,
  viewerId: string,
  idempotencyKey: string,
  attempt: Attempt,
): Promise<CouponView | undefined> => {
  if (!(await voidCode(ctx, attempt.code, deal.dealId, viewerId))) {
    const coupon = await ctx.store.getCoupon(attempt.code);
    if (!isLiveCoupon(coupon)) return undefined;
    // The attempt failed on or after the coupon's write, so before its record and event (the publisher
    // never throws): the caller gets the coupon, so it is announced here, once.
    await couponClaimed(ctx, deal, coupon);
    return toCouponView(coupon, nowIso(ctx));
  }
  await freeSlotsHolding(ctx, deal.dealId, viewerId, attempt.code);
  await ctx.store.dropIdempotency(deal.dealId, viewerId, idempotencyKey, attempt.code);
  return undefined;
};
