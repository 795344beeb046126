import { isLiveCoupon } from '../data/coupon.js';
import type { DealItem } from '../data/deal.js';
import { iso } from '../domain/clock.js';
import { effectiveStatus } from '../domain/deal.js';
import { announce, statusEvent } from './announce.js';
import { applyPriceDrop } from './apply-price-drop.js';
import { endRecord } from './audit-records.js';
import { type Context, nowIso } from './context.js';
import { settleTally } from './count-redemption.js';
import { reconcileShard } from './reconcile.js';
import { expireCoupon, finishReturn } from './return-unit.js';
import { applyRestock, mirrorToShards } from './shard-sync.js';
import type { SweepReport } from './types.js';

/** A drop still SCHEDULED this long after its instant has lost its schedule; the sweep applies it. */
const DROP_OVERDUE_MS = 60_000;

const emptyReport = (): SweepReport => ({
  deals: 0,
  expired: 0,
  unitsReturned: 0,
  orphansReturned: 0,
  slotsFreed: 0,
  dealsEnded: 0,
  dealsSettled: 0,
  dropsApplied: 0,
  errors: 0,
});

/**
 * The scheduled sweep: overdue price drops, then every deal on the sweep's list (a few in parallel). One
 * deal's failure is counted and logged and does not stop the others; the next sweep retries it.
 */
export const sweep = async (ctx: Context): Promise<SweepReport> => {
  const report = emptyReport();
  // Drops whose schedule never fired (lost, or the scheduler was down) apply late rather than never.
  for (const due of await ctx.store.listDuePriceDrops(iso(ctx.clock.now() - DROP_OVERDUE_MS))) {
    try {
      await applyPriceDrop(ctx, due.galaId, due.dropId);
      report.dropsApplied++;
    } catch (error) {
      report.errors++;
      ctx.logger.error('overdue price drop failed', { ...due, error });
    }
  }
  const dealIds = await ctx.store.listSweepDeals();
  let next = 0;
  const worker = async () => {
    while (next < dealIds.length) {
      const dealId = dealIds[next++] as string;
      try {
        await sweepDeal(ctx, dealId, report);
        report.deals++;
      } catch (error) {
        report.errors++;
        ctx.logger.error('sweep of a deal failed', { dealId, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ctx.options.sweepConcurrency, dealIds.length) }, worker));
  return report;
};

/**
 * One deal: 1. end it if its duration ran out  2. converge shard config  3. finish restocks  4. count the
 * redemptions and releases a crash left uncounted  5. expire ISSUED coupons past expiresAt  6. finish half-done
 * returns  7. reconcile tickets  8. settle.
 */
const sweepDeal = async (ctx: Context, dealId: string, report: SweepReport): Promise<void> => {
  let deal = await ctx.store.getDeal(dealId);
  if (!deal) return;
  const epoch = deal.sweepEpoch;
  const now = nowIso(ctx);
  if (effectiveStatus(deal.status, deal.endsAt, now) === 'ENDED' && deal.status !== 'ENDED') {
    const ended = await ctx.store.transitionDeal(dealId, {
      from: ['LIVE', 'PAUSED'],
      to: 'ENDED',
      nowIso: now,
      time: 'onlyIfEndedByTime',
      endedBy: 'time',
    });
    if (ended) {
      ctx.seam('sweep.ended');
      report.dealsEnded++;
      await ctx.store.putAudit(endRecord(ended, deal, nowIso(ctx)));
      deal = ended;
      ctx.facts.forget(dealId);
      await announce(ctx, [statusEvent(ctx, ended, 'end')]);
    }
  } else if (deal.status === 'ENDED' && deal.endedBy !== undefined) {
    // Ended by a sweep or a stream end that may have died before the record: one read while unsettled.
    const record = endRecord(deal, null, nowIso(ctx));
    if ((await ctx.store.existingAudits([record])).size === 0) await ctx.store.putAudit(record);
  }
  const current: DealItem = deal;
  const shards = await ctx.store.getShards(dealId, current.shardCount);
  if (shards.some((shard) => shard.configVersion < current.configVersion)) await mirrorToShards(ctx, current);
  for (const [restockId, quantity] of Object.entries(current.pendingRestocks ?? {})) {
    await applyRestock(ctx, current, restockId, quantity);
  }

  let busy = false;
  const changedBefore = report.unitsReturned + report.orphansReturned;
  // Shards share no item (each has its own tally, tickets and coupons' index partition), so they are swept side
  // by side: a gala deal's thousands of expiries take one shard's time, not the sum of its shards'.
  const sweepShard = async (shard: (typeof shards)[number]) => {
    // Before expiry: a coupon whose release is uncounted cannot expire until it is counted.
    for (const pending of await ctx.store.queryCouponsByPhase(dealId, shard.shard, 'REDEEMING')) {
      const coupon = await ctx.store.getCoupon(pending.code);
      if (isLiveCoupon(coupon)) await settleTally(ctx, coupon);
    }
    for (const coupon of await ctx.store.queryCouponsByPhase(dealId, shard.shard, 'ISSUED', now)) {
      const { expired, returned } = await expireCoupon(ctx, coupon.code);
      if (expired) report.expired++;
      if (returned) report.unitsReturned++;
    }
    for (const stale of await ctx.store.queryCouponsByPhase(dealId, shard.shard, 'RETURNING')) {
      const coupon = await ctx.store.getCoupon(stale.code);
      if (
        isLiveCoupon(coupon) &&
        coupon.unit === 'RETURNING' &&
        (await finishReturn(ctx, coupon, 'expire'))
      ) {
        report.unitsReturned++;
      }
    }
    if (!(await reconcileShard(ctx, current, shard.shard, report))) busy = true;
  };
  // Every shard finishes before a failure is reported, so no shard's work outlives the sweep.
  const failed = (await Promise.allSettled(shards.map(sweepShard))).find(
    (result) => result.status === 'rejected',
  );
  if (failed) throw failed.reason;

  if (changedBefore !== report.unitsReturned + report.orphansReturned) await announce(ctx, [], [current]);
  if (current.status !== 'ENDED' || busy) return;
  await settleIfIdle(ctx, current, epoch, report);
};

/**
 * An ended deal leaves the sweep list only after two sweeps settleDelayMs apart found it idle at the same
 * epoch; the delay outlasts GSI propagation, and a release in between bumps the epoch.
 */
const settleIfIdle = async (
  ctx: Context,
  deal: DealItem,
  epoch: number,
  report: SweepReport,
): Promise<void> => {
  if (Object.keys(deal.pendingRestocks ?? {}).length > 0) return;
  for (let k = 0; k < deal.shardCount; k++) {
    if ((await ctx.store.countCouponsByPhase(deal.dealId, k, 'ISSUED')) > 0) return;
    if ((await ctx.store.countCouponsByPhase(deal.dealId, k, 'RETURNING')) > 0) return;
    if ((await ctx.store.countCouponsByPhase(deal.dealId, k, 'REDEEMING')) > 0) return;
  }
  const now = ctx.clock.now();
  const candidate = deal.settleCandidate;
  if (candidate && candidate.epoch === epoch && now - candidate.at >= ctx.options.settleDelayMs) {
    if (await ctx.store.settleDeal(deal.dealId, epoch)) report.dealsSettled++;
    return;
  }
  if (!candidate || candidate.epoch !== epoch) await ctx.store.markSettleCandidate(deal.dealId, epoch, now);
};
