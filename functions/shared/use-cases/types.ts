import type {
  AuditRecordView,
  CheckoutInput,
  CouponView,
  CreateDealInput,
  CueInput,
  DealView,
  LiveDealView,
  PriceDropInput,
  PriceDropView,
} from '../domain/schemas.js';
import type { StreamLive } from '../domain/stream-live.js';
import type { LiveMetadataOutcome } from './live-metadata.js';

/** Who is calling, as established by the HTTP layer from the JWT claims. */
export interface Actor {
  sub: string;
  scopes: ReadonlySet<string>;
}

export interface ClaimResult {
  coupon: CouponView;
  /** true when an earlier attempt with the same Idempotency-Key already produced this coupon. */
  replayed: boolean;
}

/** What a route taking an Idempotency-Key answers: the first answer's body, and whether this is its replay. */
export interface Replayable<T> {
  value: T;
  /** true when an earlier request with the same key and the same request produced this answer. */
  replayed: boolean;
}

export interface CouponPage {
  coupons: CouponView[];
  nextCursor?: string;
}

export interface AuditPage {
  records: AuditRecordView[];
  nextCursor?: string;
}

export interface SweepReport {
  deals: number;
  expired: number;
  unitsReturned: number;
  orphansReturned: number;
  slotsFreed: number;
  dealsEnded: number;
  dealsSettled: number;
  /** Overdue gala price drops the sweep applied because their schedule never fired. */
  dropsApplied: number;
  errors: number;
}

/**
 * The use cases livedrop offers. Handlers, the local runtime, tests and the benchmark all call this one
 * implementation; only the adapters injected into it differ.
 */
export interface LivedropEngine {
  createDeal(input: CreateDealInput, hostId: string): Promise<DealView>;
  getDeal(dealId: string): Promise<DealView>;
  /** Compact and cached for a second: what every viewer's overlay polls. */
  liveDeal(dealId: string): Promise<LiveDealView>;
  /** A stream's current (not ENDED) deals, newest first. */
  streamDeals(streamId: string): Promise<LiveDealView[]>;
  /**
   * A stream's public live state: its LIVE and PAUSED deals, one read per container and second shared by all
   * callers; `notBefore` (epoch ms) asks for a state read no earlier than that.
   */
  streamLive(streamId: string, notBefore?: number): Promise<StreamLive>;
  /** `origin.streamId`: the cue came from that stream's studio, so the deal must belong to it. */
  /** `cue.at`: when the cue was given (events carry it; the HTTP route uses now). */
  cue(
    dealId: string,
    cue: CueInput & { at?: string },
    actor: Actor,
    origin?: { streamId: string },
  ): Promise<DealView>;
  /**
   * The stream went off air: every LIVE or PAUSED deal of it ends, those whose streamId is the channel's
   * name and those that named the channel's ARN.
   */
  /** `endedAt`: when the stream ended; deals started after it are left alone (a late, earlier Stream End). */
  endStream(streamId: string, channelArn?: string, endedAt?: string): Promise<{ ended: string[] }>;
  claim(dealId: string, viewerId: string, idempotencyKey?: string): Promise<ClaimResult>;
  listCoupons(viewerId: string, page: { limit?: number; cursor?: string }): Promise<CouponPage>;
  /** `actor`: the checkout principal, for the audit record. */
  redeem(code: string, input: CheckoutInput, actor?: Actor): Promise<CouponView>;
  release(code: string, input: CheckoutInput, actor?: Actor): Promise<CouponView>;
  /** The deal's immutable audit records in time order (or one coupon's), for its host or an admin. */
  auditTrail(
    dealId: string,
    actor: Actor,
    query: { limit?: number; cursor?: string; couponId?: string },
  ): Promise<AuditPage>;
  sweep(): Promise<SweepReport>;
  /**
   * The HTTP routes that create or change something, with an optional Idempotency-Key: the same caller sending
   * the same key and request gets the first answer again (idempotent-request.ts).
   */
  createDealKeyed(
    input: CreateDealInput,
    hostId: string,
    idempotencyKey: string | undefined,
  ): Promise<Replayable<DealView>>;
  schedulePriceDropKeyed(
    galaId: string,
    input: PriceDropInput,
    actor: Actor,
    idempotencyKey: string | undefined,
  ): Promise<Replayable<PriceDropView>>;
  cueKeyed(
    dealId: string,
    cue: CueInput,
    actor: Actor,
    idempotencyKey: string | undefined,
  ): Promise<Replayable<DealView>>;
  schedulePriceDrop(galaId: string, input: PriceDropInput, actor: Actor): Promise<PriceDropView>;
  listPriceDrops(galaId: string): Promise<PriceDropView[]>;
  cancelPriceDrop(galaId: string, dropId: string): Promise<PriceDropView>;
  /** What the drop's one-time schedule invokes; applies to each deal once however often it fires. */
  applyPriceDrop(galaId: string, dropId: string): Promise<PriceDropView>;
  /**
   * Puts each stream's live state into its IVS channels as timed metadata, at most once a second per channel
   * from this container; answers per stream where it went and whether it must be tried again.
   */
  putLiveMetadata(streamIds: readonly string[]): Promise<LiveMetadataOutcome[]>;
}
