/** The capacity figures, from the partition model's counters and the ledger of answers. */
import type { Checks } from './checks.js';
import type { Ledger } from './ledger.js';
import type { PartitionModel } from './partition-model.js';

export interface HotPartition {
  key: string;
  wcu: number;
  rcu: number;
  calls: number;
  throttles: number;
}

export interface FiguresReads {
  /** Store read units spent on the headline deal's stock figures in the second around its 1,000th coupon. */
  atCoupons1k: number | null;
  /** The same around its 10,000th coupon (the headline deal after its restock). */
  atCoupons10k: number | null;
  /** Each simulated second of the rush: coupons granted so far on the deal, its figure read units and calls. */
  perSecond: { second: number; coupons: number; rcu: number; reads: number }[];
}

const SHARD_PARTITION = /^table#DEAL#([^#]+)#SHARD#(\d+)$/;

export const hottestPartitions = (model: PartitionModel, top = 20): HotPartition[] =>
  [...model.partitions.entries()]
    .map(([key, counters]) => ({ key, ...counters }))
    .sort((a, b) => b.wcu + b.rcu - (a.wcu + a.rcu) || b.throttles - a.throttles)
    .slice(0, top);

/** WCU spent on the busiest stock shard, per coupon issued from that shard. */
export const hotShardWcuPerClaim = (
  model: PartitionModel,
  checks: Checks,
): { partition: string; wcuPerClaim: number } | null => {
  let hottest: { partition: string; wcu: number; shard: string } | undefined;
  for (const [partition, counters] of model.partitions) {
    const match = SHARD_PARTITION.exec(partition);
    if (!match) continue;
    if (!hottest || counters.wcu > hottest.wcu)
      hottest = { partition, wcu: counters.wcu, shard: `${match[1]}#${match[2]}` };
  }
  if (!hottest) return null;
  const issued = checks.couponsPerShard.get(hottest.shard) ?? 0;
  return { partition: hottest.partition, wcuPerClaim: issued === 0 ? hottest.wcu : hottest.wcu / issued };
};

export const totals = (model: PartitionModel) => {
  let wcu = 0;
  let rcu = 0;
  let throttles = 0;
  for (const counters of model.partitions.values()) {
    wcu += counters.wcu;
    rcu += counters.rcu;
    throttles += counters.throttles;
  }
  return { wcu, rcu, throttles };
};

/**
 * Figure reads a second on `dealId`: the read units of every read the model classed as reading the deal's
 * stock figures (COUNT queries on its shards' index partitions, reads of its shard and tally items: see
 * `stockItemsDealOf`), whichever way the engine computes them.
 *
 * `atCoupons1k` and `atCoupons10k` are the read units in the simulated second around the instant the deal
 * granted its 1,000th coupon and its 10,000th (or its last, if it stopped between 8,000 and 12,000): a rush
 * sells a thousand units in a fraction of a second, so whole seconds of the clock would never see the deal
 * at about 1,000. A second is what a container's figures stay cached, so each container reads them at most
 * about once in either window, whatever the coupon count. `perSecond` has every second of the rush, for the chart.
 */
export const figuresReads = (
  model: PartitionModel,
  ledger: Ledger,
  dealId: string,
  startedAt: number,
  endedAt: number,
): FiguresReads => {
  const grants = ledger.grants
    .filter((grant) => grant.dealId === dealId && !grant.replayed)
    .map((grant) => grant.at)
    .sort((a, b) => a - b);
  const reads = model.figureReads.filter((read) => read.dealId === dealId);
  const inWindow = (from: number, to: number) => reads.filter((read) => read.at >= from && read.at < to);
  const perSecond: FiguresReads['perSecond'] = [];
  let granted = 0;
  for (let at = startedAt; at < endedAt; at += 1000) {
    while (granted < grants.length && (grants[granted] ?? 0) < at + 1000) granted++;
    const second = inWindow(at, at + 1000);
    const rcu = second.reduce((sum, read) => sum + read.rcu, 0);
    perSecond.push({ second: (at - startedAt) / 1000, coupons: granted, rcu, reads: second.length });
  }
  const around = (nth: number, low: number, high: number) => {
    const count = Math.min(nth, grants.length);
    if (count < low || count > high) return null;
    const at = grants[count - 1] as number;
    const from = Math.max(startedAt, at - 500);
    return inWindow(from, from + 1000).reduce((sum, read) => sum + read.rcu, 0);
  };
  return { atCoupons1k: around(1_000, 500, 2_000), atCoupons10k: around(10_000, 8_000, 12_000), perSecond };
};
