import { type CouponItem, isTallyPending, settledPhase } from '../data/coupon.js';
import type { Context } from './context.js';

/**
 * Counts a coupon's latest redemption or release on its shard's tally, then takes it out of REDEEMING:
 * 1. the step on the tally (once: the tally keeps each coupon's last step counted, and a step never goes back)
 * 2. the coupon's settled phase. Run right after the coupon write, by the operation's retry, by whoever needs the
 * coupon settled before its next step, and by the sweep for the ones a crash left. Answers the coupon as settled.
 */
export const settleTally = async (ctx: Context, coupon: CouponItem): Promise<CouponItem> => {
  if (!isTallyPending(coupon)) return coupon;
  const step = coupon.tallyStep ?? 0;
  const operation = step % 2 === 1 ? 'redeem' : 'release';
  await ctx.store.recordRedeemStep(coupon.dealId, coupon.shard, coupon.seq, step);
  ctx.seam(`${operation}.tally`);
  await ctx.store.settleCouponTally(coupon);
  ctx.seam(`${operation}.settled`);
  return { ...coupon, GSI2SK: settledPhase(coupon) };
};

/**
 * settleTally right after a redemption or release was written: the coupon's change happened, so a failure here
 * must not answer an error; it is logged and finished by the retry or the sweep (the coupon stays REDEEMING).
 */
export const settleTallyAfterWrite = async (ctx: Context, coupon: CouponItem): Promise<CouponItem> => {
  try {
    return await settleTally(ctx, coupon);
  } catch (error) {
    ctx.logger.error('redemption count left to the retry or the sweep', { couponId: coupon.couponId, error });
    return coupon;
  }
};
