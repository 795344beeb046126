import type { PricePoint } from '../domain/deal.js';
import type { AuditAction, AuditActor, DealStatus, DropOutcome, PriceDropView } from '../domain/schemas.js';

/**
 * Stored item shapes. Invariant per item type (see README "Where a unit lives"):
 * - ShardItem: added = available + (issued - returnedCount); a unit leaves only by taking ticket
 *   (shard, issued+1) under `available > 0`, and comes back only once per ticket (guarded by `returns`).
 * - TicketItem: the arbiter of one taken unit. CLAIMED by the claimer (naming its coupon code) or ORPHANED
 *   by the reconciler; whoever writes it first owns the unit.
 * - CouponItem: holds its ticket's unit while ISSUED or REDEEMED; EXPIRED hands it back (unit RETURNING ->
 *   RETURNED). A VOID coupon marks a code whose claim was abandoned; it never held a unit itself.
 * - SlotItem / IdempotencyItem: a viewer's holding slot and retry record; they never hold units.
 */
export interface DealItem {
  PK: string;
  SK: string;
  type: 'DEAL';
  dealId: string;
  title: string;
  sku: string;
  streamId: string;
  hostId: string;
  galaId?: string;
  ivsChannelArn?: string;
  currency: string;
  listPrice: number;
  dealPrice: number;
  perViewerLimit: number;
  claimTtlSeconds: number;
  durationSeconds?: number;
  shardCount: number;
  status: DealStatus;
  /** Bumped by every change mirrored onto the shards (status, endsAt, price); shards converge on the highest. */
  configVersion: number;
  /** Bumped whenever work for the sweep appears after the deal ended, so "settled" cannot race it. */
  sweepEpoch: number;
  /** Set by a sweep that found the ENDED deal idle; a later sweep at the same epoch may settle it. */
  settleCandidate?: { epoch: number; at: number };
  /** dropId -> the price a gala drop set: each drop applies to a deal once. */
  appliedDrops: Record<string, number>;
  /** Every price the deal has had, oldest first (for the prior-price rule). */
  priceHistory: PricePoint[];
  /** cueId -> the instant of every cue applied (a redelivered cue changes nothing). */
  appliedCues: Record<string, string>;
  /** The instant of the newest cue applied: an older one arriving later is stale and refused. */
  lastCueAt?: string;
  /** Restocks accepted but possibly not yet applied to every shard (restockId -> quantity). */
  pendingRestocks: Record<string, number>;
  createdAt: string;
  startedAt?: string;
  endsAt?: string;
  endedAt?: string;
  /**
   * Who ended the deal when no cue did: the sweep (its duration ran out) or its stream going off air. A sweep
   * that finds it writes the end's audit record if a crash lost it (a cue's redelivery repairs its own).
   */
  endedBy?: 'time' | 'stream';
  /**
   * The latest instant a Stream End of the deal's stream found it still SCHEDULED (only moves forward). A start
   * cue from at or before it was overtaken by that end: in time order the deal started and the stream ended
   * it, so the start leaves it ENDED by the stream.
   */
  streamEndedAt?: string;
  GSI1PK: string;
  GSI1SK: string;
  GSI2PK?: string;
  GSI2SK?: string;
  GSI3PK?: string;
  GSI3SK?: string;
}

export interface ShardItem {
  PK: string;
  SK: string;
  type: 'SHARD';
  dealId: string;
  shard: number;
  available: number;
  added: number;
  issued: number;
  returnedCount: number;
  /** ticket seq -> epoch ms it came back; pruned by the reconciler once its record is RETURNED and old. */
  returns: Record<string, number>;
  /** restockId -> units this shard received from it. */
  restocks: Record<string, number>;
  status: DealStatus;
  endsAt?: string;
  dealPrice: number;
  configVersion: number;
  /** Every ticket <= checkedThrough has been seen to be owned (coupon written) or given back. */
  checkedThrough: number;
  /** `issued` as read at snapAt: tickets <= snapIssued were taken before snapAt. */
  snapIssued: number;
  snapAt: number;
}

export type TicketState = 'CLAIMED' | 'ORPHANED' | 'RETURNED';

export interface TicketItem {
  PK: string;
  SK: string;
  type: 'TICKET';
  dealId: string;
  shard: number;
  seq: number;
  state: TicketState;
  code?: string;
  viewerId?: string;
  at: string;
  returnedAt?: string;
}

export interface SlotItem {
  PK: string;
  SK: string;
  type: 'SLOT';
  dealId: string;
  viewerId: string;
  slot: number;
  code: string;
  couponId: string;
  claimedAt: string;
}

export interface IdempotencyItem {
  PK: string;
  SK: string;
  type: 'IDEMPOTENCY';
  dealId: string;
  viewerId: string;
  idempotencyKey: string;
  code: string;
  couponId: string;
  at: string;
}

export type StoredCouponStatus = 'ISSUED' | 'REDEEMED' | 'EXPIRED';
export type UnitState = 'HELD' | 'RETURNING' | 'RETURNED';

export interface CouponItem {
  PK: string;
  SK: string;
  type: 'COUPON';
  couponId: string;
  code: string;
  dealId: string;
  viewerId: string;
  status: StoredCouponStatus;
  shard: number;
  seq: number;
  slot: number;
  unit: UnitState;
  issuedAt: string;
  expiresAt: string;
  redeemedAt?: string;
  orderId?: string;
  releasedOrders?: Set<string>;
  /** When the latest release happened (keys its audit record). */
  releasedAt?: string;
  /** The order of the latest release: releasedAt is that release's instant, not an earlier one's. */
  releasedOrder?: string;
  /** The checkout principal of the latest release, so a repair writes the release's record as it was. */
  releasedBy?: string;
  /** The checkout principal that redeemed it, for the audit record. */
  redeemedBy?: string;
  expiredAt?: string;
  returnedAt?: string;
  dealPrice: number;
  listPrice: number;
  currency: string;
  GSI1PK: string;
  GSI1SK: string;
  GSI2PK: string;
  GSI2SK: string;
}

/** Written at a code whose claim was abandoned, so the slow claimer can never write the real coupon. */
export interface VoidCouponItem {
  PK: string;
  SK: string;
  type: 'COUPON';
  code: string;
  dealId: string;
  viewerId: string;
  status: 'VOID';
  voidedAt: string;
}

export type AnyCouponItem = CouponItem | VoidCouponItem;

export const isLiveCoupon = (c: AnyCouponItem | undefined): c is CouponItem =>
  c !== undefined && c.status !== 'VOID';

export interface PriceDropItem {
  PK: string;
  SK: string;
  type: 'PRICE_DROP';
  dropId: string;
  galaId: string;
  status: PriceDropView['status'];
  /** ISO 8601 UTC instant it fires at. */
  at: string;
  timeZone: string;
  dealIds?: string[];
  dealPrice?: number;
  percentOff?: number;
  stock?: number;
  createdAt: string;
  createdBy: string;
  firedAt?: string;
  appliedAt?: string;
  cancelledAt?: string;
  results: Record<string, DropOutcome>;
  GSI2PK?: string;
  GSI2SK?: string;
}

/** An immutable audit record; written once with put-if-absent, never updated or deleted. */
export interface AuditItem {
  PK: string;
  SK: string;
  type: 'AUDIT';
  dealId: string;
  /** Names the change (CLAIM#couponId, CUE#cueId, ...): with `at` it is the record's key. */
  recordId: string;
  at: string;
  action: AuditAction;
  actor: AuditActor;
  couponId?: string;
  viewerId?: string;
  orderId?: string;
  cueId?: string;
  dropId?: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
  GSI1PK?: string;
  GSI1SK?: string;
}
