/**
 * Stored items for the store's tests, built the way the engine builds them (keys from the entity modules), with fresh
 * ids so that tests sharing one table never see each other's items. Times are ISO 8601 UTC instants
 * counted from T0.
 */
import {
  type AuditBucket,
  type AuditItem,
  auditKey,
  couponAuditPartition,
} from '../../functions/shared/data/audit.js';
import {
  type CouponItem,
  couponKey,
  couponPhase,
  couponPhasePartition,
  type VoidCouponItem,
  viewerCouponsPartition,
} from '../../functions/shared/data/coupon.js';
import {
  type DealItem,
  dealKey,
  galaDealsPartition,
  streamDealsPartition,
} from '../../functions/shared/data/deal.js';
import {
  type PriceDropItem,
  priceDropKey,
  SCHEDULED_DROPS_PARTITION,
} from '../../functions/shared/data/price-drop.js';
import {
  newRequestRecordItem,
  type RequestRecordItem,
  type RequestRef,
} from '../../functions/shared/data/request-record.js';
import { type ShardItem, shardKey } from '../../functions/shared/data/shard.js';
import { newTallyItem, type TallyItem, tallyKey } from '../../functions/shared/data/tally.js';
import { type TicketItem, ticketKey } from '../../functions/shared/data/ticket.js';
import {
  type IdempotencyItem,
  idempotencyKeyOf,
  rateWindowKey,
  type SlotItem,
  slotKey,
} from '../../functions/shared/data/viewer.js';

/** The entity modules' key builders under one roof, so the store's tests read like the key table in docs/design.md. */
export const keys = {
  deal: dealKey,
  shard: shardKey,
  tally: tallyKey,
  ticket: ticketKey,
  slot: slotKey,
  idempotency: idempotencyKeyOf,
  coupon: couponKey,
  priceDrop: priceDropKey,
  rateWindow: rateWindowKey,
  audit: auditKey,
};

/** Index attributes as the entity modules write them. */
export const gsi = {
  streamDeals: (streamId: string, dealId: string) => ({
    GSI1PK: streamDealsPartition(streamId),
    GSI1SK: `DEAL#${dealId}`,
  }),
  galaDeals: (galaId: string, dealId: string) => ({
    GSI3PK: galaDealsPartition(galaId),
    GSI3SK: `DEAL#${dealId}`,
  }),
  viewerCoupons: (viewerId: string, couponId: string) => ({
    GSI1PK: viewerCouponsPartition(viewerId),
    GSI1SK: `COUPON#${couponId}`,
  }),
  couponPhasePartition,
  couponPhase,
  scheduledDrop: (at: string, galaId: string, dropId: string) => ({
    GSI2PK: SCHEDULED_DROPS_PARTITION,
    GSI2SK: `${at}#${dropId}#${galaId}`,
  }),
  couponAudit: (couponId: string, at: string, recordId: string) => ({
    GSI1PK: couponAuditPartition(couponId),
    GSI1SK: `${at}#${recordId}`,
  }),
};

export const T0_MS = Date.parse('2026-11-26T20:00:00.000Z');
/** The instant `ms` milliseconds after T0 (negative: before). */
export const at = (ms: number): string => new Date(T0_MS + ms).toISOString();
export const MINUTE = 60_000;
export const NOW = at(0);
export const EARLIER = at(-10 * MINUTE);
export const LATER = at(10 * MINUTE);

let counter = 0;
/** A fresh id that sorts after every id handed out before it (like the ULIDs the engine uses). */
export const freshId = (prefix: string): string => `${prefix}${String(++counter).padStart(8, '0')}`;

/** A string of about `bytes` bytes, to make items big enough that a read has to page. */
export const padding = (bytes: number): string => 'x'.repeat(bytes);

export const dealItem = (overrides: Partial<DealItem> = {}): DealItem => {
  const dealId = overrides.dealId ?? freshId('deal');
  const streamId = overrides.streamId ?? 'stream-1';
  return {
    ...keys.deal(dealId),
    type: 'DEAL',
    dealId,
    title: 'Puffer jacket, half price',
    sku: 'JKT-001',
    streamId,
    hostId: 'host-1',
    currency: 'EUR',
    listPrice: 12_000,
    dealPrice: 6_000,
    perViewerLimit: 1,
    claimTtlSeconds: 600,
    shardCount: 2,
    status: 'LIVE',
    configVersion: 3,
    sweepEpoch: 0,
    pendingRestocks: {},
    priceHistory: [{ at: EARLIER, price: 6_000 }],
    appliedCues: {},
    appliedDrops: {},
    createdAt: EARLIER,
    startedAt: EARLIER,
    endsAt: LATER,
    ...gsi.streamDeals(streamId, dealId),
    ...overrides,
  };
};

export const shardItem = (overrides: Partial<ShardItem> = {}): ShardItem => {
  const dealId = overrides.dealId ?? freshId('deal');
  const shard = overrides.shard ?? 0;
  return {
    ...keys.shard(dealId, shard),
    type: 'SHARD',
    dealId,
    shard,
    available: 4,
    added: 10,
    issued: 6,
    absorbed: 0,
    restocks: {},
    status: 'LIVE',
    endsAt: LATER,
    dealPrice: 6_000,
    configVersion: 2,
    checkedThrough: 0,
    snapIssued: 0,
    snapAt: 0,
    ...overrides,
  };
};

export const tallyItem = (overrides: Partial<TallyItem> = {}): TallyItem => {
  const dealId = overrides.dealId ?? freshId('deal');
  const shard = overrides.shard ?? 0;
  return { ...newTallyItem(dealId, shard), ...overrides };
};

export const ticketItem = (overrides: Partial<TicketItem> = {}): TicketItem => {
  const dealId = overrides.dealId ?? freshId('deal');
  const shard = overrides.shard ?? 0;
  const seq = overrides.seq ?? 1;
  return {
    ...keys.ticket(dealId, shard, seq),
    type: 'TICKET',
    dealId,
    shard,
    seq,
    state: 'CLAIMED',
    code: freshId('CODE'),
    viewerId: 'viewer-1',
    at: NOW,
    ...overrides,
  };
};

export const slotItem = (overrides: Partial<SlotItem> = {}): SlotItem => {
  const dealId = overrides.dealId ?? freshId('deal');
  const viewerId = overrides.viewerId ?? 'viewer-1';
  const slot = overrides.slot ?? 1;
  return {
    ...keys.slot(dealId, viewerId, slot),
    type: 'SLOT',
    dealId,
    viewerId,
    slot,
    code: freshId('CODE'),
    couponId: freshId('coupon'),
    claimedAt: NOW,
    ...overrides,
  };
};

export const idempotencyItem = (overrides: Partial<IdempotencyItem> = {}): IdempotencyItem => {
  const dealId = overrides.dealId ?? freshId('deal');
  const viewerId = overrides.viewerId ?? 'viewer-1';
  const idempotencyKey = overrides.idempotencyKey ?? freshId('retry-');
  return {
    ...keys.idempotency(dealId, viewerId, idempotencyKey),
    type: 'IDEMPOTENCY',
    dealId,
    viewerId,
    idempotencyKey,
    code: freshId('CODE'),
    couponId: freshId('coupon'),
    at: NOW,
    ...overrides,
  };
};

export const REQUEST_REF: RequestRef = { route: 'CREATE_DEAL', caller: 'host-1', idempotencyKey: 'key-1' };

/** An IN_PROGRESS record of a keyed request, as the engine first writes it. */
export const requestRecordItem = (overrides: Partial<RequestRecordItem> = {}): RequestRecordItem => ({
  ...newRequestRecordItem(REQUEST_REF, {
    requestHash: 'hash-1',
    handle: freshId('handle'),
    at: NOW,
    owner: 'owner-1',
    leaseUntil: T0_MS + 30_000,
    expiresAtEpoch: T0_MS / 1000 + 86_400,
  }),
  ...overrides,
});

/** An ISSUED coupon holding its unit, filed in GSI2 under its expiry (as the engine writes it). */
export const couponItem = (overrides: Partial<CouponItem> = {}): CouponItem => {
  const code = overrides.code ?? freshId('CODE');
  const couponId = overrides.couponId ?? freshId('coupon');
  const dealId = overrides.dealId ?? freshId('deal');
  const viewerId = overrides.viewerId ?? 'viewer-1';
  const shard = overrides.shard ?? 0;
  const expiresAt = overrides.expiresAt ?? LATER;
  return {
    ...keys.coupon(code),
    type: 'COUPON',
    couponId,
    code,
    dealId,
    viewerId,
    status: 'ISSUED',
    shard,
    seq: 1,
    slot: 1,
    unit: 'HELD',
    issuedAt: EARLIER,
    expiresAt,
    dealPrice: 6_000,
    listPrice: 12_000,
    currency: 'EUR',
    ...gsi.viewerCoupons(viewerId, couponId),
    GSI2PK: gsi.couponPhasePartition(dealId, shard),
    GSI2SK: gsi.couponPhase('ISSUED', expiresAt, code),
    ...overrides,
  };
};

export const voidCouponItem = (overrides: Partial<VoidCouponItem> = {}): VoidCouponItem => {
  const code = overrides.code ?? freshId('CODE');
  return {
    ...keys.coupon(code),
    type: 'COUPON',
    code,
    dealId: freshId('deal'),
    viewerId: 'viewer-1',
    status: 'VOID',
    voidedAt: NOW,
    ...overrides,
  };
};

/** A SCHEDULED drop, on the sweep's due list at its instant. */
export const priceDropItem = (overrides: Partial<PriceDropItem> = {}): PriceDropItem => {
  const galaId = overrides.galaId ?? freshId('gala-');
  const dropId = overrides.dropId ?? freshId('drop');
  const dropAt = overrides.at ?? NOW;
  return {
    ...keys.priceDrop(galaId, dropId),
    type: 'PRICE_DROP',
    dropId,
    galaId,
    status: 'SCHEDULED',
    at: dropAt,
    timeZone: 'Europe/Berlin',
    percentOff: 20,
    createdAt: EARLIER,
    createdBy: 'admin-1',
    results: {},
    ...gsi.scheduledDrop(dropAt, galaId, dropId),
    ...overrides,
  };
};

/** A coupon's audit record (filed under its shard and in the coupon's GSI1 history), or a deal record. */
export const auditItem = (
  fields: { dealId: string; bucket: AuditBucket; at: string; couponId?: string },
  overrides: Partial<AuditItem> = {},
): AuditItem => {
  const recordId = overrides.recordId ?? freshId('CLAIM#');
  return {
    ...keys.audit(fields.dealId, fields.bucket, fields.at, recordId),
    type: 'AUDIT',
    dealId: fields.dealId,
    recordId,
    at: fields.at,
    action: 'coupon.claimed',
    actor: { kind: 'viewer', id: 'viewer-1' },
    before: null,
    after: { status: 'ISSUED' },
    ...(fields.couponId === undefined
      ? {}
      : { couponId: fields.couponId, ...gsi.couponAudit(fields.couponId, fields.at, recordId) }),
    ...overrides,
  };
};
