import type { AuditBucket } from '../data/audit.js';
import { DealNotFound, Forbidden, ValidationFailed } from '../domain/errors.js';
import { SCOPES } from '../domain/roles.js';
import { toAuditView } from './audit-records.js';
import type { Context } from './context.js';
import type { Actor, AuditPage } from './types.js';

/**
 * A deal's audit records in time order, for its host or an admin. The deal's records and each shard's
 * live in their own partitions; a page reads each after the cursor and merges them.
 */
export const auditTrail = async (
  ctx: Context,
  dealId: string,
  actor: Actor,
  query: { limit?: number; cursor?: string; couponId?: string },
): Promise<AuditPage> => {
  const deal = await ctx.store.getDeal(dealId, false);
  if (!deal) throw new DealNotFound(dealId);
  if (!actor.scopes.has(SCOPES.admin) && !(actor.scopes.has(SCOPES.host) && actor.sub === deal.hostId)) {
    throw new Forbidden('Only the deal’s host or an admin may read its audit trail.');
  }
  if (query.couponId !== undefined) {
    // One coupon's history: a handful of records, in one Query.
    const records = (await ctx.store.queryCouponAudit(query.couponId)).filter(
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
    buckets.map((bucket) => ctx.store.queryAudit(dealId, bucket, limit + 1, after)),
  );
  const merged = pages.flat().sort((a, b) => (a.SK < b.SK ? -1 : a.SK > b.SK ? 1 : 0));
  const page = merged.slice(0, limit);
  const more = merged.length > limit;
  const last = page[page.length - 1];
  return {
    records: page.map(toAuditView),
    ...(more && last !== undefined ? { nextCursor: Buffer.from(last.SK).toString('base64url') } : {}),
  };
};

/** An audit cursor is the sort key of the last record shown: an instant, then the record's id. */
const decodeAuditCursor = (cursor: string): string => {
  const sk = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+Z#[\x21-\x7E]{1,400}$/.test(sk)) {
    throw new ValidationFailed([{ field: 'query.cursor', message: 'Not a cursor from this listing.' }]);
  }
  return sk;
};
