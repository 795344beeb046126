import type { DealStatus } from '../domain/schemas.js';
import type { ShardStore } from '../domain/store-port.js';
import { EXISTS, type Key } from './key.js';
import type { Table } from './table.js';

/**
 * One of a deal's K stock shards: the only items many claims write, so nothing on it grows with churn.
 * Invariant: added = available + (issued - absorbed). A unit leaves only by taking ticket (shard, issued + 1)
 * under `available > 0`; it comes back once per ticket through the shard's tally (data/tally.ts), whose
 * `returned` count the shard absorbs into `available`. Status, endsAt and price are mirrored from the deal, so
 * a grant is exact without reading or condition-checking any shared item.
 */
export interface ShardItem {
  PK: string;
  SK: string;
  type: 'SHARD';
  dealId: string;
  shard: number;
  available: number;
  added: number;
  issued: number;
  /** How many of its tally's returned units are back in `available` (absent on shards from before it: 0). */
  absorbed: number;
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

export const shardKey = (dealId: string, shard: number): Key => ({
  PK: `DEAL#${dealId}#SHARD#${shard}`,
  SK: 'SHARD',
});

export const SHARD_CONDITIONS = {
  unitAvailable: 'available > :zero AND #status = :live AND (attribute_not_exists(endsAt) OR endsAt > :now)',
  absorbedFrom: 'absorbed = :from',
  restockNotApplied: 'attribute_exists(PK) AND attribute_not_exists(#restocks.#rid)',
  olderConfig: 'attribute_exists(PK) AND configVersion < :version',
  unmovedWatermark: 'checkedThrough = :from',
} as const;

/** Shard k of a new deal with `quantity` units, SCHEDULED like its deal. */
export const newShardItem = (
  dealId: string,
  shard: number,
  quantity: number,
  dealPrice: number,
): ShardItem => ({
  ...shardKey(dealId, shard),
  type: 'SHARD',
  dealId,
  shard,
  available: quantity,
  added: quantity,
  issued: 0,
  absorbed: 0,
  restocks: {},
  status: 'SCHEDULED',
  dealPrice,
  configVersion: 1,
  checkedThrough: 0,
  snapIssued: 0,
  snapAt: 0,
});

export const shardStore = (table: Table): ShardStore => ({
  putShard: (item) => table.putIfNew(item),

  getShard: (dealId, shard) => table.get<ShardItem>(shardKey(dealId, shard)),

  getShards: async (dealId, shardCount) => {
    const found = await table.batchGet<ShardItem>(
      Array.from({ length: shardCount }, (_, k) => shardKey(dealId, k)),
      (item) => item.PK,
    );
    return [...found.values()].sort((a, b) => a.shard - b.shard);
  },

  getShardsOfDeals: async (deals) => {
    const found = await table.batchGet<ShardItem>(
      deals.flatMap(({ dealId, shardCount }) =>
        Array.from({ length: shardCount }, (_, k) => shardKey(dealId, k)),
      ),
      (item) => item.PK,
    );
    const byDeal = new Map<string, ShardItem[]>(deals.map(({ dealId }) => [dealId, []]));
    for (const shard of found.values()) byDeal.get(shard.dealId)?.push(shard);
    for (const shards of byDeal.values()) shards.sort((a, b) => a.shard - b.shard);
    return byDeal;
  },

  // `issued` is monotonic, so the value returned is a unique ticket (shard, seq).
  takeUnit: async (dealId, shard, nowIso) => {
    const result = await table.updateOrExplain<ShardItem>({
      Key: shardKey(dealId, shard),
      UpdateExpression: 'ADD available :minusOne, issued :one',
      ConditionExpression: SHARD_CONDITIONS.unitAvailable,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':minusOne': -1, ':one': 1, ':zero': 0, ':live': 'LIVE', ':now': nowIso },
      ReturnValues: 'ALL_NEW',
    });
    const sent = result.attempts === undefined ? {} : { attempts: result.attempts };
    return 'updated' in result ? { taken: result.updated, ...sent } : { refused: result.refused, ...sent };
  },

  // Only from the count read, so concurrent absorbers add each returned unit once.
  absorbReturns: async (dealId, shard, from, to) => {
    const result = await table.updateOrExplain<ShardItem>({
      Key: shardKey(dealId, shard),
      UpdateExpression: 'SET absorbed = :to ADD available :delta',
      ConditionExpression:
        from === 0
          ? `${EXISTS} AND (attribute_not_exists(absorbed) OR ${SHARD_CONDITIONS.absorbedFrom})`
          : `${EXISTS} AND ${SHARD_CONDITIONS.absorbedFrom}`,
      ExpressionAttributeValues: { ':from': from, ':to': to, ':delta': to - from },
    });
    return 'updated' in result ? { absorbed: true } : { refused: result.refused };
  },

  applyRestock: async (dealId, shard, restockId, quantity) =>
    (await table.updateIf({
      Key: shardKey(dealId, shard),
      UpdateExpression: 'ADD available :q, added :q SET #restocks.#rid = :q',
      ConditionExpression: SHARD_CONDITIONS.restockNotApplied,
      ExpressionAttributeNames: { '#restocks': 'restocks', '#rid': restockId },
      ExpressionAttributeValues: { ':q': quantity },
    })) !== undefined,

  mirrorConfig: async (dealId, shard, deal) => {
    const values: Record<string, unknown> = {
      ':status': deal.status,
      ':price': deal.dealPrice,
      ':version': deal.configVersion,
    };
    let update = 'SET #status = :status, dealPrice = :price, configVersion = :version';
    if (deal.endsAt !== undefined) {
      update += ', endsAt = :endsAt';
      values[':endsAt'] = deal.endsAt;
    } else {
      update += ' REMOVE endsAt';
    }
    return (
      (await table.updateIf({
        Key: shardKey(dealId, shard),
        UpdateExpression: update,
        ConditionExpression: SHARD_CONDITIONS.olderConfig,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      })) !== undefined
    );
  },

  // Only from the watermark this run read, so concurrent runs cannot move it backwards.
  saveReconcileProgress: async (dealId, shard, progress) => {
    const values: Record<string, unknown> = {
      ':from': progress.fromCheckedThrough,
      ':to': progress.toCheckedThrough,
    };
    const sets = ['checkedThrough = :to'];
    if (progress.snapshot) {
      sets.push('snapIssued = :snapIssued', 'snapAt = :snapAt');
      values[':snapIssued'] = progress.snapshot.issued;
      values[':snapAt'] = progress.snapshot.at;
    }
    return (
      (await table.updateIf({
        Key: shardKey(dealId, shard),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: SHARD_CONDITIONS.unmovedWatermark,
        ExpressionAttributeValues: values,
      })) !== undefined
    );
  },
});
