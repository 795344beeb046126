import { INDEX } from '../contract/table-definition.js';
import type { CouponStore } from '../domain/store-port.js';
import type { Key } from './key.js';
import type { Table } from './table.js';

export type StoredCouponStatus = 'ISSUED' | 'REDEEMED' | 'EXPIRED';
export type UnitState = 'HELD' | 'RETURNING' | 'RETURNED';

/**
 * A viewer's coupon, keyed by its normalised code so checkout reaches it with one strongly consistent read.
 * It holds its ticket's unit while ISSUED or REDEEMED; EXPIRED hands it back (unit RETURNING -> RETURNED).
 */
export interface CouponItem {
  PK: string;
  SK: string;
  type: 'COUPON';
  couponId: string;
  code: string;
  dealId: string;
  /** The deal's stream, so the coupon's events need no read of the deal (absent on coupons from before it). */
  streamId?: string;
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
  /**
   * Redemptions and releases so far (odd: REDEEMED after the latest). Each is one step counted once on the shard's
   * tally; while the latest is not yet counted the coupon sits in the REDEEMING phase of GSI2.
   */
  tallyStep?: number;
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

/**
 * Lifecycle phases of a coupon in GSI2. ISSUED sorts by expiresAt (the sweep ranges up to now), RETURNING
 * marks an expiry whose unit is not back in stock yet, EXPIRED is final. REDEEMING marks a redemption or release
 * not yet counted on the shard's tally: only those in flight or cut by a crash, so the sweep finds them cheaply.
 */
export type CouponPhase = 'ISSUED' | 'REDEEMED' | 'REDEEMING' | 'RETURNING' | 'EXPIRED';

export const couponKey = (code: string): Key => ({ PK: `COUPON#${code}`, SK: 'COUPON' });

/** GSI1: a viewer's coupons, newest first (couponId is a ULID). */
export const viewerCouponsPartition = (viewerId: string) => `VIEWER#${viewerId}`;
/** GSI2: per deal shard, by phase then time, so figures count and the sweep ranges cheaply. */
export const couponPhasePartition = (dealId: string, shard: number) => `DEAL#${dealId}#SHARD#${shard}`;
export const couponPhase = (phase: CouponPhase, at: string, code: string) => `${phase}#${at}#${code}`;
export const couponPhasePrefix = (phase: CouponPhase) => `${phase}#`;
const PENDING_PREFIX = couponPhasePrefix('REDEEMING');

/** Whether the coupon's latest redemption or release may not be counted on its shard's tally yet. */
export const isTallyPending = (coupon: CouponItem): boolean => coupon.GSI2SK.startsWith(PENDING_PREFIX);

/** The phase a coupon sits in once its tally step is counted. */
export const settledPhase = (coupon: CouponItem): string => {
  if (coupon.status === 'REDEEMED') return couponPhase('REDEEMED', coupon.redeemedAt ?? '', coupon.code);
  if (coupon.status === 'ISSUED') return couponPhase('ISSUED', coupon.expiresAt, coupon.code);
  const expiredAt = coupon.expiredAt ?? '';
  return couponPhase(coupon.unit === 'RETURNED' ? 'EXPIRED' : 'RETURNING', expiredAt, coupon.code);
};

/**
 * Whether `key` is exactly the key of a coupon in `viewerId`'s listing (what queryViewerCoupons hands back as
 * its last key): a cursor that is anything else would reach DynamoDB as a bad start key.
 */
export const isViewerCouponsKey = (key: Record<string, unknown>, viewerId: string): boolean => {
  const names = ['PK', 'SK', 'GSI1PK', 'GSI1SK'];
  if (Object.keys(key).length !== names.length || !names.every((name) => typeof key[name] === 'string'))
    return false;
  const couponPk = /^COUPON#[0-9A-Z]+$/;
  return (
    key.GSI1PK === viewerCouponsPartition(viewerId) &&
    couponPk.test(String(key.PK)) &&
    key.SK === 'COUPON' &&
    couponPk.test(String(key.GSI1SK))
  );
};

export const COUPON_CONDITIONS = {
  redeemable: '#status = :issued AND viewerId = :viewer AND expiresAt > :now',
  releasable: '#status = :redeemed AND viewerId = :viewer AND orderId = :order',
  expirable: '#status = :issued AND expiresAt <= :now',
  returning: '#unit = :returning',
  tallySettled: 'NOT begins_with(GSI2SK, :pending)',
  sameTallyStep: 'GSI2SK = :pendingPhase AND tallyStep = :step',
} as const;

export type NewCoupon = Pick<
  CouponItem,
  | 'couponId'
  | 'code'
  | 'dealId'
  | 'streamId'
  | 'viewerId'
  | 'shard'
  | 'seq'
  | 'slot'
  | 'issuedAt'
  | 'expiresAt'
  | 'dealPrice'
  | 'listPrice'
  | 'currency'
>;

/** An ISSUED coupon holding its unit, in its viewer's listing and its shard's ISSUED phase. */
export const newCouponItem = (coupon: NewCoupon): CouponItem => ({
  ...couponKey(coupon.code),
  type: 'COUPON',
  ...coupon,
  status: 'ISSUED',
  unit: 'HELD',
  GSI1PK: viewerCouponsPartition(coupon.viewerId),
  GSI1SK: `COUPON#${coupon.couponId}`,
  GSI2PK: couponPhasePartition(coupon.dealId, coupon.shard),
  GSI2SK: couponPhase('ISSUED', coupon.expiresAt, coupon.code),
});

export const voidCouponItem = (
  code: string,
  dealId: string,
  viewerId: string,
  voidedAt: string,
): VoidCouponItem => ({
  ...couponKey(code),
  type: 'COUPON',
  code,
  dealId,
  viewerId,
  status: 'VOID',
  voidedAt,
});

export const couponStore = (table: Table): CouponStore => ({
  putCoupon: (item) => table.putIfNew(item),

  putVoidCoupon: (item) => table.putIfNew(item),

  getCoupon: (code, consistent = true) => table.get<AnyCouponItem>(couponKey(code), consistent),

  getCoupons: async (codes) => {
    const found = await table.batchGet<AnyCouponItem>(
      codes.map((code) => couponKey(code)),
      (item) => item.PK,
    );
    return new Map([...found.values()].map((coupon) => [coupon.code, coupon]));
  },

  redeemCoupon: (code, viewerId, orderId, nowIso, by = 'unknown') =>
    table.updateIf<CouponItem>({
      Key: couponKey(code),
      UpdateExpression:
        'SET #status = :redeemed, redeemedAt = :now, orderId = :order, redeemedBy = :by, GSI2SK = :phase ADD tallyStep :one',
      // Steps are counted in order: the previous one must be counted before this one is taken.
      ConditionExpression: `${COUPON_CONDITIONS.redeemable} AND ${COUPON_CONDITIONS.tallySettled}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':by': by,
        ':redeemed': 'REDEEMED',
        ':issued': 'ISSUED',
        ':viewer': viewerId,
        ':order': orderId,
        ':now': nowIso,
        ':phase': couponPhase('REDEEMING', nowIso, code),
        ':pending': PENDING_PREFIX,
        ':one': 1,
      },
      ReturnValues: 'ALL_NEW',
    }),

  // The orderId is remembered, so a repeated release is a no-op.
  releaseCoupon: async (coupon, orderId, nowIso, by = 'unknown') => {
    const expired = coupon.expiresAt <= nowIso;
    const values: Record<string, unknown> = {
      ':redeemed': 'REDEEMED',
      ':viewer': coupon.viewerId,
      ':order': orderId,
      ':orders': new Set([orderId]),
      ':now': nowIso,
      ':by': by,
      ':phase': couponPhase('REDEEMING', nowIso, coupon.code),
      ':pending': PENDING_PREFIX,
      ':one': 1,
    };
    let update: string;
    let timeCondition: string;
    if (expired) {
      update = 'SET #status = :expired, #unit = :returning, expiredAt = :now, GSI2SK = :phase';
      timeCondition = 'expiresAt <= :now';
      values[':expired'] = 'EXPIRED';
      values[':returning'] = 'RETURNING';
    } else {
      update = 'SET #status = :issued, GSI2SK = :phase';
      timeCondition = 'expiresAt > :now';
      values[':issued'] = 'ISSUED';
    }
    const item = await table.updateIf<CouponItem>({
      Key: couponKey(coupon.code),
      UpdateExpression: `${update}, releasedAt = :now, releasedOrder = :order, releasedBy = :by REMOVE redeemedAt, orderId, redeemedBy ADD releasedOrders :orders, tallyStep :one`,
      ConditionExpression: `${COUPON_CONDITIONS.releasable} AND ${timeCondition} AND ${COUPON_CONDITIONS.tallySettled}`,
      ExpressionAttributeNames: expired ? { '#status': 'status', '#unit': 'unit' } : { '#status': 'status' },
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    });
    return item ? { item, expired } : undefined;
  },

  expireCoupon: (code, nowIso) =>
    table.updateIf<CouponItem>({
      Key: couponKey(code),
      UpdateExpression: 'SET #status = :expired, #unit = :returning, expiredAt = :now, GSI2SK = :phase',
      // A release not yet counted is counted first: the expiry would take the coupon out of REDEEMING.
      ConditionExpression: `${COUPON_CONDITIONS.expirable} AND ${COUPON_CONDITIONS.tallySettled}`,
      ExpressionAttributeNames: { '#status': 'status', '#unit': 'unit' },
      ExpressionAttributeValues: {
        ':expired': 'EXPIRED',
        ':returning': 'RETURNING',
        ':issued': 'ISSUED',
        ':now': nowIso,
        ':phase': couponPhase('RETURNING', nowIso, code),
        ':pending': PENDING_PREFIX,
      },
      ReturnValues: 'ALL_NEW',
    }),

  // Only the step that was counted: a later redemption or release keeps its own REDEEMING phase.
  settleCouponTally: async (coupon) =>
    (await table.updateIf({
      Key: couponKey(coupon.code),
      UpdateExpression: 'SET GSI2SK = :phase',
      ConditionExpression: COUPON_CONDITIONS.sameTallyStep,
      ExpressionAttributeValues: {
        ':phase': settledPhase(coupon),
        ':pendingPhase': coupon.GSI2SK,
        ':step': coupon.tallyStep ?? 0,
      },
    })) !== undefined,

  markCouponReturned: async (coupon, nowIso) => {
    await table.updateIf({
      Key: couponKey(coupon.code),
      UpdateExpression: 'SET #unit = :returned, returnedAt = :now, GSI2SK = :phase',
      ConditionExpression: COUPON_CONDITIONS.returning,
      ExpressionAttributeNames: { '#unit': 'unit' },
      ExpressionAttributeValues: {
        ':returned': 'RETURNED',
        ':returning': 'RETURNING',
        ':now': nowIso,
        ':phase': couponPhase('EXPIRED', coupon.expiredAt ?? nowIso, coupon.code),
      },
    });
  },

  queryCouponsByPhase: (dealId, shard, phase, untilIso) => {
    const prefix = couponPhasePrefix(phase);
    return table.queryAll<CouponItem>({
      IndexName: INDEX.byPhase,
      KeyConditionExpression:
        untilIso === undefined
          ? 'GSI2PK = :pk AND begins_with(GSI2SK, :prefix)'
          : 'GSI2PK = :pk AND GSI2SK BETWEEN :prefix AND :until',
      ExpressionAttributeValues: {
        ':pk': couponPhasePartition(dealId, shard),
        ':prefix': prefix,
        ...(untilIso === undefined ? {} : { ':until': `${prefix}${untilIso}#~` }),
      },
    });
  },

  countCouponsByPhase: (dealId, shard, phase) =>
    table.count({
      IndexName: INDEX.byPhase,
      KeyConditionExpression: 'GSI2PK = :pk AND begins_with(GSI2SK, :prefix)',
      ExpressionAttributeValues: {
        ':pk': couponPhasePartition(dealId, shard),
        ':prefix': couponPhasePrefix(phase),
      },
    }),

  queryViewerCoupons: (viewerId, limit, startKey) =>
    table.queryPage<CouponItem>({
      IndexName: INDEX.byOwner,
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': viewerCouponsPartition(viewerId) },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
});
