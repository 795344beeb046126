import { type AnyCouponItem, type CouponItem, isLiveCoupon, isTallyPending } from '../data/coupon.js';
import type { DealItem } from '../data/deal.js';
import { keyString } from '../data/key.js';
import type { TallyItem } from '../data/tally.js';
import { orphanedTicket, type TicketItem } from '../data/ticket.js';
import { stockReturned } from './announce.js';
import { claimRecord } from './audit-records.js';
import { type Context, nowIso } from './context.js';
import { absorbReturns, returnUnit } from './return-unit.js';
import type { SweepReport } from './types.js';
import { freeSlotsHolding } from './viewer-slots.js';
import { voidCode } from './void-code.js';

/**
 * Checks every ticket of a shard above its watermark. A ticket is settled when its coupon exists, or when
 * its unit went back. Tickets nobody owns after claimGraceMs are taken over (ORPHANED) and returned; that
 * write is conditional, so a claimer still alive loses cleanly instead of double-holding the unit.
 * Returns true when the shard has nothing in flight.
 */
export const reconcileShard = async (
  ctx: Context,
  deal: DealItem,
  k: number,
  report: SweepReport,
): Promise<boolean> => {
  const shard = await ctx.store.getShard(deal.dealId, k);
  if (!shard) return true;
  const now = ctx.clock.now();
  const graceCutoff = now - ctx.options.claimGraceMs;
  const snapshotMature = shard.snapAt > 0 && shard.snapAt <= graceCutoff;
  const from = shard.checkedThrough;
  const to = Math.min(shard.issued, from + ctx.options.reconcileBatch);
  const seqs = Array.from({ length: to - from }, (_, i) => from + 1 + i);
  const tickets = await ctx.store.getTickets(deal.dealId, k, seqs);
  const coupons = await ctx.store.getCoupons(
    [...tickets.values()].flatMap((ticket) => (ticket.code === undefined ? [] : [ticket.code])),
  );

  let checked = from;
  let contiguous = true;
  for (const seq of seqs) {
    const settled = await settleTicket(ctx, deal, k, seq, tickets.get(seq), coupons, {
      canOrphanUnwritten: snapshotMature && seq <= shard.snapIssued,
      graceCutoff,
      report,
    });
    if (settled && contiguous) checked = seq;
    else contiguous = false;
  }
  await backfillClaimRecords(ctx, k, seqs, tickets, coupons, checked);

  const snapshot = shard.snapAt <= graceCutoff ? { issued: shard.issued, at: now } : undefined;
  if (checked !== from || snapshot) {
    await ctx.store.saveReconcileProgress(deal.dealId, k, {
      fromCheckedThrough: from,
      toCheckedThrough: checked,
      ...(snapshot ? { snapshot } : {}),
    });
    ctx.seam('reconcile.progress');
  }

  // Returns a crash left counted on the tally but not absorbed into the shard come back now.
  const tally = await ctx.store.getTally(deal.dealId, k);
  if (tally && tally.returned > (shard.absorbed ?? 0)) {
    await absorbReturns(ctx, deal.dealId, k, tally.returned);
    stockReturned(ctx, deal.dealId);
  }
  if (tally) {
    const prune = await prunableGuards(ctx, deal.dealId, k, tally, now);
    if (prune.returns.length + prune.redemptions.length > 0)
      await ctx.store.pruneTally(deal.dealId, k, prune);
  }
  return checked === shard.issued;
};

/**
 * A claim that died after writing its coupon never wrote its record: before the watermark passes the
 * claim for good, write what is missing (one read per batch when nothing is).
 */
const backfillClaimRecords = async (
  ctx: Context,
  k: number,
  seqs: number[],
  tickets: Map<number, TicketItem>,
  coupons: Map<string, AnyCouponItem>,
  checkedThrough: number,
): Promise<void> => {
  const claimed: CouponItem[] = [];
  for (const seq of seqs) {
    if (seq > checkedThrough) break;
    const code = tickets.get(seq)?.code;
    const coupon = code === undefined ? undefined : coupons.get(code);
    if (isLiveCoupon(coupon) && coupon.shard === k && coupon.seq === seq) claimed.push(coupon);
  }
  if (claimed.length === 0) return;
  const records = claimed.map((coupon) => claimRecord(coupon, { kind: 'viewer', id: coupon.viewerId }));
  const existing = await ctx.store.existingAudits(records);
  for (const record of records) {
    if (!existing.has(keyString(record))) await ctx.store.putAudit(record);
  }
};

/**
 * Takes over the units of `seqs` that have no ticket (a claim's lost take left them, see lost-take.ts) and
 * gives each back exactly once, as the reconciler would after the grace. The takeover is the arbiter's
 * put-if-absent, so a claim still alive that took one of them loses cleanly (its ticket write is refused, it
 * frees its slot and answers an error; nothing was granted). Returns the units given back.
 */
export const settleUnticketed = async (
  ctx: Context,
  deal: DealItem,
  k: number,
  seqs: number[],
): Promise<number> => {
  const tickets = await ctx.store.getTickets(deal.dealId, k, seqs);
  const report = { orphansReturned: 0, slotsFreed: 0 };
  const graceCutoff = ctx.clock.now() - ctx.options.claimGraceMs;
  for (const seq of seqs) {
    if (tickets.has(seq)) continue;
    await settleTicket(ctx, deal, k, seq, undefined, new Map(), {
      canOrphanUnwritten: true,
      graceCutoff,
      report,
    });
  }
  return report.orphansReturned;
};

/** One ticket: owned (its coupon exists), or taken over and its unit given back exactly once. */
const settleTicket = async (
  ctx: Context,
  deal: DealItem,
  k: number,
  seq: number,
  found: TicketItem | undefined,
  coupons: Map<string, AnyCouponItem>,
  context: {
    canOrphanUnwritten: boolean;
    graceCutoff: number;
    report: Pick<SweepReport, 'orphansReturned' | 'slotsFreed'>;
  },
): Promise<boolean> => {
  let ticket = found;
  if (!ticket) {
    if (!context.canOrphanUnwritten) return false;
    // Taken before a snapshot older than claimGraceMs and still unowned: the claimer died holding it.
    const orphan = orphanedTicket({ dealId: deal.dealId, shard: k, seq }, nowIso(ctx));
    if (await ctx.store.putTicket(orphan)) {
      ctx.seam('reconcile.orphan');
      ticket = orphan;
    } else {
      ticket = (await ctx.store.getTickets(deal.dealId, k, [seq])).get(seq);
      if (!ticket) return false;
    }
  }
  if (ticket.state === 'RETURNED') return true;
  if (ticket.state === 'CLAIMED' && ticket.code !== undefined) {
    const code = ticket.code;
    let coupon = coupons.get(code) ?? (await ctx.store.getCoupon(code));
    // Written after the batch read: the claim-record backfill must see it too.
    if (coupon !== undefined) coupons.set(code, coupon);
    if (isLiveCoupon(coupon) && coupon.shard === k && coupon.seq === seq) return true;
    if (coupon === undefined) {
      if (Date.parse(ticket.at) > context.graceCutoff) return false;
      if (!(await voidCode(ctx, code, deal.dealId, ticket.viewerId ?? ''))) return false;
      coupon = await ctx.store.getCoupon(code);
    }
    if (isLiveCoupon(coupon) && coupon.shard === k && coupon.seq === seq) return true;
    // The code is void (or, defensively, owned through another ticket): nobody holds this unit through it.
    if (ticket.viewerId !== undefined && !isLiveCoupon(coupon)) {
      context.report.slotsFreed += await freeSlotsHolding(ctx, deal.dealId, ticket.viewerId, code);
    }
    if (!(await ctx.store.orphanTicket(deal.dealId, k, seq, code))) return false;
    ctx.seam('reconcile.orphan');
  }
  // ORPHANED: give the unit back exactly once, then record that it is back.
  if (await returnUnit(ctx, deal.dealId, k, seq)) context.report.orphansReturned++;
  ctx.seam('reconcile.unit');
  stockReturned(ctx, deal.dealId);
  await ctx.store.markTicketReturned(deal.dealId, k, seq, nowIso(ctx));
  ctx.seam('reconcile.returned');
  return true;
};

/**
 * Tally guard entries nobody can still retry, so the tally stays small. A return's (`r`) once old enough that no
 * return can still be in flight AND its record says RETURNED. A redemption's (`d`) once its coupon's steps are all
 * counted (not REDEEMING) and its latest step is as old: a later step counts from a missing entry correctly,
 * since steps are counted in order.
 */
const prunableGuards = async (
  ctx: Context,
  dealId: string,
  k: number,
  tally: TallyItem,
  now: number,
): Promise<{ returns: number[]; redemptions: number[] }> => {
  const horizon = now - ctx.options.returnPruneGraceMs;
  const oldReturns = Object.entries(tally.r ?? {})
    .filter(([, at]) => at <= horizon)
    .map(([seq]) => Number(seq));
  const redemptions = Object.keys(tally.d ?? {}).map(Number);
  if (oldReturns.length + redemptions.length === 0) return { returns: [], redemptions: [] };
  const tickets = await ctx.store.getTickets(dealId, k, [...new Set([...oldReturns, ...redemptions])]);
  const coupons = await ctx.store.getCoupons(
    [...tickets.values()].flatMap((ticket) =>
      ticket.state === 'CLAIMED' && ticket.code ? [ticket.code] : [],
    ),
  );
  const couponOf = (seq: number) => {
    const code = tickets.get(seq)?.code;
    const coupon = code === undefined ? undefined : coupons.get(code);
    return isLiveCoupon(coupon) && coupon.shard === k && coupon.seq === seq ? coupon : undefined;
  };
  return {
    returns: oldReturns.filter((seq) => {
      const ticket = tickets.get(seq);
      if (!ticket) return false;
      if (ticket.state === 'RETURNED') return true;
      return couponOf(seq)?.unit === 'RETURNED';
    }),
    redemptions: redemptions.filter((seq) => {
      const coupon = couponOf(seq);
      if (!coupon || isTallyPending(coupon)) return false;
      const latest = [coupon.redeemedAt, coupon.releasedAt].filter((at) => at !== undefined).map(Date.parse);
      return latest.length > 0 && Math.max(...latest) <= horizon;
    }),
  };
};
