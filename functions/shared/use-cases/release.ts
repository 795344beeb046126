import { InvalidTransition } from '../domain/errors.js';
import type { CheckoutInput, CouponView } from '../domain/schemas.js';
import { announceCoupon } from './announce.js';
import { releaseRecord } from './audit-records.js';
import { checkoutCode, ownCoupon } from './checkout.js';
import { type Context, nowIso } from './context.js';
import { settleTally, settleTallyAfterWrite } from './count-redemption.js';
import { finishReturn } from './return-unit.js';
import type { Actor } from './types.js';
import { toCouponView } from './views.js';

/**
 * The order was cancelled: REDEEMED -> ISSUED while the hold lasts, else EXPIRED with its unit returned.
 * 1. put the deal back on the sweep's list  2. the coupon (to the REDEEMING phase)  3. the release counted on the
 * shard's tally and the coupon's phase settled  4. its event  5. (expired) the unit back  6. the record.
 */
export const release = async (
  ctx: Context,
  codeInput: string,
  input: CheckoutInput,
  actor?: Actor,
): Promise<CouponView> => {
  const code = await checkoutCode(ctx, codeInput, input.viewerId);
  for (let round = 0; round < 3; round++) {
    // A step not yet counted (a crash, or one in flight) is counted first: the next step waits for it.
    const coupon = await settleTally(ctx, await ownCoupon(ctx, code, input.viewerId));
    const now = nowIso(ctx);
    const redeemedByThisOrder = coupon.status === 'REDEEMED' && coupon.orderId === input.orderId;
    if (!redeemedByThisOrder) {
      if (coupon.releasedOrders?.has(input.orderId)) {
        // Already released for this order: answer the same, finishing a return a crash left behind.
        if (coupon.unit === 'RETURNING') await finishReturn(ctx, coupon, 'release');
        // releasedAt keys the record, and it is this order's release time only while this order was the
        // last one released; after a later release the retry would key a second record of this one.
        if (coupon.releasedOrder === input.orderId) {
          await ctx.store.putAudit(releaseRecord(coupon, input.orderId, nowIso(ctx)));
        }
        return toCouponView(coupon, now);
      }
      throw new InvalidTransition('This coupon is not redeemed for this order.', {
        status: toCouponView(coupon, now).status,
      });
    }
    // Released units may need the sweep again after the deal was settled.
    await ctx.store.markSweepWork(coupon.dealId);
    ctx.seam('release.sweep');
    const released = await ctx.store.releaseCoupon(coupon, input.orderId, now, actor?.sub);
    if (!released) continue;
    ctx.seam('release.coupon');
    const item = await settleTallyAfterWrite(ctx, released.item);
    // The event next: announcing never fails, and should a later step fail, the caller's retry finishes it.
    await announceCoupon(ctx, 'Coupon Released', item, {
      orderId: input.orderId,
      status: released.expired ? 'EXPIRED' : 'ISSUED',
    });
    if (released.expired) await finishReturn(ctx, item, 'release');
    await ctx.store.putAudit(releaseRecord(released.item, input.orderId, nowIso(ctx)));
    return toCouponView(released.item, now);
  }
  throw new Error(`release of ${code} kept racing`);
};
