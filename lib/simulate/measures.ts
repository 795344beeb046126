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
  /** Store read units a second spent on stock figures for the headline deal, around 1,000 coupons. */
  atCoupons1k: number | null;
  /** The same around 10,000 coupons (the headline deal after its restock). */
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

const mean = (values: number[]) =>
  values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;

/**
 * Figure reads a second on `dealId`: the read units of every read the model classed as reading the deal's
 * stock figures (COUNT queries on its shards' index partitions, reads of its shard and tally items: see
 * `stockItemsDealOf`), whichever way the engine computes them. Seconds are bucketed by how many coupons the
 * deal had granted by then.
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
  const perSecond: FiguresReads['perSecond'] = [];
  let granted = 0;
  for (let at = startedAt; at < endedAt; at += 1000) {
    while (granted < grants.length && (grants[granted] ?? 0) < at + 1000) granted++;
    let rcu = 0;
    let reads = 0;
    // The model buckets by whole simulated seconds of the clock; a rush second spans at most two of them.
    for (const second of [Math.floor(at / 1000), Math.floor(at / 1000) + 1]) {
      const figures = model.series.get(second)?.figures.get(dealId);
      const share = second === Math.floor(at / 1000) ? 1 - (at % 1000) / 1000 : (at % 1000) / 1000;
      if (figures) {
        rcu += figures.rcu * share;
        reads += figures.reads * share;
      }
    }
    perSecond.push({ second: (at - startedAt) / 1000, coupons: granted, rcu, reads: Math.round(reads) });
  }
  const around = (low: number, high: number) =>
    mean(
      perSecond
        .filter((point) => point.coupons >= low && point.coupons <= high && point.reads > 0)
        .map((p) => p.rcu),
    );
  return { atCoupons1k: around(500, 2_000), atCoupons10k: around(8_000, 12_000), perSecond };
};
