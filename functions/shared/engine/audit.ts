import type { AuditItem, CouponItem, DealItem } from '../data/items.js';
import { type AuditBucket, gsi, keys } from '../data/keys.js';
import { SCOPES } from '../domain/roles.js';
import type { AuditActor, AuditRecordView } from '../domain/schemas.js';
import type { Actor } from './types.js';

/**
 * Audit records: one immutable item per state change (claim, redeem, release, expiry, cue, price drop,
 * create, end). Each record's key is derived from the state it describes (its instant is one the change
 * stored, its id names the change), so a retry, a replay or a repair writes the same key again and the
 * put-if-absent keeps the first record; nothing ever updates or deletes one.
 */
export type AuditInput = Omit<AuditItem, 'PK' | 'SK' | 'type' | 'GSI1PK' | 'GSI1SK'> & {
  bucket: AuditBucket;
};

export const auditItem = (input: AuditInput): AuditItem => {
  const { bucket, ...record } = input;
  return {
    ...keys.audit(record.dealId, bucket, record.at, record.recordId),
    type: 'AUDIT',
    ...record,
    ...(record.couponId === undefined ? {} : gsi.couponAudit(record.couponId, record.at, record.recordId)),
  };
};

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
  reconcile: { kind: 'system', id: 'reconcile' },
  claim: { kind: 'system', id: 'claim' },
  streamEnd: { kind: 'system', id: 'stream-end' },
} as const satisfies Record<string, AuditActor>;

/** What a coupon record shows of the coupon on each side of the change. */
export const couponState = (coupon: CouponItem): Record<string, unknown> => ({
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

export const claimRecord = (coupon: CouponItem, actor: AuditActor): AuditItem =>
  auditItem({
    bucket: coupon.shard,
    dealId: coupon.dealId,
    recordId: `CLAIM#${coupon.couponId}`,
    at: coupon.issuedAt,
    action: 'coupon.claimed',
    actor,
    couponId: coupon.couponId,
    viewerId: coupon.viewerId,
    before: null,
    after: { status: 'ISSUED', expiresAt: coupon.expiresAt, dealPrice: coupon.dealPrice, unit: 'HELD' },
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
