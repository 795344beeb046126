import { type CouponItem, isLiveCoupon, newCouponItem } from '../data/coupon.js';
import type { DealItem } from '../data/deal.js';
import { claimedTicket, type TicketItem } from '../data/ticket.js';
import { idempotencyItem, slotItem } from '../data/viewer.js';
import { iso } from '../domain/clock.js';
import { generateCode } from '../domain/code.js';
import { effectiveStatus } from '../domain/deal.js';
import {
  ClaimAbandoned,
  ClaimInProgress,
  DealNotLive,
  DomainError,
  LimitReached,
  SoldOut,
} from '../domain/errors.js';
import type { CouponView } from '../domain/schemas.js';
import { newUlid } from '../domain/ulid.js';
import { announce, couponClaimed } from './announce.js';
import { type Attempt, awaitEarlierAttempt, settleFailedAttempt } from './claim-retry.js';
import { type Context, nowIso } from './context.js';
import { suspectLostTake } from './lost-take.js';
import { dealConfig } from './read-deals.js';
import type { ClaimResult } from './types.js';
import { repairSlots } from './viewer-slots.js';
import { toCouponView } from './views.js';

/**
 * A viewer claims a coupon. What a granted claim costs the store, in order (4 calls; 5 with a key):
 *   1. its Idempotency-Key record, when the request carries one (same key, same coupon)
 *   2. a viewer slot, the lowest free of 1..perViewerLimit (the slot keys are the per-viewer limit)
 *   3. one unit off a shard (the conditional decrement; `issued` is the ticket: exact stock)
 *   4. the ticket, naming the coupon's code (the arbiter against the reconciler: crash recovery)
 *   5. the coupon (the viewer's proof; its code is its key), then its event (not a store call)
 * Its audit record is written by the sweep's reconcile, which passes every claim's ticket (announce.ts).
 * Every write is single-item and conditional, and no read precedes them: a slot is put blind, and only a
 * refused one is looked at. The claims-per-viewer rate limit counts only claims that won no new coupon
 * (rate-limits.ts), so a grant writes no window. A crash between any two writes is repaired by the sweep's
 * reconcile (a unit with no coupon goes back, a slot holding nothing is freed); a lost answer is settled here.
 */
export const claim = async (
  ctx: Context,
  dealId: string,
  viewerId: string,
  idempotencyKey?: string,
): Promise<ClaimResult> => {
  const deal = await dealConfig(ctx, dealId);
  await recheckSoldOut(ctx, deal);
  await recheckNotLive(ctx, deal);
  if (ctx.facts.refusal(dealId)) {
    if (idempotencyKey !== undefined) {
      // Sold out or not live, but a retry must still get the coupon its first attempt won: reads, no write.
      const record = await ctx.store.getIdempotency(dealId, viewerId, idempotencyKey);
      const earlier = record
        ? await awaitEarlierAttempt(ctx, deal, viewerId, idempotencyKey, record)
        : undefined;
      if (earlier) return { coupon: earlier, replayed: true };
    }
    // Refusals from this container's facts cost the store nothing (a replay here, a read), and are not counted.
    refuseOnFacts(ctx, dealId);
  }
  const admitted = await ctx.claimWatch.admit(viewerId);
  const reached = { store: false };
  try {
    const result = await claimWith(ctx, deal, viewerId, idempotencyKey, reached);
    if (result.replayed) await ctx.claimWatch.missed(viewerId, admitted.counted);
    return result;
  } catch (error) {
    // Sold out and not live say what the deal is, not what the viewer does: each container learns them once.
    const stockState = error instanceof SoldOut || error instanceof DealNotLive;
    if (reached.store && !stockState) await ctx.claimWatch.missed(viewerId, admitted.counted);
    throw error;
  }
};

const claimWith = async (
  ctx: Context,
  deal: DealItem,
  viewerId: string,
  idempotencyKey: string | undefined,
  reached: { store: boolean },
): Promise<ClaimResult> => {
  const dealId = deal.dealId;
  if (idempotencyKey === undefined) {
    return { coupon: await claimOnce(ctx, deal, viewerId, newAttempt(ctx), reached), replayed: false };
  }
  for (let round = 0; round < IDEMPOTENT_ROUNDS; round++) {
    const attempt = newAttempt(ctx);
    const record = idempotencyItem({ dealId, viewerId, ...attempt }, idempotencyKey, nowIso(ctx));
    reached.store = true;
    const put = await ctx.store.putIdempotency(record).catch(async (error: unknown) => {
      // A lost answer: the record may be ours, and would hold the key for the claim grace. Read it back.
      const stored = await ctx.store.getIdempotency(dealId, viewerId, idempotencyKey).catch(() => undefined);
      if (stored?.code === attempt.code) return { recorded: true } as const;
      throw error;
    });
    // The SDK repeats a put whose answer was lost, and the repeat is refused by the first: that record is ours.
    const held = 'refused' in put ? put.refused : undefined;
    if (!('refused' in put) || held?.code === attempt.code) {
      ctx.seam('claim.idempotency');
      try {
        return { coupon: await claimOnce(ctx, deal, viewerId, attempt, reached), replayed: false };
      } catch (error) {
        // Refusals are not replayed: a retry with this key runs afresh (and may find stock by then).
        if (error instanceof DomainError) {
          await ctx.store.dropIdempotency(dealId, viewerId, idempotencyKey, attempt.code);
          throw error;
        }
        // A lost answer (timeout, reset) leaves the outcome unknown: the coupon may have been written.
        const written = await settleFailedAttempt(ctx, deal, viewerId, idempotencyKey, attempt).catch(
          () => undefined,
        );
        if (written) return { coupon: written, replayed: false };
        throw error;
      }
    }
    const earlier = await awaitEarlierAttempt(ctx, deal, viewerId, idempotencyKey, held);
    if (earlier) return { coupon: earlier, replayed: true };
  }
  throw new ClaimInProgress();
};

const IDEMPOTENT_ROUNDS = 3;

const newAttempt = (ctx: Context): Attempt => ({ code: generateCode(), couponId: newUlid(ctx.clock.now()) });

/** Slot, unit, ticket, coupon: writes 2 to 5 of a claim. */
const claimOnce = async (
  ctx: Context,
  deal: DealItem,
  viewerId: string,
  attempt: Attempt,
  reached: { store: boolean },
): Promise<CouponView> => {
  const slot = await reserveSlot(ctx, deal, viewerId, attempt, reached);
  ctx.seam('claim.slot');
  let unit: { shard: number; seq: number; dealPrice: number };
  try {
    refuseOnFacts(ctx, deal.dealId);
    unit = await takeUnit(ctx, deal);
  } catch (error) {
    await ctx.store.freeSlot(deal.dealId, viewerId, slot, attempt.code);
    ctx.seam('claim.slot-freed');
    throw error;
  }
  ctx.seam('claim.unit');
  const now = ctx.clock.now();
  const issuedAt = iso(now);
  const ticket = claimedTicket(
    { dealId: deal.dealId, shard: unit.shard, seq: unit.seq },
    { code: attempt.code, viewerId, at: issuedAt },
  );
  if (!(await ctx.store.putTicket(ticket)) && !(await ticketIsOurs(ctx, ticket))) {
    // The reconciler took this unit over because the claim outlived claimGraceMs; it returns the unit.
    await ctx.store.freeSlot(deal.dealId, viewerId, slot, attempt.code);
    throw new ClaimAbandoned(
      `claim abandoned: ticket ${unit.shard}/${unit.seq} was taken over by the reconciler`,
    );
  }
  ctx.seam('claim.ticket');
  const coupon = newCouponItem({
    couponId: attempt.couponId,
    code: attempt.code,
    dealId: deal.dealId,
    streamId: deal.streamId,
    viewerId,
    shard: unit.shard,
    seq: unit.seq,
    slot,
    issuedAt,
    expiresAt: iso(now + deal.claimTtlSeconds * 1000),
    dealPrice: unit.dealPrice,
    listPrice: deal.listPrice,
    currency: deal.currency,
  });
  if (!(await ctx.store.putCoupon(coupon)) && !(await couponIsOurs(ctx, coupon))) {
    // A repair voided this code because the claim outlived claimGraceMs; the reconciler returns the unit.
    throw new ClaimAbandoned(`claim abandoned: code of ticket ${unit.shard}/${unit.seq} was voided`);
  }
  ctx.seam('claim.coupon');
  await couponClaimed(ctx, deal, coupon);
  return toCouponView(coupon, issuedAt);
};

/**
 * A put-if-absent refused may have been refused by this very claim: the SDK repeats a write whose answer was
 * lost, and the repeat finds the first one. The item names this attempt's code (or coupon id) exactly then.
 */
const ticketIsOurs = async (ctx: Context, ticket: TicketItem): Promise<boolean> => {
  const stored = (await ctx.store.getTickets(ticket.dealId, ticket.shard, [ticket.seq])).get(ticket.seq);
  return stored?.state === 'CLAIMED' && stored.code === ticket.code;
};

const couponIsOurs = async (ctx: Context, coupon: CouponItem): Promise<boolean> => {
  const stored = await ctx.store.getCoupon(coupon.code);
  return isLiveCoupon(stored) && stored.couponId === coupon.couponId;
};

/**
 * Puts the attempt in the lowest free slot 1..perViewerLimit; the slot keys themselves are the limit. Slots
 * are put blind, lowest first (a viewer's first claim, the rush's common case, costs one write and no read);
 * only when every slot refuses are they read, to free those that hold nothing any more.
 */
const reserveSlot = async (
  ctx: Context,
  deal: DealItem,
  viewerId: string,
  attempt: Attempt,
  reached: { store: boolean },
): Promise<number> => {
  const limit = deal.perViewerLimit;
  const claimant = { dealId: deal.dealId, viewerId, ...attempt };
  for (let round = 0; round <= limit; round++) {
    for (let n = 1; n <= limit; n++) {
      // The deal may have sold out while this claim queued; refusing now saves the slot write and its undo.
      refuseOnFacts(ctx, deal.dealId);
      reached.store = true;
      if (await ctx.store.putSlot(slotItem(claimant, n, nowIso(ctx)))) return n;
    }
    const slots = await ctx.store.querySlots(deal.dealId, viewerId);
    // The SDK repeats a put whose answer was lost, and the repeat is refused by the first: that slot is ours.
    const ours = slots.find((held) => held.code === attempt.code);
    if (ours) return ours.slot;
    if (slots.length < limit) continue;
    if ((await repairSlots(ctx, deal, slots)) === 0) throw new LimitReached(limit);
  }
  throw new LimitReached(limit);
};

/**
 * Takes one unit from a shard. Shards known empty in this container are skipped and the rest tried in a
 * random order; facts are re-read before every probe, so once one claim learns a shard is empty (or the
 * deal sold out) the claims in flight beside it stop probing there. A nearly empty deal therefore does not
 * make every claim walk all K shards.
 */
const takeUnit = async (
  ctx: Context,
  deal: DealItem,
): Promise<{ shard: number; seq: number; dealPrice: number }> => {
  const now = nowIso(ctx);
  const tried = new Set<number>();
  let fault: unknown;
  for (;;) {
    refuseOnFacts(ctx, deal.dealId);
    const k = ctx.facts.pickShard(deal.dealId, deal.shardCount, tried);
    if (k === undefined) break;
    tried.add(k);
    let result: Awaited<ReturnType<typeof ctx.store.takeUnit>>;
    try {
      result = await ctx.store.takeUnit(deal.dealId, k, now);
    } catch (error) {
      // A throttled (or unanswered) shard says nothing about the others: try them before answering. A unit
      // the lost answer may have taken has no ticket: settled early (lost-take.ts).
      fault = error;
      suspectLostTake(ctx, deal, k);
      continue;
    }
    if ((result.attempts ?? 1) > 1) {
      // An earlier send may have landed: its unit is below the one this answer names.
      const issued = 'taken' in result ? result.taken.issued - 1 : result.refused?.issued;
      suspectLostTake(ctx, deal, k, issued);
    }
    if ('taken' in result) {
      // Should this be the shard's last unit, no claim of this container need probe it to learn that.
      ctx.facts.sawShard(deal.dealId, k, result.taken.available);
      return { shard: k, seq: result.taken.issued, dealPrice: result.taken.dealPrice };
    }
    if (ctx.facts.isShardEmpty(deal.dealId, k)) continue;
    const shard = result.refused ?? (await ctx.store.getShard(deal.dealId, k));
    if (!shard) continue;
    const status = effectiveStatus(shard.status, shard.endsAt, now);
    if (status !== 'LIVE') {
      ctx.facts.notLive(deal.dealId, status);
      throw new DealNotLive(deal.dealId, status);
    }
    if (shard.available <= 0) {
      ctx.facts.shardEmpty(deal.dealId, k);
      if (deal.shardCount - tried.size > 1) await lookForDryShards(ctx, deal, now);
    }
  }
  // Not sold out: some shard could not be asked. The store's fault, answered as such (503, retry).
  if (fault !== undefined) throw fault;
  ctx.facts.soldOut(deal.dealId);
  if (!ctx.soldOutAnnounced.has(deal.dealId)) {
    ctx.soldOutAnnounced.add(deal.dealId);
    await announce(
      ctx,
      [{ detailType: 'Deal Sold Out', detail: { dealId: deal.dealId, streamId: deal.streamId, at: now } }],
      [deal],
    );
  }
  throw new SoldOut(deal.dealId);
};

/**
 * Random picks drain the shards together, so one found dry says others may be too. One read of all of them
 * (shared by this container's claims) then marks every dry one, instead of this claim and the next ones probing
 * each with a write refused on its hot key: a container learns a draining deal in two calls, not K. Only LIVE
 * shards are marked (a probe still tells a claim the deal is not live), and a failed read only costs the probes.
 */
const lookForDryShards = async (ctx: Context, deal: DealItem, now: string): Promise<void> => {
  const key = `dry:${deal.dealId}`;
  let look = ctx.rechecks.get(key);
  if (!look) {
    look = ctx.store
      .getShards(deal.dealId, deal.shardCount)
      .then((shards) => {
        for (const shard of shards) {
          const live = effectiveStatus(shard.status, shard.endsAt, now) === 'LIVE';
          if (live) ctx.facts.sawShard(deal.dealId, shard.shard, shard.available);
        }
      })
      .catch(() => {})
      .finally(() => ctx.rechecks.delete(key));
    ctx.rechecks.set(key, look);
  }
  await look;
};

const refuseOnFacts = (ctx: Context, dealId: string): void => {
  const refusal = ctx.facts.refusal(dealId);
  if (refusal?.kind === 'SOLD_OUT') throw new SoldOut(dealId);
  if (refusal?.kind === 'NOT_LIVE') throw new DealNotLive(dealId, refusal.status);
};

/**
 * After a sell-out, once the fact lapses, one look at all shards (a single read, shared by every claim of
 * this container that arrives meanwhile) decides: sold out again, or units are back and claims go on.
 * Probing the shards with conditional writes instead would spend write units on the hot shard keys.
 */
const recheckSoldOut = async (ctx: Context, deal: DealItem): Promise<void> => {
  if (!ctx.facts.recheckDue(deal.dealId)) return;
  let recheck = ctx.rechecks.get(deal.dealId);
  if (!recheck) {
    recheck = lookAtShards(ctx, deal).finally(() => ctx.rechecks.delete(deal.dealId));
    ctx.rechecks.set(deal.dealId, recheck);
  }
  await recheck;
};

/**
 * "Not live" is only trusted while it cannot have changed: an ENDED deal stays ended, but a SCHEDULED or
 * PAUSED one turns LIVE the moment a start or resume cue is answered, in any container. So before refusing
 * on such a fact, one read of a shard (shared by the claims of this container that arrive meanwhile) checks.
 * A cue is answered only once every shard carries it, so any one shard tells.
 */
const recheckNotLive = async (ctx: Context, deal: DealItem): Promise<void> => {
  const refusal = ctx.facts.refusal(deal.dealId);
  if (refusal?.kind !== 'NOT_LIVE' || refusal.status === 'ENDED') return;
  const key = `live:${deal.dealId}`;
  let recheck = ctx.rechecks.get(key);
  if (!recheck) {
    recheck = (async () => {
      const shard = await ctx.store.getShard(deal.dealId, Math.floor(Math.random() * deal.shardCount));
      const status = shard ? effectiveStatus(shard.status, shard.endsAt, nowIso(ctx)) : 'ENDED';
      if (status === 'LIVE') ctx.facts.forget(deal.dealId);
      else ctx.facts.notLive(deal.dealId, status);
    })().finally(() => ctx.rechecks.delete(key));
    ctx.rechecks.set(key, recheck);
  }
  await recheck;
};

const lookAtShards = async (ctx: Context, deal: DealItem): Promise<void> => {
  const shards = await ctx.store.getShards(deal.dealId, deal.shardCount);
  const now = nowIso(ctx);
  const open = shards.filter((shard) => effectiveStatus(shard.status, shard.endsAt, now) === 'LIVE');
  if (open.length === 0) {
    ctx.facts.notLive(deal.dealId, effectiveStatus(shards[0]?.status ?? 'ENDED', shards[0]?.endsAt, now));
    ctx.facts.soldOut(deal.dealId);
    return;
  }
  if (open.every((shard) => shard.available <= 0)) {
    ctx.facts.soldOut(deal.dealId);
    return;
  }
  ctx.facts.reopen(
    deal.dealId,
    shards.filter((shard) => shard.available <= 0).map((shard) => shard.shard),
  );
};
