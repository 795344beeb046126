/**
 * What the partition model keeps per partition: a token bucket for writes and one for reads
 * (token-bucket.ts), and the counters the report reads (per partition, per command, per simulated second).
 * The middleware (partition-model.ts) asks it to admit an attempt before it runs and to spend what the
 * attempt actually cost after; a refused admission throws DynamoDB's own throttle.
 */
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { Item } from './item-size.js';
import type { Touch } from './partitions.js';
import type { SimTime } from './sim-time.js';
import { type BucketSettings, TokenBucket } from './token-bucket.js';

export interface PartitionModelSettings {
  /** Per partition: DynamoDB's documented 1,000 WCU/s and 3,000 RCU/s. */
  writeUnitsPerSecond: number;
  readUnitsPerSecond: number;
  /** Unused capacity a partition keeps, in seconds (AWS: up to 300). */
  burstSeconds: number;
  /** Capacity a partition has banked when first touched, in seconds. */
  initialBurstSeconds: number;
  /** Share of admitted writes whose write lands but whose answer is lost (a TimeoutError after the write). */
  lostAnswerShare: number;
  /** Share of attempts answered late, and by how much (simulated ms). */
  slowShare: number;
  slowMs: number;
  /** Simulated ms every attempt takes on top of the store's own time (DynamoDB's single-digit latency). */
  latencyMs: number;
  /** How long a partition's measured bytes-per-item is reused for COUNT and projected queries (simulated ms). */
  sizeSampleMs: number;
}

export const DEFAULT_PARTITION_SETTINGS: PartitionModelSettings = {
  writeUnitsPerSecond: 1_000,
  readUnitsPerSecond: 3_000,
  burstSeconds: 300,
  initialBurstSeconds: 1,
  lostAnswerShare: 0,
  slowShare: 0,
  slowMs: 0,
  latencyMs: 0,
  sizeSampleMs: 2_000,
};

export interface PartitionCounters {
  wcu: number;
  rcu: number;
  calls: number;
  throttles: number;
}

export interface CommandCounters extends PartitionCounters {
  /** Calls the caller made (before the SDK's retries). */
  invocations: number;
  /** Calls that still failed with a throttle after the SDK's retries. */
  throttledAfterRetries: number;
  lostAnswers: number;
  slowAnswers: number;
}

/**
 * Units per simulated second; `figures` = the reads of a deal's stock figures (their read units and calls), by
 * deal: COUNT queries on its shards' index partitions and reads of its shard and tally items (`figureDealOf`).
 */
export interface SeriesPoint {
  wcu: number;
  rcu: number;
  figures: Map<string, { rcu: number; reads: number }>;
}

export type UnitSeries = Map<number, SeriesPoint>;

/** The deal a stock-figure COUNT query counts, from its index partition (`GSI2#DEAL#<dealId>#SHARD#<k>`). */
export const figureDealOf = (partition: string): string | undefined =>
  /#DEAL#([^#]+)#SHARD#/.exec(partition)?.[1];

const STOCK_ITEM = /^DEAL#([^#]+)#SHARD#\d+(?:#TALLY)?$/;

/**
 * The deal whose stock figures a read of these item keys reads: every key one of its shard items
 * (`DEAL#<d>#SHARD#<k>`) or tally items (`DEAL#<d>#SHARD#<k>#TALLY`), whatever the engine reads them for
 * (the full view's figures, the overlay's live view, a claim's look at the shards). Undefined otherwise.
 */
export const stockItemsDealOf = (keys: readonly Item[]): string | undefined => {
  let deal: string | undefined;
  for (const key of keys) {
    const match = STOCK_ITEM.exec(key.PK?.S ?? '');
    if (!match || (deal !== undefined && match[1] !== deal)) return undefined;
    deal = match[1];
  }
  return deal;
};

export const throttleError = (partition: string): ProvisionedThroughputExceededException => {
  const error = new ProvisionedThroughputExceededException({
    message: `The level of configured provisioned throughput for the table was exceeded (simulated: ${partition})`,
    $metadata: { httpStatusCode: 400 },
  });
  Object.assign(error, { $retryable: { throttling: true } });
  return error;
};

/** The throttle `admit` throws, or DynamoDB's own. */
export const isThrottle = (error: unknown): boolean =>
  error instanceof ProvisionedThroughputExceededException ||
  (error instanceof Error && error.name === 'ProvisionedThroughputExceededException');

const KIND_OF: Record<string, string> = {
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  GetCommand: 'GetItem',
  BatchGetCommand: 'BatchGetItem',
  QueryCommand: 'Query',
};

/** The name a command's counters go under: `PutItemCommand` or lib-dynamodb's `PutCommand` → `PutItem`. */
export const commandKind = (commandName: string | undefined): string =>
  KIND_OF[commandName ?? ''] ?? (commandName ?? 'unknown').replace(/Command$/, '');

const emptyCounters = (): PartitionCounters => ({ wcu: 0, rcu: 0, calls: 0, throttles: 0 });

export class PartitionCapacity {
  readonly partitions = new Map<string, PartitionCounters>();
  readonly commands = new Map<string, CommandCounters>();
  readonly series: UnitSeries = new Map();
  /** Every stock-figures read at its simulated instant, for windows finer than the series' seconds. */
  readonly figureReads: { at: number; dealId: string; rcu: number }[] = [];
  private readonly writeBuckets = new Map<string, TokenBucket>();
  private readonly readBuckets = new Map<string, TokenBucket>();
  /** Partitions whose name matches one of these start with nothing banked (see `drainBanks`). */
  private readonly unbanked: RegExp[] = [];

  constructor(
    private readonly settings: PartitionModelSettings,
    private readonly time: SimTime,
  ) {}

  command(kind: string): CommandCounters {
    let counters = this.commands.get(kind);
    if (!counters) {
      counters = {
        ...emptyCounters(),
        invocations: 0,
        throttledAfterRetries: 0,
        lostAnswers: 0,
        slowAnswers: 0,
      };
      this.commands.set(kind, counters);
    }
    return counters;
  }

  private partition(name: string): PartitionCounters {
    let counters = this.partitions.get(name);
    if (!counters) {
      counters = emptyCounters();
      this.partitions.set(name, counters);
    }
    return counters;
  }

  private bucket(touch: Touch): TokenBucket {
    const buckets = touch.kind === 'write' ? this.writeBuckets : this.readBuckets;
    let bucket = buckets.get(touch.partition);
    if (!bucket) {
      const settings: BucketSettings = {
        ratePerSecond:
          touch.kind === 'write' ? this.settings.writeUnitsPerSecond : this.settings.readUnitsPerSecond,
        burstSeconds: this.settings.burstSeconds,
        initialSeconds: this.isUnbanked(touch.partition) ? 0 : this.settings.initialBurstSeconds,
      };
      bucket = new TokenBucket(settings, this.time.now());
      buckets.set(touch.partition, bucket);
    }
    return bucket;
  }

  /**
   * Empties the banked capacity of a deal's shared partitions (its shard and tally items, their coupons' index
   * partitions, its audit partitions per shard: every partition named `DEAL#<d>#SHARD#<k>`, with `#TALLY`, or
   * `AUDIT#<d>#SHARD#<k>`), and lets the ones not touched yet start empty, so what a load gets from them is their
   * sustained rate, not their burst. Keys of their own (a viewer's slot, a ticket, a coupon) keep their bank.
   */
  drainBanks(dealId: string): void {
    this.unbanked.push(new RegExp(`#(?:DEAL|AUDIT)#${dealId}#SHARD#\\d+(?:#TALLY)?$`));
    const now = this.time.now();
    for (const buckets of [this.writeBuckets, this.readBuckets])
      for (const [partition, bucket] of buckets) if (this.isUnbanked(partition)) bucket.drain(now);
  }

  private isUnbanked(partition: string): boolean {
    return this.unbanked.some((pattern) => pattern.test(partition));
  }

  /** Throws DynamoDB's throttle when any partition the attempt would touch has no capacity for it. */
  admit(kind: string, estimate: Touch[]): void {
    const now = this.time.now();
    const refused = estimate.find((touch) => !this.bucket(touch).admits(touch.units, now));
    for (const touch of estimate) this.partition(touch.partition).calls++;
    if (!refused) return;
    this.partition(refused.partition).throttles++;
    this.command(kind).throttles++;
    throw throttleError(refused.partition);
  }

  /** Takes what the attempt cost from its partitions' buckets (a bucket may go into debt) and counts it. */
  spend(kind: string, touches: Touch[], figureDeal?: string): void {
    const now = this.time.now();
    const second = Math.floor(now / 1000);
    let point = this.series.get(second);
    if (!point) {
      point = { wcu: 0, rcu: 0, figures: new Map() };
      this.series.set(second, point);
    }
    const command = this.command(kind);
    for (const touch of touches) {
      this.bucket(touch).spend(touch.units, now);
      const counters = this.partition(touch.partition);
      if (touch.kind === 'write') {
        counters.wcu += touch.units;
        command.wcu += touch.units;
        point.wcu += touch.units;
      } else {
        counters.rcu += touch.units;
        command.rcu += touch.units;
        point.rcu += touch.units;
      }
    }
    if (figureDeal === undefined) return;
    const figures = point.figures.get(figureDeal) ?? { rcu: 0, reads: 0 };
    const rcu = touches.reduce((sum, touch) => sum + (touch.kind === 'read' ? touch.units : 0), 0);
    figures.rcu += rcu;
    figures.reads++;
    this.figureReads.push({ at: now, dealId: figureDeal, rcu });
    point.figures.set(figureDeal, figures);
  }
}
