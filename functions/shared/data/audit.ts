import { INDEX } from '../contract/table-definition.js';
import type { AuditAction, AuditActor } from '../domain/schemas.js';
import type { AuditStore } from '../domain/store-port.js';
import { type Key, keyString } from './key.js';
import type { Table } from './table.js';

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

/** A coupon's stock shard, or 'deal' for records about the deal itself. */
export type AuditBucket = number | 'deal';

/**
 * Coupon records go to the partition of the coupon's stock shard (spread like the claims themselves); deal
 * records (create, cue, price drop, end) to the deal's own audit partition. The sort key starts with the
 * instant, so each partition reads in time order.
 */
export const auditPartition = (dealId: string, bucket: AuditBucket): string =>
  `AUDIT#${dealId}#${bucket === 'deal' ? 'DEAL' : `SHARD#${bucket}`}`;

export const auditKey = (dealId: string, bucket: AuditBucket, at: string, recordId: string): Key => ({
  PK: auditPartition(dealId, bucket),
  SK: `${at}#${recordId}`,
});

/** GSI1 on coupon records: one coupon's history, in time order. */
export const couponAuditPartition = (couponId: string) => `AUDIT#COUPON#${couponId}`;

export type AuditInput = Omit<AuditItem, 'PK' | 'SK' | 'type' | 'GSI1PK' | 'GSI1SK'> & {
  bucket: AuditBucket;
};

export const auditItem = (input: AuditInput): AuditItem => {
  const { bucket, ...record } = input;
  return {
    ...auditKey(record.dealId, bucket, record.at, record.recordId),
    type: 'AUDIT',
    ...record,
    ...(record.couponId === undefined
      ? {}
      : { GSI1PK: couponAuditPartition(record.couponId), GSI1SK: `${record.at}#${record.recordId}` }),
  };
};

export const auditStore = (table: Table): AuditStore => ({
  putAudit: (item) => table.putIfNew(item),

  existingAudits: async (requested) => {
    const found = await table.batchGet<AuditItem>(
      requested.map(({ PK, SK }) => ({ PK, SK })),
      (item) => keyString(item),
    );
    return new Set(found.keys());
  },

  // One page of one partition in time order, after `afterSk` (exclusive).
  queryAudit: async (dealId, bucket, limit, afterSk) =>
    (
      await table.queryPage<AuditItem>({
        KeyConditionExpression: afterSk === undefined ? 'PK = :pk' : 'PK = :pk AND SK > :after',
        ExpressionAttributeValues: {
          ':pk': auditPartition(dealId, bucket),
          ...(afterSk === undefined ? {} : { ':after': afterSk }),
        },
        Limit: limit,
      })
    ).items,

  queryCouponAudit: (couponId) =>
    table.queryAll<AuditItem>({
      IndexName: INDEX.byOwner,
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': couponAuditPartition(couponId) },
    }),
});
