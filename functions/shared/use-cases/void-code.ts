import { isLiveCoupon, voidCouponItem } from '../data/coupon.js';
import { type Context, nowIso } from './context.js';

/**
 * Writes a VOID coupon at `code`, the arbiter between an abandoned claim and whoever cleans up after it:
 * true if the code is (now) void, false if a real coupon won the race (the claim did finish).
 */
export const voidCode = async (
  ctx: Context,
  code: string,
  dealId: string,
  viewerId: string,
): Promise<boolean> => {
  if (await ctx.store.putVoidCoupon(voidCouponItem(code, dealId, viewerId, nowIso(ctx)))) {
    ctx.seam('void.coupon');
    return true;
  }
  const existing = await ctx.store.getCoupon(code);
  return existing !== undefined && !isLiveCoupon(existing);
};
