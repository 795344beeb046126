import { isTallyPending } from '../data/coupon.js';
import { AlreadyRedeemed, CouponExpired } from '../domain/errors.js';
import type { CheckoutInput, CouponView } from '../domain/schemas.js';
import { announceCoupon } from './announce.js';
import { redeemRecord } from './audit-records.js';
import { checkoutCode, ownCoupon } from './checkout.js';
import { type Context, nowIso } from './context.js';
import { settleTally, settleTallyAfterWrite } from './count-redemption.js';
import type { Actor } from './types.js';
import { toCouponView } from './views.js';

/**
 * Checkout spends a coupon for an order: 1. ISSUED -> REDEEMED in one conditional write that also checks the
 * owner and the expiry (the coupon goes to the REDEEMING phase)  2. the redemption counted on the shard's tally
 * and the coupon to the REDEEMED phase  3. the event  4. the record. A retry for the same order answers the same
 * and finishes what a crash left.
 */
export const redeem = async (
  ctx: Context,
  codeInput: string,
  input: CheckoutInput,
  actor?: Actor,
): Promise<CouponView> => {
  const code = await checkoutCode(ctx, codeInput, input.viewerId);
  const by = actor?.sub ?? 'unknown';
  for (let round = 0; round < 3; round++) {
    const now = nowIso(ctx);
    const redeemed = await ctx.store.redeemCoupon(code, input.viewerId, input.orderId, now, by);
    if (redeemed) {
      ctx.seam('redeem.coupon');
      // Counted before the event, so the event's figures include it.
      await settleTallyAfterWrite(ctx, redeemed);
      // The event next: announcing never fails, and should the record fail, the caller's retry writes it.
      await announceCoupon(ctx, 'Coupon Redeemed', redeemed, { orderId: input.orderId });
      await ctx.store.putAudit(redeemRecord(redeemed, now));
      return toCouponView(redeemed, now);
    }
    const found = await ownCoupon(ctx, code, input.viewerId);
    // A step not yet counted (a crash, or one in flight) is counted first: the next step waits for it.
    const coupon = isTallyPending(found) ? await settleTally(ctx, found) : found;
    if (coupon.status === 'REDEEMED') {
      if (coupon.orderId === input.orderId) {
        // A checkout retry: also rewrites the record if the first call died before it.
        await ctx.store.putAudit(redeemRecord(coupon, now));
        return toCouponView(coupon, now);
      }
      throw new AlreadyRedeemed();
    }
    if (coupon.status === 'EXPIRED' || coupon.expiresAt <= now) throw new CouponExpired();
    // ISSUED and valid: a release landed between our write and our read; try again.
  }
  throw new Error(`redeem of ${code} kept racing`);
};
