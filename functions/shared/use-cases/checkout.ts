import { type CouponItem, isLiveCoupon } from '../data/coupon.js';
import { normalizeCode } from '../domain/code.js';
import { CouponNotFound } from '../domain/errors.js';
import type { Context } from './context.js';
import { limitCheckout } from './rate-limits.js';

/**
 * What redeem and release share: a checkout request counts against its limits (even for a code that is not
 * one), and reaches only a coupon of the viewer it names.
 */
export const checkoutCode = async (ctx: Context, codeInput: string, viewerId: string): Promise<string> => {
  const code = normalizeCode(codeInput);
  await limitCheckout(ctx, viewerId, code);
  if (!code) throw new CouponNotFound();
  return code;
};

/** The coupon at `code` if it belongs to `viewerId`; COUPON_NOT_FOUND otherwise, never revealing it exists. */
export const ownCoupon = async (ctx: Context, code: string, viewerId: string): Promise<CouponItem> => {
  const coupon = await ctx.store.getCoupon(code);
  if (!isLiveCoupon(coupon) || coupon.viewerId !== viewerId) throw new CouponNotFound();
  return coupon;
};
