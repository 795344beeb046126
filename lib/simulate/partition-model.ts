/**
 * DynamoDB's partitions, modelled at the client: an SDK middleware that works out which partitions each
 * attempt touches and what it costs (partitions.ts), keeps a token bucket per partition (token-bucket.ts),
 * refuses an attempt whose partitions have no capacity left with DynamoDB's own
 * ProvisionedThroughputExceededException, and injects faults (lost answers, slow answers).
 *
 * It sits right after the SDK's retry middleware (finalizeRequest step), so it sees every attempt and the
 * SDK retries what it throws exactly as it retries DynamoDB's answers. Item sizes come from a side channel:
 * a separate client with no model on it, whose reads cost nothing here.
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { type Item, itemSize } from './item-size.js';
import {
  getTouch,
  type ItemShape,
  queryPartition,
  shapeOf,
  shapeWriteTouches,
  type Touch,
} from './partitions.js';
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

/** The simulation's time: `now` in simulated ms, `sleep` for simulated ms. */
export interface SimTime {
  now(): number;
  sleep(ms: number): Promise<void>;
}

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

const emptyCounters = (): PartitionCounters => ({ wcu: 0, rcu: 0, calls: 0, throttles: 0 });

const KIND_OF: Record<string, string> = {
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  GetCommand: 'GetItem',
  BatchGetCommand: 'BatchGetItem',
  QueryCommand: 'Query',
};

/** `PutItemCommand` or lib-dynamodb's `PutCommand` → `PutItem`. */
export const commandKind = (commandName: string | undefined): string =>
  KIND_OF[commandName ?? ''] ?? (commandName ?? 'unknown').replace(/Command$/, '');

export const throttleError = (partition: string): ProvisionedThroughputExceededException => {
  const error = new ProvisionedThroughputExceededException({
    message: `The level of configured provisioned throughput for the table was exceeded (simulated: ${partition})`,
    $metadata: { httpStatusCode: 400 },
  });
  Object.assign(error, { $retryable: { throttling: true } });
  return error;
};

export const lostAnswerError = (): Error =>
  Object.assign(new Error('simulated: the write landed but its answer was lost'), {
    name: 'TimeoutError',
    $metadata: {},
  });

const isThrottle = (error: unknown): boolean =>
  error instanceof ProvisionedThroughputExceededException ||
  (error instanceof Error && error.name === 'ProvisionedThroughputExceededException');

const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** The middleware type the client's stack takes (typed from the client, not from a transitive package). */
type RelativeMiddleware = Parameters<DynamoDBClient['middlewareStack']['addRelativeTo']>[0];

interface Args {
  input: Record<string, unknown>;
}

export class PartitionModel {
  readonly partitions = new Map<string, PartitionCounters>();
  readonly commands = new Map<string, CommandCounters>();
  readonly series: UnitSeries = new Map();
  private readonly writeBuckets = new Map<string, TokenBucket>();
  private readonly readBuckets = new Map<string, TokenBucket>();
  private readonly bytesPerItem = new Map<string, { at: number; bytes: number }>();
  /**
   * The shape of what each item key holds after the last write this model saw (null: deleted), so the next
   * write to it needs no side read. Every write of the simulation goes through the model; two writes to one
   * key in flight at once may leave the older shape here, which only shifts a size estimate by a few bytes.
   */
  private readonly known = new Map<string, ItemShape | null>();
  /** Partitions whose name matches one of these start with nothing banked (see `drainBanks`). */
  private readonly unbanked: RegExp[] = [];

  constructor(
    readonly settings: PartitionModelSettings,
    private readonly time: SimTime,
    /** The side channel: an unmodelled client on the same store. */
    private readonly side: DynamoDBClient,
    private readonly random: () => number = Math.random,
  ) {}

  /** Calls under way (their retries included), and how many of them wait in simulated time right now. */
  private inFlight = 0;
  private parked = 0;
  /** Called when a call starts waiting in simulated time (see `allParked`). */
  onParked: (() => void) | undefined;

  /**
   * Every call under way waits in simulated time (modelled latency or retry backoff): nothing is on its
   * way to the store or back, so the clock may jump to the next wake-up without skipping any work.
   */
  get allParked(): boolean {
    return this.inFlight === this.parked;
  }

  private async park(ms: number): Promise<void> {
    this.parked++;
    this.onParked?.();
    try {
      await this.time.sleep(ms);
    } finally {
      this.parked--;
    }
  }

  /**
   * Puts the model on a client: one middleware per attempt below the retry middleware, one per call above it.
   * With `backoffInSimulatedTime` the model waits each retry's backoff itself, in simulated time, by the
   * SDK's standard rule (full jitter, base 500 ms after a throttle and 100 ms otherwise, doubling, at most
   * 20 s); the client's own backoff must then be 0 (engines.ts does that).
   */
  install(client: DynamoDBClient, options: { backoffInSimulatedTime?: boolean } = {}): void {
    // A document client made with DynamoDBDocumentClient.from(client) shares this stack.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const kind = this.command(commandKind(context.commandName));
        kind.invocations++;
        this.inFlight++;
        try {
          return await next(args);
        } catch (error) {
          if (isThrottle(error)) kind.throttledAfterRetries++;
          throw error;
        } finally {
          this.inFlight--;
        }
      },
      { step: 'initialize', name: 'simulatePartitionCalls', priority: 'high' },
    );
    const perAttempt = ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => {
      // Per call (the stack is resolved for every send): its retries so far and what the last one met.
      let retries = -1;
      let throttled = false;
      return async (args: unknown) => {
        retries++;
        if (options.backoffInSimulatedTime && retries > 0) {
          const base = throttled ? 500 : 100;
          await this.park(Math.floor(this.random() * Math.min(base * 2 ** (retries - 1), 20_000)));
        }
        try {
          return await this.attempt(commandKind(context.commandName), args as Args, () => next(args));
        } catch (error) {
          throttled = isThrottle(error);
          throw error;
        }
      };
    }) as unknown as RelativeMiddleware;
    client.middlewareStack.addRelativeTo(perAttempt, {
      relation: 'after',
      toMiddleware: 'retryMiddleware',
      name: 'simulatePartitions',
    });
  }

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
  private admit(kind: string, estimate: Touch[]): void {
    const now = this.time.now();
    const refused = estimate.find((touch) => !this.bucket(touch).admits(touch.units, now));
    for (const touch of estimate) this.partition(touch.partition).calls++;
    if (!refused) return;
    this.partition(refused.partition).throttles++;
    this.command(kind).throttles++;
    throw throttleError(refused.partition);
  }

  private spend(kind: string, touches: Touch[], figureDeal?: string): void {
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
    figures.rcu += touches.reduce((sum, touch) => sum + (touch.kind === 'read' ? touch.units : 0), 0);
    figures.reads++;
    point.figures.set(figureDeal, figures);
  }

  private async read(key: Item | undefined, tableName: string): Promise<Item | undefined> {
    if (key === undefined) return undefined;
    const out = await this.side.send(
      new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
    );
    return out.Item;
  }

  private async delay(kind: string): Promise<void> {
    let ms = this.settings.latencyMs;
    if (this.settings.slowShare > 0 && this.random() < this.settings.slowShare) {
      ms += this.settings.slowMs;
      this.command(kind).slowAnswers++;
    }
    if (ms > 0) await this.park(ms);
  }

  private async attempt(kind: string, args: Args, next: () => Promise<unknown>): Promise<unknown> {
    this.command(kind).calls++;
    const input = args.input;
    const tableName = String(input.TableName ?? '');
    if (kind === 'PutItem' || kind === 'UpdateItem' || kind === 'DeleteItem')
      return this.write(kind, input, next);
    if (kind === 'GetItem') {
      const key = input.Key as Item;
      const pk = key.PK?.S ?? '?';
      const consistent = input.ConsistentRead === true;
      this.admit(kind, [getTouch(pk, undefined, consistent)]);
      await this.delay(kind);
      const result = (await next()) as { output: { Item?: Item } };
      this.spend(kind, [getTouch(pk, result.output.Item, consistent)], stockItemsDealOf([key]));
      return result;
    }
    if (kind === 'BatchGetItem') {
      const request =
        (input.RequestItems as Record<string, { Keys: Item[]; ConsistentRead?: boolean }>)[tableName] ??
        Object.values(input.RequestItems as Record<string, { Keys: Item[]; ConsistentRead?: boolean }>)[0];
      const keys = request?.Keys ?? [];
      const consistent = request?.ConsistentRead === true;
      this.admit(
        kind,
        keys.map((key) => getTouch(key.PK?.S ?? '?', undefined, consistent)),
      );
      await this.delay(kind);
      const result = (await next()) as {
        output: { Responses?: Record<string, Item[]>; UnprocessedKeys?: Record<string, { Keys?: Item[] }> };
      };
      const found = new Map<string, Item>();
      for (const items of Object.values(result.output.Responses ?? {}))
        for (const item of items) found.set(`${item.PK?.S}\u0000${item.SK?.S}`, item);
      const unprocessed = new Set(
        Object.values(result.output.UnprocessedKeys ?? {}).flatMap((each) =>
          (each.Keys ?? []).map((key) => `${key.PK?.S}\u0000${key.SK?.S}`),
        ),
      );
      this.spend(
        kind,
        keys
          .filter((key) => !unprocessed.has(`${key.PK?.S}\u0000${key.SK?.S}`))
          .map((key) => getTouch(key.PK?.S ?? '?', found.get(`${key.PK?.S}\u0000${key.SK?.S}`), consistent)),
        stockItemsDealOf(keys),
      );
      return result;
    }
    if (kind === 'Query') return this.query(kind, input as unknown as QueryCommandInput, next);
    await this.delay(kind);
    return next();
  }

  private async write(
    kind: string,
    input: Record<string, unknown>,
    next: () => Promise<unknown>,
  ): Promise<unknown> {
    const tableName = String(input.TableName ?? '');
    const proposed = kind === 'PutItem' ? (input.Item as Item) : undefined;
    const key = proposed
      ? { PK: proposed.PK as AttributeValue, SK: proposed.SK as AttributeValue }
      : (input.Key as Item);
    const pk = key.PK?.S ?? '?';
    // A put that only writes a new item found nothing before it when it succeeds, and the item that refused
    // it is still there when it fails: read it only then, which saves most of the side reads of a claim.
    const onlyIfNew =
      proposed !== undefined &&
      /^\s*attribute_not_exists\(\s*PK\s*\)\s*$/.test(String(input.ConditionExpression ?? ''));
    const known = `${tableName}\u0000${pk}\u0000${key.SK?.S ?? ''}`;
    const cached = this.known.get(known);
    let before =
      cached !== undefined
        ? (cached ?? undefined)
        : onlyIfNew
          ? undefined
          : shapeOf(await this.read(key, tableName));
    const proposedShape = shapeOf(proposed);
    // Known before the write runs: the item now and, for a put, the item to come (an update's result is not).
    this.admit(kind, shapeWriteTouches({ pk, before, after: proposedShape ?? before, written: true }));
    await this.delay(kind);
    let result: unknown;
    try {
      result = await next();
    } catch (error) {
      if (isConditionFailure(error)) {
        // The item that refused it: handed back when the write asked for it (ALL_OLD), else read.
        const refusedBy = (error as { Item?: Item }).Item;
        if (refusedBy !== undefined) before = shapeOf(refusedBy);
        else if (onlyIfNew && cached === undefined) before = shapeOf(await this.read(key, tableName));
        this.known.set(known, before ?? null);
        this.spend(kind, shapeWriteTouches({ pk, before, after: proposedShape ?? before, written: false }));
      }
      throw error;
    }
    const returned =
      input.ReturnValues === 'ALL_NEW'
        ? (result as { output?: { Attributes?: Item } }).output?.Attributes
        : undefined;
    const after =
      kind === 'DeleteItem'
        ? undefined
        : (proposedShape ?? shapeOf(returned ?? (await this.read(key, tableName))));
    this.known.set(known, after ?? null);
    this.spend(kind, shapeWriteTouches({ pk, before, after, written: true }));
    if (this.settings.lostAnswerShare > 0 && this.random() < this.settings.lostAnswerShare) {
      this.command(kind).lostAnswers++;
      throw lostAnswerError();
    }
    return result;
  }

  private async query(
    kind: string,
    input: QueryCommandInput,
    next: () => Promise<unknown>,
  ): Promise<unknown> {
    const partition = queryPartition(input as Parameters<typeof queryPartition>[0]);
    const consistent = input.IndexName === undefined && input.ConsistentRead === true;
    const minimum: Touch = { partition, kind: 'read', units: consistent ? 1 : 0.5 };
    this.admit(kind, [minimum]);
    await this.delay(kind);
    const result = (await next()) as { output: { Items?: Item[]; Count?: number; ScannedCount?: number } };
    const { Items, Count, ScannedCount } = result.output;
    const complete = input.Select !== 'COUNT' && input.ProjectionExpression === undefined;
    const bytes =
      complete && input.FilterExpression === undefined
        ? (Items ?? []).reduce((sum, item) => sum + itemSize(item), 0)
        : (ScannedCount ?? Count ?? 0) * (await this.meanItemBytes(partition, input));
    const units = Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
    this.spend(
      kind,
      [{ partition, kind: 'read', units }],
      input.Select === 'COUNT' ? figureDealOf(partition) : undefined,
    );
    return result;
  }

  /**
   * What an item of this partition weighs, for a page whose items did not come back whole (COUNT, a
   * projection, a filter): measured by reading the page again on the side channel, then reused a while.
   */
  private async meanItemBytes(partition: string, input: QueryCommandInput): Promise<number> {
    const now = this.time.now();
    const cached = this.bytesPerItem.get(partition);
    if (cached && now - cached.at < this.settings.sizeSampleMs) return cached.bytes;
    const expressions = [input.KeyConditionExpression ?? '', input.FilterExpression ?? ''].join(' ');
    const used = <T>(entries: Record<string, T> | undefined) =>
      entries === undefined
        ? undefined
        : Object.fromEntries(
            Object.entries(entries).filter(([name]) => new RegExp(`${name}\\b`).test(expressions)),
          );
    const names = used(input.ExpressionAttributeNames);
    const out = await this.side.send(
      new QueryCommand({
        ...input,
        Select: undefined,
        ProjectionExpression: undefined,
        ExpressionAttributeNames: names && Object.keys(names).length > 0 ? names : undefined,
        ExpressionAttributeValues: used(input.ExpressionAttributeValues),
      }),
    );
    const items = out.Items ?? [];
    const bytes =
      items.length === 0 ? 0 : items.reduce((sum, item) => sum + itemSize(item), 0) / items.length;
    this.bytesPerItem.set(partition, { at: now, bytes });
    return bytes;
  }
}
