import type { CapacityModel } from './result.js';

/** What the claim phase wrote: successful claims, and writes per partition key (from an SDK middleware). */
export interface WriteCounts {
  successes: number;
  byKey: ReadonlyMap<string, number>;
}

/** A DynamoDB partition serves about this many write units per second to one partition key. */
export const PARTITION_WCU = 1_000;
const SHARD_KEY = /^DEAL#[^#]+#SHARD#\d+$/;
const K_VALUES = [1, 2, 4, 8, 16, 32, 64];

/**
 * Carries the measured write pattern to real DynamoDB. livedrop's only keys written by many claims are the
 * K shard items; every other claim write goes to a key of its own (viewer slot, ticket, coupon). So one
 * deal sustains K x 1,000 / (shard writes per successful claim) claims per second, refused takes included.
 */
export const modelCapacity = (writes: WriteCounts, shards: number): CapacityModel => {
  let shardWrites = 0;
  let hottestOther = 0;
  for (const [key, count] of writes.byKey) {
    if (SHARD_KEY.test(key)) shardWrites += count;
    else hottestOther = Math.max(hottestOther, count);
  }
  const successes = Math.max(1, writes.successes);
  const perClaim = shardWrites / successes;
  const capacity = (k: number) => (k * PARTITION_WCU) / Math.max(perClaim, 1e-9);
  return {
    assumptions: [
      `One partition key sustains ${PARTITION_WCU.toLocaleString('en-US')} WCU/s; every write here is one item under 1 KB, so 1 WCU (a failed conditional write still costs 1 WCU).`,
      `Measured on this run: ${perClaim.toFixed(3)} shard writes per successful claim (takes, refused takes and returns), spread over ${shards} shard keys; the next hottest key took ${hottestOther} writes in the whole run, so shards are the only hot keys.`,
      'DynamoDB splits hot item collections by key, so writes to distinct keys (slots, tickets, coupons) scale out; the model counts only the hot keys.',
      'Single-counter design: every claim conditionally updates one item, so 1 write per claim on one key.',
      'Transactional design: a TransactWriteItems claim costs 2 WCU per item; the counter item it touches on every claim caps it at half the single-counter figure (and it conflicts under contention, so this is an upper bound).',
      'Reads, Lambda concurrency and API Gateway limits are outside the model (see docs/deploy.md, "Capacity on gala night").',
    ],
    hotKeyWritesPerClaim: perClaim,
    livedrop: { shards, claimsPerSecond: capacity(shards) },
    singleCounter: { claimsPerSecond: PARTITION_WCU },
    transactional: { claimsPerSecond: PARTITION_WCU / 2 },
    byShards: K_VALUES.map((k) => ({ shards: k, claimsPerSecond: capacity(k) })),
  };
};
