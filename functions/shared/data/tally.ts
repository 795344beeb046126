import type { TallyStore } from '../domain/store-port.js';
import { EXISTS, type Key } from './key.js';
import { type ShardItem, shardKey } from './shard.js';
import type { Table } from './table.js';

/**
 * A shard's tally: the once-only guards and counts of what happens to its units after the claim, on its own
 * partition so the hot shard item stays small (claims never write here). `returned` counts units given back,
 * each ticket once (guarded by `r`); the shard absorbs them into `available` by raising its `absorbed` to it.
 * `redeemed` counts the shard's coupons that are REDEEMED, each redemption or release once (guarded by `d`).
 * Created by the first write that needs it, so deals created before it need no migration.
 */
export interface TallyItem {
  PK: string;
  SK: string;
  type: 'TALLY';
  dealId: string;
  shard: number;
  returned: number;
  /** ticket seq -> epoch ms it came back; pruned by the reconciler once its record is RETURNED and old. */
  r: Record<string, number>;
  redeemed: number;
  /**
   * ticket seq -> the coupon's last tally step counted (odd: a redemption, even: a release); pruned once the
   * coupon's tally is settled and old. A step only ever moves forward, so a late retry cannot count twice.
   */
  d: Record<string, number>;
}

export const tallyKey = (dealId: string, shard: number): Key => ({
  PK: `DEAL#${dealId}#SHARD#${shard}#TALLY`,
  SK: 'TALLY',
});

export const TALLY_CONDITIONS = {
  notYetReturned: 'attribute_not_exists(#r.#seq)',
  newRedeemStep: '(attribute_not_exists(#d.#seq) OR #d.#seq < :step)',
} as const;

export const newTallyItem = (dealId: string, shard: number): TallyItem => ({
  ...tallyKey(dealId, shard),
  type: 'TALLY',
  dealId,
  shard,
  returned: 0,
  r: {},
  redeemed: 0,
  d: {},
});

export const tallyStore = (table: Table): TallyStore => {
  /**
   * A guarded tally update. Its maps exist only once the tally does, so a refusal is read back: on a missing
   * tally it is created (put-if-absent, a race is harmless) and the update tried again; on an existing one it
   * is the answer only if the guard says so (`counted`), since the tally may have appeared meanwhile.
   */
  const guarded = async (
    dealId: string,
    shard: number,
    update: Parameters<Table['updateIf']>[0],
    counted: (tally: TallyItem) => boolean,
  ) => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const done = await table.updateIf<TallyItem>(update);
      if (done !== undefined) return done;
      const tally = await table.get<TallyItem>(tallyKey(dealId, shard));
      if (tally === undefined) await table.putIfNew(newTallyItem(dealId, shard));
      else if (counted(tally)) return undefined;
    }
    throw new Error(`tally of shard ${shard} of deal ${dealId} refused a write its guard allows`);
  };

  return {
    getTally: (dealId, shard) => table.get<TallyItem>(tallyKey(dealId, shard)),

    // One BatchGet of the K shards and K tallies: its cost does not depend on how many coupons there are.
    getStock: async (dealId, shardCount) => {
      const ids = Array.from({ length: shardCount }, (_, k) => k);
      const found = await table.batchGet<ShardItem | TallyItem>(
        [...ids.map((k) => shardKey(dealId, k)), ...ids.map((k) => tallyKey(dealId, k))],
        (item) => item.PK,
      );
      const items = [...found.values()].sort((a, b) => a.shard - b.shard);
      return {
        shards: items.filter((item): item is ShardItem => item.type === 'SHARD'),
        tallies: items.filter((item): item is TallyItem => item.type === 'TALLY'),
      };
    },

    // The guard entry and the count land in one write: a retry of the same return is refused.
    recordReturn: async (dealId, shard, seq, nowMs) =>
      (
        await guarded(
          dealId,
          shard,
          {
            Key: tallyKey(dealId, shard),
            UpdateExpression: 'ADD returned :one SET #r.#seq = :now',
            ConditionExpression: `${EXISTS} AND ${TALLY_CONDITIONS.notYetReturned}`,
            ExpressionAttributeNames: { '#r': 'r', '#seq': String(seq) },
            ExpressionAttributeValues: { ':one': 1, ':now': nowMs },
            ReturnValues: 'ALL_NEW',
          },
          (tally) => tally.r?.[String(seq)] !== undefined,
        )
      )?.returned,

    recordRedeemStep: async (dealId, shard, seq, step) =>
      (await guarded(
        dealId,
        shard,
        {
          Key: tallyKey(dealId, shard),
          UpdateExpression: 'ADD redeemed :delta SET #d.#seq = :step',
          ConditionExpression: `${EXISTS} AND ${TALLY_CONDITIONS.newRedeemStep}`,
          ExpressionAttributeNames: { '#d': 'd', '#seq': String(seq) },
          // Odd steps are redemptions (one more REDEEMED coupon), even steps releases (one fewer).
          ExpressionAttributeValues: { ':delta': step % 2 === 1 ? 1 : -1, ':step': step },
        },
        (tally) => (tally.d?.[String(seq)] ?? 0) >= step,
      )) !== undefined,

    pruneTally: async (dealId, shard, prune) => {
      const names: Record<string, string> = {};
      const removes = [
        ...prune.returns.map((seq, i) => {
          names['#r'] = 'r';
          names[`#r${i}`] = String(seq);
          return `#r.#r${i}`;
        }),
        ...prune.redemptions.map((seq, i) => {
          names['#d'] = 'd';
          names[`#d${i}`] = String(seq);
          return `#d.#d${i}`;
        }),
      ];
      if (removes.length === 0) return;
      await table.updateIf({
        Key: tallyKey(dealId, shard),
        UpdateExpression: `REMOVE ${removes.join(', ')}`,
        ConditionExpression: EXISTS,
        ExpressionAttributeNames: names,
      });
    },
  };
};
