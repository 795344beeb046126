import { isLiveCoupon } from '../data/coupon.js';
import type { DealItem } from '../data/deal.js';
import type { SlotItem } from '../data/viewer.js';
import { SYSTEM } from './audit-records.js';
import { type Context, nowIso } from './context.js';
import { expireCoupon } from './return-unit.js';
import { voidCode } from './void-code.js';

/**
 * A full set of slots may hide ones that hold nothing: a coupon past its expiresAt that no sweep has
 * expired yet (expired here, unit and slot given back), an expiry that died before freeing its slot, or a
 * claim that died before writing its coupon (voided once older than claimGraceMs). Frees those.
 */
export const repairSlots = async (ctx: Context, deal: DealItem, slots: SlotItem[]): Promise<number> => {
  const coupons = await ctx.store.getCoupons(slots.map((slot) => slot.code));
  const now = nowIso(ctx);
  let freed = 0;
  for (const slot of slots) {
    const coupon = coupons.get(slot.code);
    if (isLiveCoupon(coupon) && coupon.status === 'ISSUED' && coupon.expiresAt <= now) {
      // finishReturn frees the slot as one of its steps.
      if ((await expireCoupon(ctx, coupon.code, SYSTEM.claim)).expired) freed++;
      continue;
    }
    if (isLiveCoupon(coupon) && coupon.status !== 'EXPIRED') continue;
    if (coupon === undefined) {
      if (ctx.clock.now() - Date.parse(slot.claimedAt) <= ctx.options.claimGraceMs) continue;
      if (!(await voidCode(ctx, slot.code, deal.dealId, slot.viewerId))) continue;
    }
    if (await ctx.store.freeSlot(deal.dealId, slot.viewerId, slot.slot, slot.code)) freed++;
  }
  return freed;
};

/** Frees every slot of the viewer that still names `code`. */
export const freeSlotsHolding = async (
  ctx: Context,
  dealId: string,
  viewerId: string,
  code: string,
): Promise<number> => {
  let freed = 0;
  for (const slot of await ctx.store.querySlots(dealId, viewerId)) {
    if (slot.code === code && (await ctx.store.freeSlot(dealId, viewerId, slot.slot, code))) freed++;
  }
  return freed;
};
