import { type AuditItem, auditItem } from '../data/audit.js';
import type { CouponItem } from '../data/coupon.js';
import type { DealItem } from '../data/deal.js';
import { SCOPES } from '../domain/roles.js';
import type { AuditActor, AuditRecordView } from '../domain/schemas.js';
import type { Actor } from './types.js';

/**
 * Audit records: one immutable item per state change (claim, redeem, release, expiry, cue, price drop,
 * create, end). Each record's key is derived from the state it describes (its instant is one the change
 * stored, its id names the change), so a retry, a replay or a repair writes the same key again and the
 * put-if-absent keeps the first record; nothing ever updates or deletes one.
 */

/** Who acted, by the strongest role the token carries. */
export const actorOf = (actor: Actor, via?: 'studio'): AuditActor => {
  const kind = actor.scopes.has(SCOPES.admin)
    ? 'admin'
    : actor.scopes.has(SCOPES.host)
      ? 'host'
      : actor.scopes.has(SCOPES.checkout)
        ? 'checkout'
        : 'viewer';
  return via === undefined ? { kind, id: actor.sub } : { kind, id: actor.sub, via };
};

export const SYSTEM = {
  sweep: { kind: 'system', id: 'sweep' },
  claim: { kind: 'system', id: 'claim' },
  streamEnd: { kind: 'system', id: 'stream-end' },
} as const satisfies Record<string, AuditActor>;

/** What a coupon record shows of the coupon on each side of the change. */
const couponState = (coupon: CouponItem): Record<string, unknown> => ({
  status: coupon.status,
  expiresAt: coupon.expiresAt,
  dealPrice: coupon.dealPrice,
  ...(coupon.orderId === undefined ? {} : { orderId: coupon.orderId }),
});

/** What a deal record shows of the deal on each side of the change. */
export const dealState = (deal: DealItem): Record<string, unknown> => ({
  status: deal.status,
  dealPrice: deal.dealPrice,
  ...(deal.endsAt === undefined ? {} : { endsAt: deal.endsAt }),
});

/** What a coupon showed while it held its unit, before any checkout. */
const heldState = (coupon: CouponItem): Record<string, unknown> => ({
  status: 'ISSUED',
  expiresAt: coupon.expiresAt,
  dealPrice: coupon.dealPrice,
});

/** A record about one coupon: in its shard's audit partition, findable by couponId. */
const couponRecord = (
  coupon: CouponItem,
  record: Pick<AuditItem, 'recordId' | 'at' | 'action' | 'actor' | 'before' | 'after' | 'orderId'>,
): AuditItem =>
  auditItem({
    bucket: coupon.shard,
    dealId: coupon.dealId,
    couponId: coupon.couponId,
    viewerId: coupon.viewerId,
    ...record,
    ...(record.orderId === undefined ? {} : { orderId: record.orderId }),
  });

export const claimRecord = (coupon: CouponItem, actor: AuditActor): AuditItem =>
  couponRecord(coupon, {
    recordId: `CLAIM#${coupon.couponId}`,
    at: coupon.issuedAt,
    action: 'coupon.claimed',
    actor,
    before: null,
    after: { ...heldState(coupon), unit: 'HELD' },
  });

/** `nowIso` stands in only for an instant an older item did not store. */
export const redeemRecord = (coupon: CouponItem, nowIso: string): AuditItem =>
  couponRecord(coupon, {
    recordId: `REDEEM#${coupon.couponId}#${coupon.orderId ?? ''}`,
    at: coupon.redeemedAt ?? nowIso,
    action: 'coupon.redeemed',
    actor: { kind: 'checkout', id: coupon.redeemedBy ?? 'unknown' },
    ...(coupon.orderId === undefined ? {} : { orderId: coupon.orderId }),
    before: heldState(coupon),
    after: couponState(coupon),
  });

/** Built from the coupon alone, so the release itself and a repair of it write the same record. */
export const releaseRecord = (coupon: CouponItem, orderId: string, nowIso: string): AuditItem =>
  couponRecord(coupon, {
    recordId: `RELEASE#${coupon.couponId}#${orderId}`,
    at: coupon.releasedAt ?? nowIso,
    action: 'coupon.released',
    actor: { kind: 'checkout', id: coupon.releasedBy ?? 'unknown' },
    orderId,
    before: { status: 'REDEEMED', orderId, dealPrice: coupon.dealPrice },
    after: { ...couponState(coupon), unit: coupon.status === 'EXPIRED' ? 'RETURNED' : 'HELD' },
  });

export const expiryRecord = (coupon: CouponItem, actor: AuditActor, nowIso: string): AuditItem =>
  couponRecord(coupon, {
    recordId: `EXPIRE#${coupon.couponId}`,
    at: coupon.expiredAt ?? nowIso,
    action: 'coupon.expired',
    actor,
    before: heldState(coupon),
    after: { status: 'EXPIRED', unit: 'RETURNED' },
  });

export const toAuditView = (item: AuditItem): AuditRecordView => ({
  at: item.at,
  action: item.action,
  actor: item.actor,
  ...(item.couponId === undefined ? {} : { couponId: item.couponId }),
  ...(item.viewerId === undefined ? {} : { viewerId: item.viewerId }),
  ...(item.orderId === undefined ? {} : { orderId: item.orderId }),
  ...(item.cueId === undefined ? {} : { cueId: item.cueId }),
  ...(item.dropId === undefined ? {} : { dropId: item.dropId }),
  before: item.before,
  after: item.after,
});

/**
 * The record of a deal ended by its duration or its stream (`ended.endedBy`). `before` is null when a
 * repair writes it: the state before the end is gone by then.
 */
export const endRecord = (ended: DealItem, before: DealItem | null, nowIso: string, streamId?: string) => {
  const byTime = ended.endedBy === 'time';
  return auditItem({
    bucket: 'deal',
    dealId: ended.dealId,
    recordId: byTime ? 'END#TIME' : 'END#STREAM',
    at: ended.endedAt ?? nowIso,
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
};
