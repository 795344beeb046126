import { ulid } from 'ulid';
import { GALA_DROP_SCHEDULE_GROUP, GALA_DROP_TARGET } from '../contract/wiring.js';
import type { PriceDropItem } from '../data/items.js';
import {
  type AnyCouponItem,
  type CouponItem,
  type DealItem,
  isLiveCoupon,
  type ShardItem,
  type SlotItem,
  type TicketItem,
} from '../data/items.js';
import { type AuditBucket, gsi, keys } from '../data/keys.js';
import { auditKeyString, type CueStamp, type Store } from '../data/store.js';
import { type Clock, iso } from '../domain/clock.js';
import { generateCode, normalizeCode } from '../domain/code.js';
import {
  distribute,
  effectiveStatus,
  RESTOCKABLE,
  shardCountFor,
  startOvertakenByStreamEnd,
  transitionFor,
} from '../domain/deal.js';
import {
  AlreadyRedeemed,
  ClaimInProgress,
  CouponExpired,
  CouponNotFound,
  CueNotYetApplicable,
  DealNotFound,
  DealNotLive,
  DomainError,
  Forbidden,
  InvalidTransition,
  LimitReached,
  PriceDropNotFound,
  RateLimited,
  SoldOut,
  StaleCue,
  ValidationFailed,
} from '../domain/errors.js';
import type { LivedropEvent } from '../domain/events.js';
import { discardEvents, type EventPublisher, type SchedulerPort, type Seam } from '../domain/ports.js';
import { SCOPES } from '../domain/roles.js';
import type {
  AuditActor,
  CheckoutInput,
  CouponView,
  CreateDealInput,
  CueInput,
  DealView,
  DropOutcome,
  LiveDealView,
  PriceDropInput,
  PriceDropView,
} from '../domain/schemas.js';
import {
  actorOf,
  auditItem,
  claimRecord,
  dealState,
  expiryRecord,
  redeemRecord,
  releaseRecord,
  SYSTEM,
  toAuditView,
} from './audit-records.js';
import { Facts } from './facts.js';
import { DEFAULT_RATE_LIMITS, type RateLimit, type RateLimits, windowOf } from './rate-limits.js';
import type { Actor, AuditPage, ClaimResult, CouponPage, LivedropEngine, SweepReport } from './types.js';
import { toCouponView, toDealView, toLiveDealView } from './views.js';

export interface EngineOptions {
  /**
   * How long a claim may be in flight. Must exceed the claim function's timeout: after it, the reconciler
   * may take over a unit or code the claim left behind (arbiter writes keep even a slower claimer safe).
   */
  claimGraceMs: number;
  /**
   * How long a `returns` entry stays on a shard after its record is RETURNED. Must exceed the longest
   * function timeout (Lambda's maximum is 15 minutes): a return still in flight is never pruned under it.
   */
  returnPruneGraceMs: number;
  /** Two sweeps this far apart must both find an ended deal idle before it leaves the sweep list. */
  settleDelayMs: number;
  /** Lifetime of per-container sold-out / empty-shard / not-live facts. */
  factTtlMs: number;
  /** How long an idempotent retry waits for the first attempt to finish before answering CLAIM_IN_PROGRESS. */
  replayWaitMs: number;
  /** First pause between polls of the earlier attempt; doubles each time. */
  replayPollMs: number;
  /** Deals swept in parallel. */
  sweepConcurrency: number;
  /** Tickets examined per shard per sweep. */
  reconcileBatch: number;
  rateLimits: RateLimits;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  claimGraceMs: 30_000,
  returnPruneGraceMs: 20 * 60_000,
  settleDelayMs: 120_000,
  factTtlMs: 1_000,
  replayWaitMs: 1_500,
  replayPollMs: 25,
  sweepConcurrency: 4,
  reconcileBatch: 1_000,
  rateLimits: DEFAULT_RATE_LIMITS,
};

/** The little the engine logs itself (sweep failures); Powertools' Logger fits. */
export interface EngineLogger {
  error(message: string, extra: Record<string, unknown>): void;
}

export interface EngineDeps {
  store: Store;
  clock: Clock;
  /** Where one-time schedules (gala price drops) go. Required only to schedule or cancel drops. */
  scheduler?: SchedulerPort;
  /** Where the engine's events go; adapters never throw. Default: nowhere. */
  events?: EventPublisher;
  logger?: EngineLogger;
  options?: Partial<Omit<EngineOptions, 'rateLimits'>> & { rateLimits?: Partial<RateLimits> };
  seam?: Seam;
}

interface Attempt {
  code: string;
  couponId: string;
}

interface TakenUnit {
  shard: number;
  seq: number;
  dealPrice: number;
}

const MAX_CACHED_DEALS = 5_000;
const STOCK_EVENT_INTERVAL_MS = 1_000;
const LIVE_VIEW_TTL_MS = 1_000;
/** A drop still SCHEDULED this long after its instant has lost its schedule; the sweep applies it. */
const DROP_OVERDUE_MS = 60_000;
const EARLY_FIRING_TOLERANCE_MS = 60_000;
/** A deal started this long after a Stream End's time belongs to a later broadcast on the channel. */
const STREAM_END_SKEW_MS = 60_000;
const STATUS_EVENTS = {
  start: 'Deal Started',
  pause: 'Deal Paused',
  resume: 'Deal Resumed',
  end: 'Deal Ended',
} as const;
const IDEMPOTENT_ROUNDS = 3;
const RATE_SCOPE_NAMES: Record<string, string> = {
  'CLAIM#VIEWER': 'claims per viewer',
  'CHECKOUT#VIEWER': 'checkout requests per viewer',
  'CHECKOUT#CODE': 'checkout requests per code',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
 * livedrop's use cases. Every operation is a sequence of single-item conditional writes, each idempotent;
 * `seam(step)` runs after each write so tests can crash the sequence there and check that the sweep's
 * reconcile repairs it.
 */
export class Engine implements LivedropEngine {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly options: EngineOptions;
  private readonly seam: Seam;
  private readonly logger: EngineLogger;
  private readonly events: EventPublisher;
  private readonly scheduler: SchedulerPort | undefined;
  private readonly facts: Facts;
  /** When this container last published Deal Stock Changed per deal (coalescing). */
  private readonly stockAnnounced = new Map<string, number>();
  /** Deals this container announced as sold out since their stock last came back. */
  private readonly soldOutAnnounced = new Set<string>();
  /** The immutable part of each deal (limits, shard count, currency) per container; concurrent loads share one read. */
  private readonly dealCache = new Map<string, Promise<DealItem>>();
  private readonly liveCache = new Map<string, { at: number; view: LiveDealView }>();
  /** Shard re-checks in flight per deal, shared by the claims that arrive meanwhile. */
  private readonly rechecks = new Map<string, Promise<void>>();

  constructor(deps: EngineDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.options = {
      ...DEFAULT_ENGINE_OPTIONS,
      ...deps.options,
      rateLimits: { ...DEFAULT_RATE_LIMITS, ...deps.options?.rateLimits },
    };
    this.seam = deps.seam ?? (() => {});
    this.logger = deps.logger ?? { error: (message, extra) => console.error(message, extra) };
    this.events = deps.events ?? discardEvents;
    this.scheduler = deps.scheduler;
    this.facts = new Facts(this.clock, this.options.factTtlMs);
  }

  private nowIso(): string {
    return iso(this.clock.now());
  }

  // ---------------------------------------------------------------- events

  /**
   * Publishes what an operation caused, plus a Deal Stock Changed for each touched deal at most once a second
   * per container (its figures cost a few reads). The publisher never throws.
   */
  private async announce(events: LivedropEvent[], stockOf: readonly DealItem[] = []): Promise<void> {
    // Nothing consumes events without a publisher: skip the figures' reads too.
    if (this.events === discardEvents) return;
    const now = this.clock.now();
    for (const deal of stockOf) {
      if (now - (this.stockAnnounced.get(deal.dealId) ?? 0) < STOCK_EVENT_INTERVAL_MS) continue;
      this.stockAnnounced.set(deal.dealId, now);
      const view = await this.viewOf(deal);
      events.push({
        detailType: 'Deal Stock Changed',
        detail: {
          dealId: deal.dealId,
          streamId: deal.streamId,
          at: iso(now),
          stock: view.stock,
          available: view.available,
          held: view.held,
          redeemed: view.redeemed,
        },
      });
    }
    if (events.length > 0) await this.events.publish(events);
  }

  /** A coupon event; the deal's streamId comes from the per-container deal cache. */
  private async announceCoupon(
    detailType: 'Coupon Redeemed' | 'Coupon Released' | 'Coupon Expired',
    coupon: CouponItem,
    extra: { orderId?: string; status?: 'ISSUED' | 'EXPIRED' },
  ): Promise<void> {
    const deal = await this.dealConfig(coupon.dealId);
    const base = {
      dealId: coupon.dealId,
      streamId: deal.streamId,
      at: this.nowIso(),
      couponId: coupon.couponId,
      viewerId: coupon.viewerId,
    };
    const event: LivedropEvent =
      detailType === 'Coupon Expired'
        ? { detailType, detail: base }
        : detailType === 'Coupon Redeemed'
          ? { detailType, detail: { ...base, orderId: extra.orderId ?? '' } }
          : {
              detailType,
              detail: { ...base, orderId: extra.orderId ?? '', status: extra.status ?? 'ISSUED' },
            };
    await this.announce([event], [deal]);
  }

  /** Stock came back (return, restock): facts about it are stale, and a later sell-out is news again. */
  private stockReturned(dealId: string): void {
    this.facts.forget(dealId);
    this.soldOutAnnounced.delete(dealId);
  }

  // ---------------------------------------------------------------- deals

  async createDeal(input: CreateDealInput, hostId: string): Promise<DealView> {
    // 1. plan shards  2. write every shard  3. write its audit record  4. write the deal (a crash before 4
    // leaves only unreachable items)
    const now = this.clock.now();
    const nowIso = iso(now);
    const dealId = ulid(now);
    const shardCount = shardCountFor(input.stock, input.shards);
    const units = distribute(input.stock, shardCount);
    const shards: ShardItem[] = units.map((quantity, shard) => ({
      ...keys.shard(dealId, shard),
      type: 'SHARD',
      dealId,
      shard,
      available: quantity,
      added: quantity,
      issued: 0,
      returnedCount: 0,
      returns: {},
      restocks: {},
      status: 'SCHEDULED',
      dealPrice: input.dealPrice,
      configVersion: 1,
      checkedThrough: 0,
      snapIssued: 0,
      snapAt: 0,
    }));
    await Promise.all(
      shards.map(async (shard) => {
        await this.store.putShard(shard);
        this.seam('create.shard');
      }),
    );
    if (input.ivsChannelArn !== undefined) {
      await this.store.putChannelDeal(input.ivsChannelArn, dealId);
      this.seam('create.channel');
    }
    const deal: DealItem = {
      ...keys.deal(dealId),
      type: 'DEAL',
      dealId,
      title: input.title,
      sku: input.sku,
      streamId: input.streamId,
      hostId,
      ...(input.galaId === undefined ? {} : { galaId: input.galaId, ...gsi.galaDeals(input.galaId, dealId) }),
      ...(input.ivsChannelArn === undefined ? {} : { ivsChannelArn: input.ivsChannelArn }),
      currency: input.currency,
      listPrice: input.listPrice,
      dealPrice: input.dealPrice,
      perViewerLimit: input.perViewerLimit,
      claimTtlSeconds: input.claimTtlSeconds,
      ...(input.durationSeconds === undefined ? {} : { durationSeconds: input.durationSeconds }),
      shardCount,
      status: 'SCHEDULED',
      configVersion: 1,
      sweepEpoch: 0,
      pendingRestocks: {},
      appliedCues: {},
      appliedDrops: {},
      priceHistory: [{ at: nowIso, price: input.dealPrice }],
      createdAt: nowIso,
      ...gsi.streamDeals(input.streamId, dealId),
      ...gsi.sweepDeal(dealId),
    };
    // The record goes first: a crash before the deal leaves it unreachable like the shards, and a crash
    // after the deal cannot leave a deal without it.
    await this.store.putAudit(
      auditItem({
        bucket: 'deal',
        dealId,
        recordId: 'CREATED',
        at: nowIso,
        action: 'deal.created',
        actor: { kind: 'host', id: hostId },
        before: null,
        after: {
          ...dealState(deal),
          stock: input.stock,
          listPrice: input.listPrice,
          perViewerLimit: input.perViewerLimit,
        },
      }),
    );
    this.seam('create.audit');
    await this.store.putDeal(deal);
    this.seam('create.deal');
    return toDealView(deal, shards, { held: 0, redeemed: 0 }, nowIso);
  }

  async getDeal(dealId: string): Promise<DealView> {
    const deal = await this.store.getDeal(dealId);
    if (!deal) throw new DealNotFound(dealId);
    return this.viewOf(deal);
  }

  private async viewOf(deal: DealItem): Promise<DealView> {
    const shardIds = Array.from({ length: deal.shardCount }, (_, k) => k);
    const [shards, held, redeemed] = await Promise.all([
      this.store.getShards(deal.dealId, deal.shardCount),
      Promise.all(shardIds.map((k) => this.store.countCouponsByPhase(deal.dealId, k, 'ISSUED'))),
      Promise.all(shardIds.map((k) => this.store.countCouponsByPhase(deal.dealId, k, 'REDEEMED'))),
    ]);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    return toDealView(deal, shards, { held: sum(held), redeemed: sum(redeemed) }, this.nowIso());
  }

  /**
   * The overlay's read, polled by every viewer: the deal and its shards only (no counting), kept for a
   * second per container, so a crowd polling costs the store a few reads a second per container.
   */
  async liveDeal(dealId: string): Promise<LiveDealView> {
    const now = this.clock.now();
    const cached = this.liveCache.get(dealId);
    if (cached && now - cached.at < LIVE_VIEW_TTL_MS) return cached.view;
    const deal = await this.store.getDeal(dealId, false);
    if (!deal) throw new DealNotFound(dealId);
    const view = toLiveDealView(deal, await this.store.getShards(dealId, deal.shardCount), iso(now));
    if (this.liveCache.size >= MAX_CACHED_DEALS) this.liveCache.clear();
    this.liveCache.set(dealId, { at: now, view });
    return view;
  }

  /** A stream's current deals (not ENDED), for its overlay, newest first. */
  async streamDeals(streamId: string): Promise<LiveDealView[]> {
    const views = await Promise.all(
      (await this.store.listStreamDeals(streamId)).map((dealId) =>
        this.liveDeal(dealId).catch((error: unknown) => {
          if (error instanceof DealNotFound) return undefined;
          throw error;
        }),
      ),
    );
    return views
      .filter((view): view is LiveDealView => view !== undefined && view.status !== 'ENDED')
      .sort((a, b) => (a.dealId < b.dealId ? 1 : -1));
  }

  /** Immutable deal settings, read once per container; status, endsAt and price are read from shards. */
  private dealConfig(dealId: string): Promise<DealItem> {
    const cached = this.dealCache.get(dealId);
    if (cached) return cached;
    if (this.dealCache.size >= MAX_CACHED_DEALS) this.dealCache.clear();
    const loading = this.store.getDeal(dealId, false).then((deal) => {
      if (!deal) throw new DealNotFound(dealId);
      return deal;
    });
    this.dealCache.set(dealId, loading);
    // A missing deal may be created later, and a failed read may succeed next time: cache only successes.
    loading.catch(() => this.dealCache.delete(dealId));
    return loading;
  }

  async cue(
    dealId: string,
    cue: CueInput & { at?: string },
    actor: Actor,
    origin?: { streamId: string },
  ): Promise<DealView> {
    const deal = await this.store.getDeal(dealId);
    if (!deal) throw new DealNotFound(dealId);
    const isAdmin = actor.scopes.has(SCOPES.admin);
    if (!isAdmin && !(actor.scopes.has(SCOPES.host) && actor.sub === deal.hostId)) {
      throw new Forbidden('Only the deal’s host or an admin may cue it.');
    }
    if (origin && origin.streamId !== deal.streamId) {
      throw new Forbidden(`Deal ${dealId} does not belong to stream ${origin.streamId}.`);
    }
    // A cue from the HTTP route without a cueId is new by definition; its instant is now.
    const stamp: CueStamp = {
      id: cue.cueId ?? ulid(this.clock.now()),
      at: cue.at === undefined ? this.nowIso() : iso(Date.parse(cue.at)),
    };
    const updated =
      cue.action === 'restock'
        ? await this.restock(deal, cue.quantity ?? 0, stamp)
        : cue.action === 'extend'
          ? await this.extend(deal, cue.durationSeconds ?? 0, stamp)
          : await this.changeStatus(deal, cue.action, stamp);
    // A redelivered cue only rewrites a record a crash lost; the state before it is gone by then.
    const replayed = deal.appliedCues?.[stamp.id] !== undefined;
    await this.store.putAudit(
      auditItem({
        bucket: 'deal',
        dealId,
        recordId: `CUE#${stamp.id}`,
        // The instant the cue was applied at, as the deal keeps it: a retry from the HTTP route (no `at`)
        // stamps a new now, which would key a second record of the same cue.
        at: updated.appliedCues?.[stamp.id] ?? stamp.at,
        action: 'deal.cued',
        actor: actorOf(actor, origin === undefined ? undefined : 'studio'),
        cueId: stamp.id,
        before: replayed ? null : dealState(deal),
        after: {
          ...dealState(updated),
          action: cue.action,
          ...(cue.quantity === undefined ? {} : { quantity: cue.quantity }),
          ...(cue.durationSeconds === undefined ? {} : { durationSeconds: cue.durationSeconds }),
        },
      }),
    );
    return this.viewOf(updated);
  }

  /**
   * Why a cue's conditional write was refused. A redelivered cue (its id already applied) changes nothing
   * and answers with the deal as it is, finishing what a crash may have left; a cue older than the last
   * one applied is stale; anything else is a transition the status machine does not allow.
   */
  private async refusedCue(deal: DealItem, action: CueInput['action'], stamp: CueStamp): Promise<DealItem> {
    const current = (await this.store.getDeal(deal.dealId)) ?? deal;
    if (current.appliedCues?.[stamp.id] !== undefined) {
      await this.mirrorToShards(current);
      // A start that found its stream already ended wrote the end too: rewrite its record if a crash lost it.
      if (
        action === 'start' &&
        current.endedBy === 'stream' &&
        startOvertakenByStreamEnd(current.streamEndedAt, stamp.at)
      )
        await this.store.putAudit(this.endRecord(current, null));
      const pending = current.pendingRestocks?.[stamp.id];
      if (pending !== undefined) await this.applyRestock(current, stamp.id, pending);
      return current;
    }
    const ordered = action !== 'restock' && action !== 'extend';
    if (ordered && current.lastCueAt !== undefined && current.lastCueAt > stamp.at) {
      throw new StaleCue(stamp.at, current.lastCueAt);
    }
    const status = effectiveStatus(current.status, current.endsAt, this.nowIso());
    const message = `Cannot ${action} a deal that is ${status}.`;
    // An ended deal stays ended; anything else may become possible once an earlier cue lands.
    if (status === 'ENDED') throw new InvalidTransition(message, { status, action });
    throw new CueNotYetApplicable(message, { status, action });
  }

  private async extend(deal: DealItem, seconds: number, stamp: CueStamp): Promise<DealItem> {
    if (deal.endsAt === undefined) {
      if (deal.appliedCues?.[stamp.id] !== undefined) return deal;
      const message = 'Only a deal with a duration that has started can be extended.';
      const details = { status: effectiveStatus(deal.status, deal.endsAt, this.nowIso()), action: 'extend' };
      // On the bus an extend may overtake the start it follows: thrown back, it is retried after the start.
      if (deal.durationSeconds !== undefined && deal.status === 'SCHEDULED')
        throw new CueNotYetApplicable(message, details);
      throw new InvalidTransition(message, details);
    }
    const updated = await this.store.extendDeal(deal.dealId, {
      fromEndsAt: deal.endsAt,
      toEndsAt: iso(Date.parse(deal.endsAt) + seconds * 1000),
      nowIso: this.nowIso(),
      cue: stamp,
    });
    if (!updated) return this.refusedCue(deal, 'extend', stamp);
    this.seam('cue.deal');
    await this.mirrorToShards(updated);
    this.facts.forget(deal.dealId);
    await this.announce([
      {
        detailType: 'Deal Extended',
        detail: {
          dealId: deal.dealId,
          streamId: deal.streamId,
          at: this.nowIso(),
          endsAt: updated.endsAt ?? '',
          cueId: stamp.id,
        },
      },
    ]);
    return updated;
  }

  async endStream(streamId: string, channelArn?: string, endedAt?: string): Promise<{ ended: string[] }> {
    const ended: string[] = [];
    const dealIds = new Set(await this.store.listStreamDeals(streamId));
    if (channelArn !== undefined)
      for (const dealId of await this.store.listChannelDeals(channelArn)) dealIds.add(dealId);
    // Event times have second precision and another clock: only deals started well after the end are spared.
    const endedAtMs = endedAt === undefined ? Number.NaN : Date.parse(endedAt);
    const startedTooLate = Number.isFinite(endedAtMs) ? iso(endedAtMs + STREAM_END_SKEW_MS) : undefined;
    for (const dealId of dealIds) {
      let deal = await this.store.getDeal(dealId);
      if (!deal) continue;
      if (deal.status === 'SCHEDULED') {
        // A start cue from before this end may still be on its way (overtaken): the deal keeps the instant,
        // and that start then leaves it ENDED, as in time order. A later start (a later broadcast) starts it.
        if (!Number.isFinite(endedAtMs)) continue;
        const streamEndedAt = iso(endedAtMs);
        if (deal.streamEndedAt !== undefined && deal.streamEndedAt >= streamEndedAt) continue;
        if (await this.store.markStreamEnded(dealId, streamEndedAt)) continue;
        // Started meanwhile (or a later end recorded): look again.
        deal = await this.store.getDeal(dealId);
        if (!deal) continue;
      }
      if (deal.status === 'ENDED' && deal.endedBy === 'stream') {
        // A redelivered end: rewrites the record if the first delivery died before it.
        await this.store.putAudit(this.endRecord(deal, null, streamId));
        continue;
      }
      if (deal.status !== 'LIVE' && deal.status !== 'PAUSED') continue;
      // A Stream End delivered late (a retry) may belong to an earlier broadcast on the same channel: a deal
      // started after the stream ended was not live in it.
      if (startedTooLate !== undefined && deal.startedAt !== undefined && deal.startedAt > startedTooLate)
        continue;
      try {
        const updated = await this.changeStatus(deal, 'end', undefined, 'stream');
        ended.push(dealId);
        await this.store.putAudit(this.endRecord(updated, deal, streamId));
      } catch (error) {
        // Ended meanwhile by a cue or the sweep: that is the outcome we wanted.
        if (!(error instanceof InvalidTransition)) throw error;
      }
    }
    return { ended };
  }

  /**
   * The record of a deal ended by its duration or its stream (`ended.endedBy`). `before` is null when a
   * repair writes it: the state before the end is gone by then.
   */
  private endRecord(ended: DealItem, before: DealItem | null, streamId?: string) {
    const byTime = ended.endedBy === 'time';
    return auditItem({
      bucket: 'deal',
      dealId: ended.dealId,
      recordId: byTime ? 'END#TIME' : 'END#STREAM',
      at: ended.endedAt ?? this.nowIso(),
      action: 'deal.ended',
      actor: byTime ? SYSTEM.sweep : SYSTEM.streamEnd,
      before: before === null ? null : dealState(before),
      after: {
        ...dealState(ended),
        ...(byTime
          ? { reason: 'duration ran out' }
          : { reason: 'stream ended', streamId: streamId ?? ended.streamId }),
      },
    });
  }

  private async changeStatus(
    deal: DealItem,
    action: 'start' | 'pause' | 'resume' | 'end',
    stamp?: CueStamp,
    endedBy?: 'stream',
  ): Promise<DealItem> {
    // 1. move the deal's status (the arbiter of the transition)  2. mirror it onto every shard
    const now = this.clock.now();
    const nowIso = iso(now);
    const transition = transitionFor(action);
    const starting = action === 'start';
    // A start overtaken by its stream's end (the cue's instant at or before it): started and ended at once.
    const overtaken =
      starting && stamp !== undefined && startOvertakenByStreamEnd(deal.streamEndedAt, stamp.at);
    const updated = await this.store.transitionDeal(deal.dealId, {
      from: transition.from,
      to: overtaken ? 'ENDED' : transition.to,
      nowIso,
      time: action === 'end' ? 'any' : 'whileRunning',
      ...(starting ? { startedAt: nowIso } : {}),
      ...(starting && !overtaken && deal.durationSeconds !== undefined
        ? { endsAt: iso(now + deal.durationSeconds * 1000) }
        : {}),
      ...(stamp ? { cue: stamp } : {}),
      ...(starting && stamp ? { streamEnd: overtaken ? 'notBeforeCue' : 'beforeCue' } : {}),
      ...(overtaken ? { endedBy: 'stream' as const } : endedBy === undefined ? {} : { endedBy }),
    });
    if (!updated) {
      if (starting && stamp) {
        // A Stream End recorded meanwhile changes which start applies: decide again on the deal as it is.
        const current = await this.store.getDeal(deal.dealId);
        if (
          current?.status === 'SCHEDULED' &&
          current.streamEndedAt !== deal.streamEndedAt &&
          current.appliedCues?.[stamp.id] === undefined
        )
          return this.changeStatus(current, action, stamp, endedBy);
      }
      if (stamp) return this.refusedCue(deal, action, stamp);
      const current = (await this.store.getDeal(deal.dealId)) ?? deal;
      const status = effectiveStatus(current.status, current.endsAt, nowIso);
      throw new InvalidTransition(`Cannot ${action} a deal that is ${status}.`, { status, action });
    }
    this.seam('cue.deal');
    await this.mirrorToShards(updated);
    this.facts.forget(deal.dealId);
    if (overtaken) {
      // What the in-order run publishes and records: the start (LIVE), then the stream's end.
      await this.announce([
        this.statusEvent({ ...updated, status: 'LIVE' }, 'start', stamp?.id),
        this.statusEvent(updated, 'end'),
      ]);
      await this.store.putAudit(this.endRecord(updated, null));
      return updated;
    }
    await this.announce([this.statusEvent(updated, action, stamp?.id)]);
    return updated;
  }

  private statusEvent(
    deal: DealItem,
    action: 'start' | 'pause' | 'resume' | 'end',
    cueId?: string,
  ): LivedropEvent {
    return {
      detailType: STATUS_EVENTS[action],
      detail: {
        dealId: deal.dealId,
        streamId: deal.streamId,
        status: deal.status,
        at: this.nowIso(),
        ...(cueId === undefined ? {} : { cueId }),
      },
    };
  }

  private async mirrorToShards(deal: DealItem): Promise<void> {
    await Promise.all(
      Array.from({ length: deal.shardCount }, async (_, k) => {
        await this.store.mirrorConfig(deal.dealId, k, deal);
        this.seam('cue.shard');
      }),
    );
  }

  private async restock(deal: DealItem, quantity: number, stamp: CueStamp): Promise<DealItem> {
    // 1. record the restock on the deal  2. add each shard's share (once per restockId)  3. clear the record
    const restockId = stamp.id;
    const nowIso = this.nowIso();
    const accepted = await this.store.acceptRestock(deal.dealId, quantity, RESTOCKABLE, nowIso, stamp);
    if (!accepted) return this.refusedCue(deal, 'restock', stamp);
    this.seam('restock.deal');
    await this.applyRestock(accepted, restockId, quantity);
    const { [restockId]: _, ...pendingRestocks } = accepted.pendingRestocks;
    await this.announce(
      [
        {
          detailType: 'Deal Restocked',
          detail: {
            dealId: deal.dealId,
            streamId: deal.streamId,
            at: this.nowIso(),
            quantity,
            cueId: stamp.id,
          },
        },
      ],
      [accepted],
    );
    return { ...accepted, pendingRestocks };
  }

  private async applyRestock(deal: DealItem, restockId: string, quantity: number): Promise<void> {
    const shares = distribute(quantity, deal.shardCount);
    await Promise.all(
      shares.map(async (share, k) => {
        if (share === 0) return;
        await this.store.applyRestock(deal.dealId, k, restockId, share);
        this.seam('restock.shard');
      }),
    );
    await this.store.finishRestock(deal.dealId, restockId);
    this.seam('restock.finished');
    this.stockReturned(deal.dealId);
  }

  // ---------------------------------------------------------------- gala price drops

  private requireScheduler(): SchedulerPort {
    if (!this.scheduler) throw new Error('no scheduler port is configured for gala price drops');
    return this.scheduler;
  }

  /**
   * 1. record the drop (SCHEDULED)  2. create its one-time schedule. Should 2 fail, the drop is cancelled so
   * that the sweep's overdue check cannot fire it either.
   */
  async schedulePriceDrop(galaId: string, input: PriceDropInput, actor: Actor): Promise<PriceDropView> {
    const scheduler = this.requireScheduler();
    const now = this.clock.now();
    const at = iso(Date.parse(input.at));
    if (Date.parse(at) <= now) {
      throw new ValidationFailed([{ field: 'body.at', message: 'Must be in the future.' }]);
    }
    const dropId = ulid(now);
    const item: PriceDropItem = {
      ...keys.priceDrop(galaId, dropId),
      type: 'PRICE_DROP',
      dropId,
      galaId,
      status: 'SCHEDULED',
      at,
      timeZone: input.timeZone,
      ...(input.dealIds === undefined ? {} : { dealIds: input.dealIds }),
      ...(input.dealPrice === undefined ? {} : { dealPrice: input.dealPrice }),
      ...(input.percentOff === undefined ? {} : { percentOff: input.percentOff }),
      ...(input.stock === undefined ? {} : { stock: input.stock }),
      createdAt: iso(now),
      createdBy: actor.sub,
      results: {},
      ...gsi.scheduledDrop(at, galaId, dropId),
    };
    await this.store.putPriceDrop(item);
    this.seam('drop.recorded');
    try {
      await scheduler.scheduleOnce({
        group: GALA_DROP_SCHEDULE_GROUP,
        name: scheduleName(dropId),
        at,
        timeZone: input.timeZone,
        target: GALA_DROP_TARGET,
        input: { galaId, dropId },
      });
    } catch (error) {
      await this.store.closePriceDrop(galaId, dropId, 'CANCELLED', this.nowIso());
      throw error;
    }
    return toPriceDropView(item);
  }

  async listPriceDrops(galaId: string): Promise<PriceDropView[]> {
    return (await this.store.listPriceDrops(galaId)).map(toPriceDropView);
  }

  /** SCHEDULED -> CANCELLED, then the schedule goes; a firing that races the cancel finds it CANCELLED. */
  async cancelPriceDrop(galaId: string, dropId: string): Promise<PriceDropView> {
    let cancelled = await this.store.closePriceDrop(galaId, dropId, 'CANCELLED', this.nowIso());
    if (!cancelled) {
      const drop = await this.store.getPriceDrop(galaId, dropId);
      if (!drop) throw new PriceDropNotFound(galaId, dropId);
      if (drop.status !== 'CANCELLED') {
        throw new InvalidTransition(`Cannot cancel a price drop that is ${drop.status}.`, {
          status: drop.status,
        });
      }
      // A repeated cancel: delete the schedule again, since the first attempt may have died before it did.
      cancelled = drop;
    }
    this.seam('drop.cancelled');
    await this.requireScheduler().cancel(GALA_DROP_SCHEDULE_GROUP, scheduleName(dropId));
    return toPriceDropView(cancelled);
  }

  /**
   * The schedule fired (or the sweep found it overdue): the new price applies to each deal exactly once,
   * whatever redeliveries or late firings happen. Ended deals are skipped; a price stays within
   * 1..listPrice; coupons already claimed keep the price they were claimed at.
   */
  async applyPriceDrop(galaId: string, dropId: string): Promise<PriceDropView> {
    const scheduled = await this.store.getPriceDrop(galaId, dropId);
    if (!scheduled) throw new PriceDropNotFound(galaId, dropId);
    // Scheduler's precision is a minute, and a wall time in the hour a DST change repeats is ambiguous: a
    // firing more than a minute early is ignored, and the sweep applies the drop once it is overdue.
    if (this.clock.now() < Date.parse(scheduled.at) - EARLY_FIRING_TOLERANCE_MS) {
      this.logger.error('price drop fired early; left for the sweep', { galaId, dropId, at: scheduled.at });
      return toPriceDropView(scheduled);
    }
    const fired = await this.store.markPriceDropFired(galaId, dropId, this.nowIso());
    if (!fired) {
      const drop = await this.store.getPriceDrop(galaId, dropId);
      if (!drop) throw new PriceDropNotFound(galaId, dropId);
      return toPriceDropView(drop);
    }
    const dealIds = fired.dealIds ?? (await this.store.listGalaDeals(galaId));
    for (const dealId of dealIds) {
      const result = await this.applyDropToDeal(fired, dealId);
      await this.store.recordPriceDropResult(galaId, dropId, dealId, result);
      this.seam('drop.deal');
    }
    const applied = await this.store.closePriceDrop(galaId, dropId, 'APPLIED', this.nowIso());
    this.seam('drop.applied');
    return toPriceDropView(applied ?? ((await this.store.getPriceDrop(galaId, dropId)) as PriceDropItem));
  }

  private async applyDropToDeal(drop: PriceDropItem, dealId: string): Promise<DropOutcome> {
    for (let round = 0; round < 3; round++) {
      const deal = await this.store.getDeal(dealId);
      if (!deal) return { outcome: 'NOT_FOUND' };
      if (deal.galaId !== drop.galaId) return { outcome: 'SKIPPED_NOT_IN_GALA' };
      const already = deal.appliedDrops?.[drop.dropId];
      if (already !== undefined) {
        // Applied by an earlier firing that died before recording it: finish what it may have left.
        await this.mirrorToShards(deal);
        await this.dropWave(deal, drop);
        // The price this drop replaced: the point before the drop's own (other prices may have followed it).
        const history = deal.priceHistory ?? [];
        const own = history.findIndex((point) => point.dropId === drop.dropId);
        const previous = history[(own === -1 ? history.length - 1 : own) - 1]?.price;
        await this.store.putAudit(this.dropRecord(drop, deal, previous, already));
        return {
          outcome: 'APPLIED',
          dealPrice: already,
          ...(previous === undefined ? {} : { previousPrice: previous }),
        };
      }
      if (effectiveStatus(deal.status, deal.endsAt, this.nowIso()) === 'ENDED')
        return { outcome: 'SKIPPED_ENDED' };
      const wanted =
        drop.dealPrice !== undefined
          ? drop.dealPrice
          : Math.round((deal.dealPrice * (100 - (drop.percentOff ?? 0))) / 100);
      const price = Math.min(deal.listPrice, Math.max(1, wanted));
      const nowIso = this.nowIso();
      const updated = await this.store.applyDealPrice(dealId, {
        dropId: drop.dropId,
        from: deal.dealPrice,
        to: price,
        nowIso,
      });
      if (!updated) continue;
      this.seam('drop.price');
      await this.mirrorToShards(updated);
      this.facts.forget(dealId);
      this.liveCache.delete(dealId);
      await this.dropWave(updated, drop);
      await this.store.putAudit(this.dropRecord(drop, deal, deal.dealPrice, price));
      await this.announce([
        {
          detailType: 'Price Dropped',
          detail: {
            dealId,
            streamId: deal.streamId,
            at: nowIso,
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
  }

  private dropRecord(drop: PriceDropItem, deal: DealItem, from: number | undefined, to: number) {
    return auditItem({
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
  }

  /** A drop's new wave of units, as a restock keyed by the drop's id (so it lands once), while it can sell. */
  private async dropWave(deal: DealItem, drop: PriceDropItem): Promise<void> {
    if (drop.stock === undefined || !RESTOCKABLE.includes(deal.status)) return;
    const stamp = { id: drop.dropId, at: drop.at };
    const accepted = await this.store.acceptRestock(
      deal.dealId,
      drop.stock,
      RESTOCKABLE,
      this.nowIso(),
      stamp,
    );
    const pending = (accepted ?? (await this.store.getDeal(deal.dealId)))?.pendingRestocks?.[drop.dropId];
    if (pending !== undefined) await this.applyRestock(accepted ?? deal, drop.dropId, pending);
  }

  // ---------------------------------------------------------------- claims

  async claim(dealId: string, viewerId: string, idempotencyKey?: string): Promise<ClaimResult> {
    const deal = await this.dealConfig(dealId);
    await this.recheckSoldOut(deal);
    if (idempotencyKey === undefined) {
      this.refuseOnFacts(dealId);
      await this.limit('CLAIM#VIEWER', viewerId, this.options.rateLimits.claimsPerViewer);
      return { coupon: await this.claimOnce(deal, viewerId, this.newAttempt()), replayed: false };
    }
    if (this.facts.refusal(dealId)) {
      // Sold out or not live, but a retry must still get the coupon its first attempt won: one read, no write.
      const earlier = (await this.store.getIdempotency(dealId, viewerId, idempotencyKey))
        ? await this.awaitEarlierAttempt(deal, viewerId, idempotencyKey)
        : undefined;
      if (earlier) return { coupon: earlier, replayed: true };
      this.refuseOnFacts(dealId);
    }
    // Counted only once a claim would reach the store's writes: refusals from facts cost nothing to refuse.
    await this.limit('CLAIM#VIEWER', viewerId, this.options.rateLimits.claimsPerViewer);
    for (let round = 0; round < IDEMPOTENT_ROUNDS; round++) {
      const attempt = this.newAttempt();
      const recorded = await this.store
        .putIdempotency({
          ...keys.idempotency(dealId, viewerId, idempotencyKey),
          type: 'IDEMPOTENCY',
          dealId,
          viewerId,
          idempotencyKey,
          code: attempt.code,
          couponId: attempt.couponId,
          at: this.nowIso(),
        })
        .catch(async (error: unknown) => {
          // A lost answer: the record may be ours, and would hold the key for the claim grace. Read it back.
          const stored = await this.store
            .getIdempotency(dealId, viewerId, idempotencyKey)
            .catch(() => undefined);
          if (stored?.code === attempt.code) return true;
          throw error;
        });
      if (recorded) {
        this.seam('claim.idempotency');
        try {
          return { coupon: await this.claimOnce(deal, viewerId, attempt), replayed: false };
        } catch (error) {
          if (error instanceof InjectedCrash) throw error;
          // Refusals are not replayed: a retry with this key runs afresh (and may find stock by then).
          if (error instanceof DomainError) {
            await this.store.dropIdempotency(dealId, viewerId, idempotencyKey, attempt.code);
            throw error;
          }
          // A lost answer (timeout, reset) leaves the outcome unknown: the coupon may have been written.
          const written = await this.settleFailedAttempt(deal, viewerId, idempotencyKey, attempt).catch(
            () => undefined,
          );
          if (written) return { coupon: written, replayed: false };
          throw error;
        }
      }
      const earlier = await this.awaitEarlierAttempt(deal, viewerId, idempotencyKey);
      if (earlier) return { coupon: earlier, replayed: true };
    }
    throw new ClaimInProgress();
  }

  /**
   * After a sell-out, once the fact lapses, one look at all shards (a single read, shared by every claim of
   * this container that arrives meanwhile) decides: sold out again, or units are back and claims go on.
   * Probing the shards with conditional writes instead would spend write units on the hot shard keys.
   */
  private async recheckSoldOut(deal: DealItem): Promise<void> {
    if (!this.facts.recheckDue(deal.dealId)) return;
    let recheck = this.rechecks.get(deal.dealId);
    if (!recheck) {
      recheck = this.lookAtShards(deal).finally(() => this.rechecks.delete(deal.dealId));
      this.rechecks.set(deal.dealId, recheck);
    }
    await recheck;
  }

  private async lookAtShards(deal: DealItem): Promise<void> {
    const shards = await this.store.getShards(deal.dealId, deal.shardCount);
    const nowIso = this.nowIso();
    const open = shards.filter((shard) => effectiveStatus(shard.status, shard.endsAt, nowIso) === 'LIVE');
    if (open.length === 0) {
      this.facts.notLive(
        deal.dealId,
        effectiveStatus(shards[0]?.status ?? 'ENDED', shards[0]?.endsAt, nowIso),
      );
      this.facts.soldOut(deal.dealId);
      return;
    }
    if (open.every((shard) => shard.available <= 0)) {
      this.facts.soldOut(deal.dealId);
      return;
    }
    this.facts.reopen(
      deal.dealId,
      shards.filter((shard) => shard.available <= 0).map((shard) => shard.shard),
    );
  }

  /** Counts one request against a rate limit kept in the store; RATE_LIMITED once the window is full. */
  private async limit(scope: string, subject: string, limit: RateLimit | null): Promise<void> {
    if (limit === null) return;
    const now = this.clock.now();
    const window = windowOf(limit, now);
    // Kept a window past its end: TTL deletion is lazy, and an early delete would only reset a count.
    const expiresAtEpoch = Math.ceil((window.startMs + 2 * limit.windowSeconds * 1000) / 1000);
    const key = keys.rateWindow(scope, subject, window.startMs);
    if (!(await this.store.countRequest(key, limit.limit, expiresAtEpoch))) {
      throw new RateLimited(window.retryAfterSeconds, { scope: RATE_SCOPE_NAMES[scope] ?? scope, ...limit });
    }
  }

  /** Checkout's limits: per viewer first (it also slows walking unknown codes), then per code. */
  private async limitCheckout(viewerId: string, code: string | undefined): Promise<void> {
    await this.limit('CHECKOUT#VIEWER', viewerId, this.options.rateLimits.checkoutPerViewer);
    if (code !== undefined) await this.limit('CHECKOUT#CODE', code, this.options.rateLimits.checkoutPerCode);
  }

  private newAttempt(): Attempt {
    return { code: generateCode(), couponId: ulid(this.clock.now()) };
  }

  private refuseOnFacts(dealId: string): void {
    const refusal = this.facts.refusal(dealId);
    if (refusal?.kind === 'SOLD_OUT') throw new SoldOut(dealId);
    if (refusal?.kind === 'NOT_LIVE') throw new DealNotLive(dealId, refusal.status);
  }

  /**
   * Another attempt holds this Idempotency-Key. Returns its coupon once written; undefined when that attempt
   * failed or was abandoned (the caller then starts a new one); CLAIM_IN_PROGRESS while it is still running.
   */
  private async awaitEarlierAttempt(
    deal: DealItem,
    viewerId: string,
    idempotencyKey: string,
  ): Promise<CouponView | undefined> {
    const deadline = Date.now() + this.options.replayWaitMs;
    // Back off: a waiting retry must not hammer the store while the first attempt is queued behind others.
    for (let pause = this.options.replayPollMs; ; pause = Math.min(pause * 2, 500)) {
      const record = await this.store.getIdempotency(deal.dealId, viewerId, idempotencyKey);
      if (!record) return undefined;
      const coupon = await this.store.getCoupon(record.code);
      if (isLiveCoupon(coupon)) {
        // The first attempt may have died between its coupon and its record.
        await this.store.putAudit(claimRecord(coupon, { kind: 'viewer', id: viewerId }));
        return toCouponView(coupon, this.nowIso());
      }
      const abandoned =
        coupon !== undefined || this.clock.now() - Date.parse(record.at) > this.options.claimGraceMs;
      if (abandoned) {
        if (coupon === undefined && !(await this.voidCode(record.code, deal.dealId, viewerId))) continue;
        await this.freeSlotsHolding(deal.dealId, viewerId, record.code);
        await this.store.dropIdempotency(deal.dealId, viewerId, idempotencyKey, record.code);
        return undefined;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new ClaimInProgress();
      await sleep(Math.min(pause, left));
    }
  }

  /**
   * An attempt failed without a refusal, so its last write may have landed. Its coupon, if written; else its
   * code is voided so the coupon never can be (the arbiter), and its slot and retry record go, letting a
   * retry with the key run at once; a unit it took goes back through the reconciler. Undefined then. Should
   * the store not answer, the record stays and a retry waits out the claim grace.
   */
  private async settleFailedAttempt(
    deal: DealItem,
    viewerId: string,
    idempotencyKey: string,
    attempt: Attempt,
  ): Promise<CouponView | undefined> {
    if (!(await this.voidCode(attempt.code, deal.dealId, viewerId))) {
      const coupon = await this.store.getCoupon(attempt.code);
      if (!isLiveCoupon(coupon)) return undefined;
      // The attempt failed on or after the coupon's write, so before its record and event (the publisher
      // never throws): the caller gets the coupon, so it is announced here, once.
      await this.couponClaimed(deal, coupon);
      return toCouponView(coupon, this.nowIso());
    }
    await this.freeSlotsHolding(deal.dealId, viewerId, attempt.code);
    await this.store.dropIdempotency(deal.dealId, viewerId, idempotencyKey, attempt.code);
    return undefined;
  }

  /** 1. reserve a viewer slot  2. take a unit (ticket)  3. write the ticket's arbiter  4. write the coupon */
  private async claimOnce(deal: DealItem, viewerId: string, attempt: Attempt): Promise<CouponView> {
    const slot = await this.reserveSlot(deal, viewerId, attempt);
    this.seam('claim.slot');
    let unit: TakenUnit;
    try {
      this.refuseOnFacts(deal.dealId);
      unit = await this.takeUnit(deal);
    } catch (error) {
      if (!(error instanceof InjectedCrash)) {
        await this.store.freeSlot(deal.dealId, viewerId, slot, attempt.code);
        this.seam('claim.slot-freed');
      }
      throw error;
    }
    this.seam('claim.unit');
    const now = this.clock.now();
    const nowIso = iso(now);
    const ticket: TicketItem = {
      ...keys.ticket(deal.dealId, unit.shard, unit.seq),
      type: 'TICKET',
      dealId: deal.dealId,
      shard: unit.shard,
      seq: unit.seq,
      state: 'CLAIMED',
      code: attempt.code,
      viewerId,
      at: nowIso,
    };
    if (!(await this.store.putTicket(ticket))) {
      // The reconciler took this unit over because the claim outlived claimGraceMs; it returns the unit.
      await this.store.freeSlot(deal.dealId, viewerId, slot, attempt.code);
      throw new Error(`claim abandoned: ticket ${unit.shard}/${unit.seq} was taken over by the reconciler`);
    }
    this.seam('claim.ticket');
    const coupon: CouponItem = {
      ...keys.coupon(attempt.code),
      type: 'COUPON',
      couponId: attempt.couponId,
      code: attempt.code,
      dealId: deal.dealId,
      viewerId,
      status: 'ISSUED',
      shard: unit.shard,
      seq: unit.seq,
      slot,
      unit: 'HELD',
      issuedAt: nowIso,
      expiresAt: iso(now + deal.claimTtlSeconds * 1000),
      dealPrice: unit.dealPrice,
      listPrice: deal.listPrice,
      currency: deal.currency,
      ...gsi.viewerCoupons(viewerId, attempt.couponId),
      GSI2PK: gsi.couponPhasePartition(deal.dealId, unit.shard),
      GSI2SK: gsi.couponPhase('ISSUED', iso(now + deal.claimTtlSeconds * 1000), attempt.code),
    };
    if (!(await this.store.putCoupon(coupon))) {
      // A repair voided this code because the claim outlived claimGraceMs; the reconciler returns the unit.
      throw new Error(`claim abandoned: code of ticket ${unit.shard}/${unit.seq} was voided`);
    }
    this.seam('claim.coupon');
    await this.couponClaimed(deal, coupon);
    return toCouponView(coupon, nowIso);
  }

  /** A coupon handed to its claimer: its claim record, then its `Coupon Claimed` event. */
  private async couponClaimed(deal: DealItem, coupon: CouponItem): Promise<void> {
    await this.store.putAudit(claimRecord(coupon, { kind: 'viewer', id: coupon.viewerId }));
    await this.announce(
      [
        {
          detailType: 'Coupon Claimed',
          detail: {
            dealId: deal.dealId,
            streamId: deal.streamId,
            at: coupon.issuedAt,
            couponId: coupon.couponId,
            viewerId: coupon.viewerId,
            dealPrice: coupon.dealPrice,
            currency: coupon.currency,
            expiresAt: coupon.expiresAt,
          },
        },
      ],
      [deal],
    );
  }

  /** Puts the attempt in the lowest free slot 1..perViewerLimit; the slot keys themselves are the limit. */
  private async reserveSlot(deal: DealItem, viewerId: string, attempt: Attempt): Promise<number> {
    const limit = deal.perViewerLimit;
    for (let round = 0; round <= limit; round++) {
      const slots = await this.store.querySlots(deal.dealId, viewerId);
      const used = new Set(slots.map((slot) => slot.slot));
      let free: number | undefined;
      for (let n = 1; n <= limit && free === undefined; n++) if (!used.has(n)) free = n;
      if (free === undefined) {
        if ((await this.repairSlots(deal, slots)) === 0) throw new LimitReached(limit);
        continue;
      }
      // The deal may have sold out while this claim queued; refusing now saves the slot write and its undo.
      this.refuseOnFacts(deal.dealId);
      const reserved = await this.store.putSlot({
        ...keys.slot(deal.dealId, viewerId, free),
        type: 'SLOT',
        dealId: deal.dealId,
        viewerId,
        slot: free,
        code: attempt.code,
        couponId: attempt.couponId,
        claimedAt: this.nowIso(),
      });
      if (reserved) return free;
    }
    throw new LimitReached(limit);
  }

  /**
   * A full set of slots may hide ones that hold nothing: a coupon past its expiresAt that no sweep has
   * expired yet (expired here, unit and slot given back), an expiry that died before freeing its slot, or a
   * claim that died before writing its coupon (voided once older than claimGraceMs). Frees those.
   */
  private async repairSlots(deal: DealItem, slots: SlotItem[]): Promise<number> {
    const coupons = await this.store.getCoupons(slots.map((slot) => slot.code));
    const nowIso = this.nowIso();
    let freed = 0;
    for (const slot of slots) {
      const coupon = coupons.get(slot.code);
      if (isLiveCoupon(coupon) && coupon.status === 'ISSUED' && coupon.expiresAt <= nowIso) {
        // finishReturn frees the slot as one of its steps.
        if ((await this.expireCoupon(coupon.code, SYSTEM.claim)).expired) freed++;
        continue;
      }
      if (isLiveCoupon(coupon) && coupon.status !== 'EXPIRED') continue;
      if (coupon === undefined) {
        if (this.clock.now() - Date.parse(slot.claimedAt) <= this.options.claimGraceMs) continue;
        if (!(await this.voidCode(slot.code, deal.dealId, slot.viewerId))) continue;
      }
      if (await this.store.freeSlot(deal.dealId, slot.viewerId, slot.slot, slot.code)) freed++;
    }
    return freed;
  }

  /** Writes a VOID coupon at `code`; true if the code is (now) void, false if a real coupon won the race. */
  private async voidCode(code: string, dealId: string, viewerId: string): Promise<boolean> {
    const voided = await this.store.putVoidCoupon({
      ...keys.coupon(code),
      type: 'COUPON',
      code,
      dealId,
      viewerId,
      status: 'VOID',
      voidedAt: this.nowIso(),
    });
    if (voided) {
      this.seam('void.coupon');
      return true;
    }
    const existing = await this.store.getCoupon(code);
    return existing !== undefined && !isLiveCoupon(existing);
  }

  private async freeSlotsHolding(dealId: string, viewerId: string, code: string): Promise<number> {
    let freed = 0;
    for (const slot of await this.store.querySlots(dealId, viewerId)) {
      if (slot.code === code && (await this.store.freeSlot(dealId, viewerId, slot.slot, code))) freed++;
    }
    return freed;
  }

  /**
   * Takes one unit from a shard. Shards known empty in this container are skipped and the rest tried in a
   * random order; facts are re-read before every probe, so once one claim learns a shard is empty (or the
   * deal sold out) the claims in flight beside it stop probing there. A nearly empty deal therefore does not
   * make every claim walk all K shards.
   */
  private async takeUnit(deal: DealItem): Promise<TakenUnit> {
    const nowIso = this.nowIso();
    const tried = new Set<number>();
    for (;;) {
      this.refuseOnFacts(deal.dealId);
      const k = this.facts.pickShard(deal.dealId, deal.shardCount, tried);
      if (k === undefined) break;
      tried.add(k);
      const result = await this.store.takeUnit(deal.dealId, k, nowIso);
      if ('taken' in result) return { shard: k, seq: result.taken.issued, dealPrice: result.taken.dealPrice };
      if (this.facts.isShardEmpty(deal.dealId, k)) continue;
      const shard = result.refused ?? (await this.store.getShard(deal.dealId, k));
      if (!shard) continue;
      const status = effectiveStatus(shard.status, shard.endsAt, nowIso);
      if (status !== 'LIVE') {
        this.facts.notLive(deal.dealId, status);
        throw new DealNotLive(deal.dealId, status);
      }
      if (shard.available <= 0) this.facts.shardEmpty(deal.dealId, k);
    }
    this.facts.soldOut(deal.dealId);
    if (!this.soldOutAnnounced.has(deal.dealId)) {
      this.soldOutAnnounced.add(deal.dealId);
      await this.announce(
        [
          {
            detailType: 'Deal Sold Out',
            detail: { dealId: deal.dealId, streamId: deal.streamId, at: nowIso },
          },
        ],
        [deal],
      );
    }
    throw new SoldOut(deal.dealId);
  }

  async listCoupons(viewerId: string, page: { limit?: number; cursor?: string }): Promise<CouponPage> {
    const startKey = page.cursor === undefined ? undefined : decodeCursor(page.cursor, viewerId);
    const { items, lastKey } = await this.store.queryViewerCoupons(viewerId, page.limit ?? 50, startKey);
    const nowIso = this.nowIso();
    return {
      coupons: items.map((item) => toCouponView(item, nowIso)),
      ...(lastKey ? { nextCursor: encodeCursor(lastKey) } : {}),
    };
  }

  // ---------------------------------------------------------------- audit

  /**
   * A deal's audit records in time order, for its host or an admin. The deal's records and each shard's
   * live in their own partitions; a page reads each after the cursor and merges them.
   */
  async auditTrail(
    dealId: string,
    actor: Actor,
    query: { limit?: number; cursor?: string; couponId?: string },
  ): Promise<AuditPage> {
    const deal = await this.store.getDeal(dealId, false);
    if (!deal) throw new DealNotFound(dealId);
    if (!actor.scopes.has(SCOPES.admin) && !(actor.scopes.has(SCOPES.host) && actor.sub === deal.hostId)) {
      throw new Forbidden('Only the deal’s host or an admin may read its audit trail.');
    }
    if (query.couponId !== undefined) {
      // One coupon's history: a handful of records, in one Query.
      const records = (await this.store.queryCouponAudit(query.couponId)).filter(
        (item) => item.dealId === dealId,
      );
      return { records: records.map(toAuditView) };
    }
    const limit = query.limit ?? 100;
    const after = query.cursor === undefined ? undefined : decodeAuditCursor(query.cursor);
    const buckets: AuditBucket[] = ['deal', ...Array.from({ length: deal.shardCount }, (_, k) => k)];
    // One record more than a page from each partition: the merge then holds more than a page exactly when
    // more records follow, so the last page carries no cursor to an empty one.
    const pages = await Promise.all(
      buckets.map((bucket) => this.store.queryAudit(dealId, bucket, limit + 1, after)),
    );
    const merged = pages.flat().sort((a, b) => (a.SK < b.SK ? -1 : a.SK > b.SK ? 1 : 0));
    const page = merged.slice(0, limit);
    const more = merged.length > limit;
    const last = page[page.length - 1];
    return {
      records: page.map(toAuditView),
      ...(more && last !== undefined ? { nextCursor: Buffer.from(last.SK).toString('base64url') } : {}),
    };
  }

  // ---------------------------------------------------------------- checkout

  async redeem(codeInput: string, input: CheckoutInput, actor?: Actor): Promise<CouponView> {
    const code = normalizeCode(codeInput);
    await this.limitCheckout(input.viewerId, code);
    if (!code) throw new CouponNotFound();
    const by = actor?.sub ?? 'unknown';
    for (let round = 0; round < 3; round++) {
      const nowIso = this.nowIso();
      const redeemed = await this.store.redeemCoupon(code, input.viewerId, input.orderId, nowIso, by);
      if (redeemed) {
        this.seam('redeem.coupon');
        await this.store.putAudit(redeemRecord(redeemed, nowIso));
        await this.announceCoupon('Coupon Redeemed', redeemed, { orderId: input.orderId });
        return toCouponView(redeemed, nowIso);
      }
      const coupon = await this.ownCoupon(code, input.viewerId);
      if (coupon.status === 'REDEEMED') {
        if (coupon.orderId === input.orderId) {
          // A checkout retry: also rewrites the record if the first call died before it.
          await this.store.putAudit(redeemRecord(coupon, nowIso));
          return toCouponView(coupon, nowIso);
        }
        throw new AlreadyRedeemed();
      }
      if (coupon.status === 'EXPIRED' || coupon.expiresAt <= nowIso) throw new CouponExpired();
      // ISSUED and valid: a release landed between our write and our read; try again.
    }
    throw new Error(`redeem of ${code} kept racing`);
  }

  async release(codeInput: string, input: CheckoutInput, actor?: Actor): Promise<CouponView> {
    const code = normalizeCode(codeInput);
    await this.limitCheckout(input.viewerId, code);
    if (!code) throw new CouponNotFound();
    for (let round = 0; round < 3; round++) {
      const coupon = await this.ownCoupon(code, input.viewerId);
      const nowIso = this.nowIso();
      const redeemedByThisOrder = coupon.status === 'REDEEMED' && coupon.orderId === input.orderId;
      if (!redeemedByThisOrder) {
        if (coupon.releasedOrders?.has(input.orderId)) {
          // Already released for this order: answer the same, finishing a return a crash left behind.
          if (coupon.unit === 'RETURNING') await this.finishReturn(coupon, 'release');
          // releasedAt keys the record, and it is this order's release time only while this order was the
          // last one released; after a later release the retry would key a second record of this one.
          if (coupon.releasedOrder === input.orderId) {
            await this.store.putAudit(releaseRecord(coupon, input.orderId, this.nowIso()));
          }
          return toCouponView(coupon, nowIso);
        }
        throw new InvalidTransition('This coupon is not redeemed for this order.', {
          status: toCouponView(coupon, nowIso).status,
        });
      }
      // Released units may need the sweep again after the deal was settled.
      await this.store.markSweepWork(coupon.dealId);
      this.seam('release.sweep');
      const released = await this.store.releaseCoupon(coupon, input.orderId, nowIso, actor?.sub);
      if (!released) continue;
      this.seam('release.coupon');
      if (released.expired) await this.finishReturn(released.item, 'release');
      await this.store.putAudit(releaseRecord(released.item, input.orderId, this.nowIso()));
      await this.announceCoupon('Coupon Released', released.item, {
        orderId: input.orderId,
        status: released.expired ? 'EXPIRED' : 'ISSUED',
      });
      return toCouponView(released.item, nowIso);
    }
    throw new Error(`release of ${code} kept racing`);
  }

  /** The coupon at `code` if it belongs to `viewerId`; COUPON_NOT_FOUND otherwise, never revealing it exists. */
  private async ownCoupon(code: string, viewerId: string): Promise<CouponItem> {
    const coupon = await this.store.getCoupon(code);
    if (!isLiveCoupon(coupon) || coupon.viewerId !== viewerId) throw new CouponNotFound();
    return coupon;
  }

  /** Second half of an expiry: 1. unit back to its shard (once)  2. free the viewer's slot  3. mark RETURNED. */
  private async finishReturn(
    coupon: CouponItem,
    operation: 'expire' | 'release',
    expiredBy: AuditActor = SYSTEM.sweep,
  ): Promise<boolean> {
    const returned = await this.store.returnUnit(coupon.dealId, coupon.shard, coupon.seq, this.clock.now());
    this.seam(`${operation}.unit`);
    this.stockReturned(coupon.dealId);
    await this.store.freeSlot(coupon.dealId, coupon.viewerId, coupon.slot, coupon.code);
    this.seam(`${operation}.slot`);
    // Written before RETURNED, so whoever finishes a return a crash left behind also writes the record.
    // A release that ended the hold is recorded as the release (the same record the release writes).
    if (coupon.releasedAt !== undefined && coupon.releasedAt === coupon.expiredAt) {
      if (coupon.releasedOrder !== undefined) {
        await this.store.putAudit(releaseRecord(coupon, coupon.releasedOrder, this.nowIso()));
      }
    } else {
      await this.store.putAudit(expiryRecord(coupon, expiredBy, this.nowIso()));
    }
    await this.store.markCouponReturned(coupon, this.nowIso());
    this.seam(`${operation}.returned`);
    return returned;
  }

  // ---------------------------------------------------------------- sweep: expiry + reconcile

  async sweep(): Promise<SweepReport> {
    const report = emptyReport();
    // Drops whose schedule never fired (lost, or the scheduler was down) apply late rather than never.
    for (const due of await this.store.listDuePriceDrops(iso(this.clock.now() - DROP_OVERDUE_MS))) {
      try {
        await this.applyPriceDrop(due.galaId, due.dropId);
        report.dropsApplied++;
      } catch (error) {
        if (error instanceof InjectedCrash) throw error;
        report.errors++;
        this.logger.error('overdue price drop failed', { ...due, error });
      }
    }
    const dealIds = await this.store.listSweepDeals();
    let next = 0;
    const worker = async () => {
      while (next < dealIds.length) {
        const dealId = dealIds[next++] as string;
        try {
          await this.sweepDeal(dealId, report);
          report.deals++;
        } catch (error) {
          if (error instanceof InjectedCrash) throw error;
          // One deal's failure must not stop the others; the next sweep retries it.
          report.errors++;
          this.logger.error('sweep of a deal failed', { dealId, error });
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.options.sweepConcurrency, dealIds.length) }, worker),
    );
    return report;
  }

  /**
   * One deal: 1. end it if its duration ran out  2. converge shard config  3. finish restocks
   * 4. expire ISSUED coupons past expiresAt  5. finish half-done returns  6. reconcile tickets  7. settle.
   */
  private async sweepDeal(dealId: string, report: SweepReport): Promise<void> {
    let deal = await this.store.getDeal(dealId);
    if (!deal) return;
    const epoch = deal.sweepEpoch;
    const nowIso = this.nowIso();
    if (effectiveStatus(deal.status, deal.endsAt, nowIso) === 'ENDED' && deal.status !== 'ENDED') {
      const ended = await this.store.transitionDeal(dealId, {
        from: ['LIVE', 'PAUSED'],
        to: 'ENDED',
        nowIso,
        time: 'onlyIfEndedByTime',
        endedBy: 'time',
      });
      if (ended) {
        this.seam('sweep.ended');
        report.dealsEnded++;
        await this.store.putAudit(this.endRecord(ended, deal));
        deal = ended;
        this.facts.forget(dealId);
        await this.announce([this.statusEvent(ended, 'end')]);
      }
    } else if (deal.status === 'ENDED' && deal.endedBy !== undefined) {
      // Ended by a sweep or a stream end that may have died before the record: one read while unsettled.
      const record = this.endRecord(deal, null);
      if ((await this.store.existingAudits([record])).size === 0) await this.store.putAudit(record);
    }
    const shards = await this.store.getShards(dealId, deal.shardCount);
    if (shards.some((shard) => shard.configVersion < (deal as DealItem).configVersion)) {
      await this.mirrorToShards(deal);
    }
    for (const [restockId, quantity] of Object.entries(deal.pendingRestocks ?? {})) {
      await this.applyRestock(deal, restockId, quantity);
    }

    let busy = false;
    const changedBefore = report.unitsReturned + report.orphansReturned;
    for (const shard of shards) {
      for (const coupon of await this.store.queryCouponsByPhase(dealId, shard.shard, 'ISSUED', nowIso)) {
        const { expired, returned } = await this.expireCoupon(coupon.code);
        if (expired) report.expired++;
        if (returned) report.unitsReturned++;
      }
      for (const stale of await this.store.queryCouponsByPhase(dealId, shard.shard, 'RETURNING')) {
        const coupon = await this.store.getCoupon(stale.code);
        if (
          isLiveCoupon(coupon) &&
          coupon.unit === 'RETURNING' &&
          (await this.finishReturn(coupon, 'expire'))
        ) {
          report.unitsReturned++;
        }
      }
      if (!(await this.reconcileShard(deal, shard.shard, report))) busy = true;
    }

    if (changedBefore !== report.unitsReturned + report.orphansReturned) await this.announce([], [deal]);
    if (deal.status !== 'ENDED' || busy) return;
    await this.settleIfIdle(deal, epoch, report);
  }

  /**
   * Expires one ISSUED coupon past its expiresAt and hands its unit back. `expired` says whether this call
   * made it EXPIRED; a concurrent sweep may have, and is helped to finish.
   */
  /** `by`: who found the hold ran out (the sweep, or a claim making room in the viewer's slots). */
  private async expireCoupon(
    code: string,
    by: AuditActor = SYSTEM.sweep,
  ): Promise<{ expired: boolean; returned: boolean }> {
    const expired = await this.store.expireCoupon(code, this.nowIso());
    if (expired) this.seam('expire.coupon');
    const coupon = expired ?? (await this.store.getCoupon(code));
    if (!isLiveCoupon(coupon) || coupon.unit !== 'RETURNING') return { expired: false, returned: false };
    const returned = await this.finishReturn(coupon, 'expire', by);
    if (expired) await this.announceCoupon('Coupon Expired', coupon, {});
    return { expired: expired !== undefined, returned };
  }

  /**
   * Checks every ticket of a shard above its watermark. A ticket is settled when its coupon exists, or when
   * its unit went back. Tickets nobody owns after claimGraceMs are taken over (ORPHANED) and returned; that
   * write is conditional, so a claimer still alive loses cleanly instead of double-holding the unit.
   * Returns true when the shard has nothing in flight.
   */
  private async reconcileShard(deal: DealItem, k: number, report: SweepReport): Promise<boolean> {
    const shard = await this.store.getShard(deal.dealId, k);
    if (!shard) return true;
    const now = this.clock.now();
    const graceCutoff = now - this.options.claimGraceMs;
    const snapshotMature = shard.snapAt > 0 && shard.snapAt <= graceCutoff;
    const from = shard.checkedThrough;
    const to = Math.min(shard.issued, from + this.options.reconcileBatch);
    const seqs = Array.from({ length: to - from }, (_, i) => from + 1 + i);
    const tickets = await this.store.getTickets(deal.dealId, k, seqs);
    const coupons = await this.store.getCoupons(
      [...tickets.values()].flatMap((ticket) => (ticket.code === undefined ? [] : [ticket.code])),
    );

    let checked = from;
    let contiguous = true;
    for (const seq of seqs) {
      const settled = await this.settleTicket(deal, k, seq, tickets.get(seq), coupons, {
        canOrphanUnwritten: snapshotMature && seq <= shard.snapIssued,
        graceCutoff,
        report,
      });
      if (settled && contiguous) checked = seq;
      else contiguous = false;
    }
    await this.backfillClaimRecords(k, seqs, tickets, coupons, checked);

    const prune = await this.prunableReturns(deal.dealId, k, shard, now);
    const snapshot = shard.snapAt <= graceCutoff ? { issued: shard.issued, at: now } : undefined;
    if (checked !== from || snapshot || prune.length > 0) {
      await this.store.saveReconcileProgress(deal.dealId, k, {
        fromCheckedThrough: from,
        toCheckedThrough: checked,
        ...(snapshot ? { snapshot } : {}),
        prune,
      });
      this.seam('reconcile.progress');
    }
    return checked === shard.issued;
  }

  /**
   * A claim that died after writing its coupon never wrote its record: before the watermark passes the
   * claim for good, write what is missing (one read per batch when nothing is).
   */
  private async backfillClaimRecords(
    k: number,
    seqs: number[],
    tickets: Map<number, TicketItem>,
    coupons: Map<string, AnyCouponItem>,
    checkedThrough: number,
  ): Promise<void> {
    const claimed: CouponItem[] = [];
    for (const seq of seqs) {
      if (seq > checkedThrough) break;
      const code = tickets.get(seq)?.code;
      const coupon = code === undefined ? undefined : coupons.get(code);
      if (isLiveCoupon(coupon) && coupon.shard === k && coupon.seq === seq) claimed.push(coupon);
    }
    if (claimed.length === 0) return;
    const records = claimed.map((coupon) => claimRecord(coupon, { kind: 'viewer', id: coupon.viewerId }));
    const existing = await this.store.existingAudits(records);
    for (const record of records) {
      if (!existing.has(auditKeyString(record))) await this.store.putAudit(record);
    }
  }

  private async settleTicket(
    deal: DealItem,
    k: number,
    seq: number,
    found: TicketItem | undefined,
    coupons: Map<string, AnyCouponItem>,
    context: { canOrphanUnwritten: boolean; graceCutoff: number; report: SweepReport },
  ): Promise<boolean> {
    let ticket = found;
    if (!ticket) {
      if (!context.canOrphanUnwritten) return false;
      // Taken before a snapshot older than claimGraceMs and still unowned: the claimer died holding it.
      const orphan: TicketItem = {
        ...keys.ticket(deal.dealId, k, seq),
        type: 'TICKET',
        dealId: deal.dealId,
        shard: k,
        seq,
        state: 'ORPHANED',
        at: this.nowIso(),
      };
      if (await this.store.putTicket(orphan)) {
        this.seam('reconcile.orphan');
        ticket = orphan;
      } else {
        ticket = (await this.store.getTickets(deal.dealId, k, [seq])).get(seq);
        if (!ticket) return false;
      }
    }
    if (ticket.state === 'RETURNED') return true;
    if (ticket.state === 'CLAIMED' && ticket.code !== undefined) {
      const code = ticket.code;
      let coupon = coupons.get(code) ?? (await this.store.getCoupon(code));
      // Written after the batch read: the claim-record backfill must see it too.
      if (coupon !== undefined) coupons.set(code, coupon);
      if (isLiveCoupon(coupon) && coupon.shard === k && coupon.seq === seq) return true;
      if (coupon === undefined) {
        if (Date.parse(ticket.at) > context.graceCutoff) return false;
        if (!(await this.voidCode(code, deal.dealId, ticket.viewerId ?? ''))) return false;
        coupon = await this.store.getCoupon(code);
      }
      if (isLiveCoupon(coupon) && coupon.shard === k && coupon.seq === seq) return true;
      // The code is void (or, defensively, owned through another ticket): nobody holds this unit through it.
      if (ticket.viewerId !== undefined && !isLiveCoupon(coupon)) {
        context.report.slotsFreed += await this.freeSlotsHolding(deal.dealId, ticket.viewerId, code);
      }
      if (!(await this.store.orphanTicket(deal.dealId, k, seq, code))) return false;
      this.seam('reconcile.orphan');
    }
    // ORPHANED: give the unit back exactly once, then record that it is back.
    if (await this.store.returnUnit(deal.dealId, k, seq, this.clock.now())) context.report.orphansReturned++;
    this.seam('reconcile.unit');
    this.stockReturned(deal.dealId);
    await this.store.markTicketReturned(deal.dealId, k, seq, this.nowIso());
    this.seam('reconcile.returned');
    return true;
  }

  /**
   * `returns` entries can go once old enough that no return can still be in flight AND their record says
   * RETURNED (so nobody will try that return again). Keeps the hot shard item small.
   */
  private async prunableReturns(dealId: string, k: number, shard: ShardItem, now: number): Promise<number[]> {
    const old = Object.entries(shard.returns ?? {})
      .filter(([, at]) => at <= now - this.options.returnPruneGraceMs)
      .map(([seq]) => Number(seq));
    if (old.length === 0) return [];
    const tickets = await this.store.getTickets(dealId, k, old);
    const coupons = await this.store.getCoupons(
      [...tickets.values()].flatMap((ticket) =>
        ticket.state === 'CLAIMED' && ticket.code ? [ticket.code] : [],
      ),
    );
    return old.filter((seq) => {
      const ticket = tickets.get(seq);
      if (!ticket) return false;
      if (ticket.state === 'RETURNED') return true;
      const coupon = ticket.code === undefined ? undefined : coupons.get(ticket.code);
      return isLiveCoupon(coupon) && coupon.unit === 'RETURNED';
    });
  }

  /**
   * An ended deal leaves the sweep list only after two sweeps settleDelayMs apart found it idle at the same
   * epoch; the delay outlasts GSI propagation, and a release in between bumps the epoch.
   */
  private async settleIfIdle(deal: DealItem, epoch: number, report: SweepReport): Promise<void> {
    if (Object.keys(deal.pendingRestocks ?? {}).length > 0) return;
    for (let k = 0; k < deal.shardCount; k++) {
      if ((await this.store.countCouponsByPhase(deal.dealId, k, 'ISSUED')) > 0) return;
      if ((await this.store.countCouponsByPhase(deal.dealId, k, 'RETURNING')) > 0) return;
    }
    const now = this.clock.now();
    const candidate = deal.settleCandidate;
    if (candidate && candidate.epoch === epoch && now - candidate.at >= this.options.settleDelayMs) {
      if (await this.store.settleDeal(deal.dealId, epoch)) report.dealsSettled++;
      return;
    }
    if (!candidate || candidate.epoch !== epoch)
      await this.store.markSettleCandidate(deal.dealId, epoch, now);
  }
}

/** Thrown by test seams; cleanup code lets it through untouched, as a real crash would skip cleanup. */
export class InjectedCrash extends Error {
  constructor(readonly step: string) {
    super(`injected crash after ${step}`);
    this.name = 'InjectedCrash';
  }
}

const scheduleName = (dropId: string) => `drop-${dropId}`;

const toPriceDropView = (drop: PriceDropItem): PriceDropView => ({
  dropId: drop.dropId,
  galaId: drop.galaId,
  status: drop.status,
  at: drop.at,
  timeZone: drop.timeZone,
  ...(drop.dealIds === undefined ? {} : { dealIds: drop.dealIds }),
  ...(drop.dealPrice === undefined ? {} : { dealPrice: drop.dealPrice }),
  ...(drop.percentOff === undefined ? {} : { percentOff: drop.percentOff }),
  ...(drop.stock === undefined ? {} : { stock: drop.stock }),
  createdAt: drop.createdAt,
  ...(drop.firedAt === undefined ? {} : { firedAt: drop.firedAt }),
  ...(drop.appliedAt === undefined ? {} : { appliedAt: drop.appliedAt }),
  ...(drop.cancelledAt === undefined ? {} : { cancelledAt: drop.cancelledAt }),
  ...(Object.keys(drop.results ?? {}).length === 0 ? {} : { results: drop.results }),
});

const encodeCursor = (key: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(key)).toString('base64url');

const decodeCursor = (cursor: string, viewerId: string): Record<string, unknown> => {
  const invalid = () =>
    new ValidationFailed([{ field: 'query.cursor', message: 'Not a cursor from this listing.' }]);
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof key !== 'object' || key === null) throw invalid();
  const fields = key as Record<string, unknown>;
  const allowed = ['PK', 'SK', 'GSI1PK', 'GSI1SK'];
  // Exactly the key of a coupon in this viewer's listing: anything else would reach DynamoDB as a bad key.
  const names = Object.keys(fields);
  if (names.length !== allowed.length || !allowed.every((name) => typeof fields[name] === 'string'))
    throw invalid();
  if (fields.GSI1PK !== gsi.viewerCouponsPartition(viewerId)) throw invalid();
  const couponKey = /^COUPON#[0-9A-Z]+$/;
  if (
    !couponKey.test(String(fields.PK)) ||
    fields.SK !== 'COUPON' ||
    !couponKey.test(String(fields.GSI1SK))
  ) {
    throw invalid();
  }
  return fields;
};

/** An audit cursor is the sort key of the last record shown: an instant, then the record's id. */
const decodeAuditCursor = (cursor: string): string => {
  const sk = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+Z#[\x21-\x7E]{1,400}$/.test(sk)) {
    throw new ValidationFailed([{ field: 'query.cursor', message: 'Not a cursor from this listing.' }]);
  }
  return sk;
};
