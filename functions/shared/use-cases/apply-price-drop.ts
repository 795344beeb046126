import { auditItem } from '../data/audit.js';
import type { DealItem } from '../data/deal.js';
import type { PriceDropItem } from '../data/price-drop.js';
import { effectiveStatus, RESTOCKABLE } from '../domain/deal.js';
import { PriceDropNotFound } from '../domain/errors.js';
import type { DropOutcome, PriceDropView } from '../domain/schemas.js';
import { announce } from './announce.js';
import { type Context, nowIso } from './context.js';
import { toPriceDropView } from './price-drops.js';
import { applyRestock, mirrorToShards } from './shard-sync.js';

const EARLY_FIRING_TOLERANCE_MS = 60_000;

/**
 * The schedule fired (or the sweep found it overdue): the new price applies to each deal exactly once,
 * whatever redeliveries or late firings happen. Ended deals are skipped; a price stays within
 * 1..listPrice; coupons already claimed keep the price they were claimed at.
 */
export const applyPriceDrop = async (
  ctx: Context,
  galaId: string,
  dropId: string,
): Promise<PriceDropView> => {
  const scheduled = await ctx.store.getPriceDrop(galaId, dropId);
  if (!scheduled) throw new PriceDropNotFound(galaId, dropId);
  // Scheduler's precision is a minute, and a wall time in the hour a DST change repeats is ambiguous: a
  // firing more than a minute early is ignored, and the sweep applies the drop once it is overdue.
  if (ctx.clock.now() < Date.parse(scheduled.at) - EARLY_FIRING_TOLERANCE_MS) {
    ctx.logger.error('price drop fired early; left for the sweep', { galaId, dropId, at: scheduled.at });
    return toPriceDropView(scheduled);
  }
  const fired = await ctx.store.markPriceDropFired(galaId, dropId, nowIso(ctx));
  if (!fired) {
    const drop = await ctx.store.getPriceDrop(galaId, dropId);
    if (!drop) throw new PriceDropNotFound(galaId, dropId);
    return toPriceDropView(drop);
  }
  const dealIds = fired.dealIds ?? (await ctx.store.listGalaDeals(galaId));
  for (const dealId of dealIds) {
    const result = await applyDropToDeal(ctx, fired, dealId);
    await ctx.store.recordPriceDropResult(galaId, dropId, dealId, result);
    ctx.seam('drop.deal');
  }
  const applied = await ctx.store.closePriceDrop(galaId, dropId, 'APPLIED', nowIso(ctx));
  ctx.seam('drop.applied');
  return toPriceDropView(applied ?? ((await ctx.store.getPriceDrop(galaId, dropId)) as PriceDropItem));
};

/** 1. the deal's new price (once per drop)  2. its shards  3. the drop's wave of units  4. the record. */
const applyDropToDeal = async (ctx: Context, drop: PriceDropItem, dealId: string): Promise<DropOutcome> => {
  for (let round = 0; round < 3; round++) {
    const deal = await ctx.store.getDeal(dealId);
    if (!deal) return { outcome: 'NOT_FOUND' };
    if (deal.galaId !== drop.galaId) return { outcome: 'SKIPPED_NOT_IN_GALA' };
    const already = deal.appliedDrops?.[drop.dropId];
    if (already !== undefined) {
      // Applied by an earlier firing that died before recording it: finish what it may have left.
      await mirrorToShards(ctx, deal);
      await dropWave(ctx, deal, drop);
      // The price this drop replaced: the point before the drop's own (other prices may have followed it).
      const history = deal.priceHistory ?? [];
      const own = history.findIndex((point) => point.dropId === drop.dropId);
      const previous = history[(own === -1 ? history.length - 1 : own) - 1]?.price;
      await ctx.store.putAudit(dropRecord(drop, deal, previous, already));
      return {
        outcome: 'APPLIED',
        dealPrice: already,
        ...(previous === undefined ? {} : { previousPrice: previous }),
      };
    }
    if (effectiveStatus(deal.status, deal.endsAt, nowIso(ctx)) === 'ENDED')
      return { outcome: 'SKIPPED_ENDED' };
    const wanted =
      drop.dealPrice !== undefined
        ? drop.dealPrice
        : Math.round((deal.dealPrice * (100 - (drop.percentOff ?? 0))) / 100);
    const price = Math.min(deal.listPrice, Math.max(1, wanted));
    const now = nowIso(ctx);
    const updated = await ctx.store.applyDealPrice(dealId, {
      dropId: drop.dropId,
      from: deal.dealPrice,
      to: price,
      nowIso: now,
    });
    if (!updated) continue;
    ctx.seam('drop.price');
    await mirrorToShards(ctx, updated);
    ctx.facts.forget(dealId);
    ctx.liveCache.delete(dealId);
    await dropWave(ctx, updated, drop);
    await ctx.store.putAudit(dropRecord(drop, deal, deal.dealPrice, price));
    await announce(ctx, [
      {
        detailType: 'Price Dropped',
        detail: {
          dealId,
          streamId: deal.streamId,
          at: now,
          dropId: drop.dropId,
          galaId: drop.galaId,
          previousPrice: deal.dealPrice,
          dealPrice: price,
          currency: deal.currency,
        },
      },
    ]);
    return { outcome: 'APPLIED', previousPrice: deal.dealPrice, dealPrice: price };
  }
  throw new Error(`price drop ${drop.dropId} kept racing on deal ${dealId}`);
};

const dropRecord = (drop: PriceDropItem, deal: DealItem, from: number | undefined, to: number) =>
  auditItem({
    bucket: 'deal',
    dealId: deal.dealId,
    recordId: `DROP#${drop.dropId}`,
    // firedAt is written once, so every firing of this drop keys the same record.
    at: drop.firedAt ?? drop.at,
    action: 'deal.price-dropped',
    actor: { kind: 'system', id: `gala:${drop.galaId}` },
    dropId: drop.dropId,
    before: from === undefined ? null : { dealPrice: from },
    after: {
      dealPrice: to,
      scheduledBy: drop.createdBy,
      ...(drop.stock === undefined ? {} : { stock: drop.stock }),
    },
  });

/** A drop's new wave of units, as a restock keyed by the drop's id (so it lands once), while it can sell. */
const dropWave = async (ctx: Context, deal: DealItem, drop: PriceDropItem): Promise<void> => {
  if (drop.stock === undefined || !RESTOCKABLE.includes(deal.status)) return;
  const stamp = { id: drop.dropId, at: drop.at };
  const accepted = await ctx.store.acceptRestock(deal.dealId, drop.stock, RESTOCKABLE, nowIso(ctx), stamp);
  const pending = (accepted ?? (await ctx.store.getDeal(deal.dealId)))?.pendingRestocks?.[drop.dropId];
  if (pending !== undefined) await applyRestock(ctx, accepted ?? deal, drop.dropId, pending);
};
