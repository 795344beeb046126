/**
 * The store port: what the use cases ask of storage, one group per item kind. The DynamoDB adapter
 * (data/store.ts, one module per entity) implements it with single-item conditional writes only; a refused
 * condition comes back as `false`/`undefined` so the use case decides what it means. The few writes whose
 * only condition is that the deal exists (markSweepWork, finishRestock, markSettleCandidate) throw instead:
 * they are only made for a deal just read.
 */
import type { AuditBucket, AuditItem } from '../data/audit.js';
import type { AnyCouponItem, CouponItem, CouponPhase, VoidCouponItem } from '../data/coupon.js';
import type { CueStamp, DealItem } from '../data/deal.js';
import type { Key } from '../data/key.js';
import type { PriceDropItem } from '../data/price-drop.js';
import type { RequestRecordItem, RequestRef } from '../data/request-record.js';
import type { ShardItem } from '../data/shard.js';
import type { TallyItem } from '../data/tally.js';
import type { TicketItem } from '../data/ticket.js';
import type { IdempotencyItem, SlotItem } from '../data/viewer.js';
import type { DealStatus, DropOutcome } from './schemas.js';

export interface DealTransition {
  from: readonly DealStatus[];
  to: DealStatus;
  nowIso: string;
  /** `whileRunning` refuses once the deal's duration ran out; `onlyIfEndedByTime` is the sweep's end. */
  time: 'whileRunning' | 'onlyIfEndedByTime' | 'any';
  startedAt?: string;
  endsAt?: string;
  cue?: CueStamp;
  endedBy?: 'time' | 'stream';
  /**
   * For a start cue: whether a Stream End recorded on the deal (`streamEndedAt`) must come before the cue's
   * instant (a normal start) or not (the start overtaken by the end, which leaves it ENDED).
   */
  streamEnd?: 'beforeCue' | 'notBeforeCue';
}

export interface DealStore {
  putDeal(item: DealItem): Promise<boolean>;
  getDeal(dealId: string, consistent?: boolean): Promise<DealItem | undefined>;
  /** Several deals in one strongly consistent read (BatchGet); missing ones are left out. */
  getDeals(dealIds: readonly string[]): Promise<DealItem[]>;
  /** Moves the status under `#status IN (from)` and bumps configVersion so the shards converge on it. */
  transitionDeal(dealId: string, change: DealTransition): Promise<DealItem | undefined>;
  /** Records on a SCHEDULED deal that its stream ended at `streamEndedAt`, only moving the instant forward. */
  markStreamEnded(dealId: string, streamEndedAt: string): Promise<boolean>;
  /** Records a restock (keyed by the cue's id) on the deal before any shard sees it. */
  acceptRestock(
    dealId: string,
    quantity: number,
    from: readonly DealStatus[],
    nowIso: string,
    cue: CueStamp,
  ): Promise<DealItem | undefined>;
  extendDeal(
    dealId: string,
    change: { fromEndsAt: string; toEndsAt: string; nowIso: string; cue: CueStamp },
  ): Promise<DealItem | undefined>;
  finishRestock(dealId: string, restockId: string): Promise<void>;
  /** Puts the deal (back) on the sweep's list and bumps its epoch so a concurrent "settled" loses. */
  markSweepWork(dealId: string): Promise<void>;
  /** Takes a settled deal off the sweep's list unless new work appeared since `epoch` was read. */
  settleDeal(dealId: string, epoch: number): Promise<boolean>;
  markSettleCandidate(dealId: string, epoch: number, nowMs: number): Promise<void>;
  /** A gala drop's new price, once per drop, guarded by the price it replaces and the deal still selling. */
  applyDealPrice(
    dealId: string,
    change: { dropId: string; from: number; to: number; nowIso: string },
  ): Promise<DealItem | undefined>;
  putChannelDeal(channelArn: string, dealId: string): Promise<void>;
  listChannelDeals(channelArn: string): Promise<string[]>;
  listStreamDeals(streamId: string): Promise<string[]>;
  listSweepDeals(): Promise<string[]>;
  listGalaDeals(galaId: string): Promise<string[]>;
}

/**
 * How many times the client sent the take (the SDK repeats a write whose answer was lost or throttled). More
 * than one: an earlier send may have taken a unit nobody will ticket, which the claim has settled early.
 */
export interface TakeAttempts {
  attempts?: number;
}

export interface ShardStore {
  putShard(item: ShardItem): Promise<boolean>;
  getShard(dealId: string, shard: number): Promise<ShardItem | undefined>;
  getShards(dealId: string, shardCount: number): Promise<ShardItem[]>;
  /** The shards of several deals in one strongly consistent read (BatchGet), by dealId, each in shard order. */
  getShardsOfDeals(
    deals: readonly { dealId: string; shardCount: number }[],
  ): Promise<Map<string, ShardItem[]>>;
  /**
   * The hot path: takes one unit (ticket `issued`) from a LIVE shard with stock. On refusal, the shard as it
   * was when the store hands it back, so the caller learns why without another read.
   */
  takeUnit(
    dealId: string,
    shard: number,
    nowIso: string,
  ): Promise<({ taken: ShardItem } | { refused: ShardItem | undefined }) & TakeAttempts>;
  /**
   * Raises the shard's `absorbed` from `from` (as read) to `to`, adding the difference to `available`. On
   * refusal, the shard as it was when the store hands it back (its `absorbed` tells whether to try again).
   */
  absorbReturns(
    dealId: string,
    shard: number,
    from: number,
    to: number,
  ): Promise<{ absorbed: true } | { refused: ShardItem | undefined }>;
  applyRestock(dealId: string, shard: number, restockId: string, quantity: number): Promise<boolean>;
  /** Copies the deal's sellable config onto a shard unless it already has this version or newer. */
  mirrorConfig(dealId: string, shard: number, deal: DealItem): Promise<boolean>;
  /** Advances the reconcile watermark from the value read, optionally snapshots. */
  saveReconcileProgress(
    dealId: string,
    shard: number,
    progress: {
      fromCheckedThrough: number;
      toCheckedThrough: number;
      snapshot?: { issued: number; at: number };
    },
  ): Promise<boolean>;
}

export interface TallyStore {
  getTally(dealId: string, shard: number): Promise<TallyItem | undefined>;
  /** The deal's shards and tallies in one read (the figures), each in shard order. */
  getStock(dealId: string, shardCount: number): Promise<{ shards: ShardItem[]; tallies: TallyItem[] }>;
  /** Counts ticket `seq`'s unit returned, once: the tally's `returned` after it, undefined if already counted. */
  recordReturn(dealId: string, shard: number, seq: number, nowMs: number): Promise<number | undefined>;
  /** Counts a coupon's tally step (odd: redeemed, even: released) unless it or a later one was counted. */
  recordRedeemStep(dealId: string, shard: number, seq: number, step: number): Promise<boolean>;
  /** Forgets guard entries nobody can still retry. */
  pruneTally(
    dealId: string,
    shard: number,
    prune: { returns: number[]; redemptions: number[] },
  ): Promise<void>;
}

export interface TicketStore {
  putTicket(item: TicketItem): Promise<boolean>;
  getTickets(dealId: string, shard: number, seqs: number[]): Promise<Map<number, TicketItem>>;
  /** CLAIMED -> ORPHANED: the reconciler takes over a unit whose claim was abandoned. */
  orphanTicket(dealId: string, shard: number, seq: number, code: string): Promise<boolean>;
  markTicketReturned(dealId: string, shard: number, seq: number, nowIso: string): Promise<void>;
}

export interface CouponStore {
  putCoupon(item: CouponItem): Promise<boolean>;
  /** Claims the code for nobody: after this the abandoned claimer's coupon write must fail. */
  putVoidCoupon(item: VoidCouponItem): Promise<boolean>;
  getCoupon(code: string, consistent?: boolean): Promise<AnyCouponItem | undefined>;
  getCoupons(codes: string[]): Promise<Map<string, AnyCouponItem>>;
  redeemCoupon(
    code: string,
    viewerId: string,
    orderId: string,
    nowIso: string,
    by?: string,
  ): Promise<CouponItem | undefined>;
  /** Order cancelled: back to ISSUED while the hold lasts, else EXPIRED with its unit RETURNING. */
  releaseCoupon(
    coupon: CouponItem,
    orderId: string,
    nowIso: string,
    by?: string,
  ): Promise<{ item: CouponItem; expired: boolean } | undefined>;
  /** ISSUED past expiresAt -> EXPIRED, unit RETURNING; the expiry is checked in the write. */
  expireCoupon(code: string, nowIso: string): Promise<CouponItem | undefined>;
  /** Moves a coupon whose tally step is now counted out of REDEEMING, unless it took another step since. */
  settleCouponTally(coupon: CouponItem): Promise<boolean>;
  markCouponReturned(coupon: CouponItem, nowIso: string): Promise<void>;
  queryCouponsByPhase(
    dealId: string,
    shard: number,
    phase: CouponPhase,
    untilIso?: string,
  ): Promise<CouponItem[]>;
  countCouponsByPhase(dealId: string, shard: number, phase: CouponPhase): Promise<number>;
  queryViewerCoupons(
    viewerId: string,
    limit: number,
    startKey?: Record<string, unknown>,
  ): Promise<{ items: CouponItem[]; lastKey?: Record<string, unknown> }>;
}

export interface ViewerStore {
  putSlot(item: SlotItem): Promise<boolean>;
  querySlots(dealId: string, viewerId: string): Promise<SlotItem[]>;
  /** Frees slot n only if it still belongs to `code` (a newer claim may already own it). */
  freeSlot(dealId: string, viewerId: string, slot: number, code: string): Promise<boolean>;
  /**
   * Writes the record unless one holds its key; refused, answers the record that does (undefined where the
   * store does not hand it back: the caller then reads it).
   */
  putIdempotency(
    item: IdempotencyItem,
  ): Promise<{ recorded: true } | { refused: IdempotencyItem | undefined }>;
  getIdempotency(
    dealId: string,
    viewerId: string,
    idempotencyKey: string,
  ): Promise<IdempotencyItem | undefined>;
  dropIdempotency(dealId: string, viewerId: string, idempotencyKey: string, code: string): Promise<void>;
  /** Counts one request in a rate-limit window; false once the window already holds `limit`. */
  countRequest(key: Key, limit: number, expiresAtEpoch: number): Promise<boolean>;
}

export interface AuditStore {
  /** Writes a record once: a retry or repair writing the same key leaves the first one untouched. */
  putAudit(item: AuditItem): Promise<boolean>;
  /** Which of these record keys exist (as `PK SK` strings). */
  existingAudits(requested: Key[]): Promise<Set<string>>;
  queryAudit(dealId: string, bucket: AuditBucket, limit: number, afterSk?: string): Promise<AuditItem[]>;
  queryCouponAudit(couponId: string): Promise<AuditItem[]>;
}

export interface PriceDropStore {
  putPriceDrop(item: PriceDropItem): Promise<boolean>;
  getPriceDrop(galaId: string, dropId: string): Promise<PriceDropItem | undefined>;
  listPriceDrops(galaId: string): Promise<PriceDropItem[]>;
  closePriceDrop(
    galaId: string,
    dropId: string,
    to: 'CANCELLED' | 'APPLIED',
    nowIso: string,
  ): Promise<PriceDropItem | undefined>;
  markPriceDropFired(galaId: string, dropId: string, nowIso: string): Promise<PriceDropItem | undefined>;
  recordPriceDropResult(galaId: string, dropId: string, dealId: string, result: DropOutcome): Promise<void>;
  listDuePriceDrops(untilIso: string): Promise<{ galaId: string; dropId: string }[]>;
}

/** Records of requests sent with an Idempotency-Key (deals, price drops, cues). */
export interface RequestRecordStore {
  /**
   * Writes the record unless a live one holds its key (one past `expiresAtEpoch` counts as gone); refused,
   * answers the record that does (undefined where the store does not hand it back).
   */
  putRequestRecord(
    item: RequestRecordItem,
    nowEpoch: number,
  ): Promise<{ recorded: true } | { refused: RequestRecordItem | undefined }>;
  /** Takes over an IN_PROGRESS record whose lease, as read, has passed; false when another retry did first. */
  takeOverRequest(
    ref: RequestRef,
    lease: { seenLease: number; owner: string; leaseUntil: number },
  ): Promise<boolean>;
  /** IN_PROGRESS -> COMPLETED with the answer; false when another run of the request completed it first. */
  completeRequest(ref: RequestRef, answer: string): Promise<boolean>;
  /** Lets a retry take over at once: the owner's run failed and is over. */
  endRequestLease(ref: RequestRef, owner: string, nowMs: number): Promise<void>;
  /** Deletes the owner's IN_PROGRESS record: the request was refused and changed nothing. */
  forgetRequest(ref: RequestRef, owner: string): Promise<void>;
}

export interface StorePort
  extends DealStore,
    ShardStore,
    TallyStore,
    TicketStore,
    CouponStore,
    ViewerStore,
    AuditStore,
    PriceDropStore,
    RequestRecordStore {}
