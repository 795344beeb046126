/**
 * DynamoDB's partitions, modelled at the client: an SDK middleware that works out which partitions each
 * attempt touches and what it costs (partitions.ts), has the partitions' token buckets admit it and take its
 * cost (partition-capacity.ts), refuses an attempt whose partitions have no capacity left with DynamoDB's own
 * ProvisionedThroughputExceededException, and injects faults (lost answers, slow answers).
 *
 * It sits right after the SDK's retry middleware (finalizeRequest step), so it sees every attempt and the
 * SDK retries what it throws exactly as it retries DynamoDB's answers. Item sizes it cannot read off an
 * attempt come from item-shapes.ts: what it saw written, else a side channel whose reads cost nothing here.
 */
import type { AttributeValue, DynamoDBClient, QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { ItemShapes } from './item-shapes.js';
import { type Item, itemSize } from './item-size.js';
import {
  type CommandCounters,
  commandKind,
  figureDealOf,
  isThrottle,
  PartitionCapacity,
  type PartitionCounters,
  type PartitionModelSettings,
  stockItemsDealOf,
  type UnitSeries,
} from './partition-capacity.js';
import {
  type BatchGetOutput,
  batchGetTouches,
  getTouch,
  queryPartition,
  shapeOf,
  shapeWriteTouches,
  type Touch,
} from './partitions.js';
import type { SimTime } from './sim-time.js';

export const lostAnswerError = (): Error =>
  Object.assign(new Error('simulated: the write landed but its answer was lost'), {
    name: 'TimeoutError',
    $metadata: {},
  });

const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** The middleware type the client's stack takes (typed from the client, not from a transitive package). */
type RelativeMiddleware = Parameters<DynamoDBClient['middlewareStack']['addRelativeTo']>[0];

interface Args {
  input: Record<string, unknown>;
}

export class PartitionModel {
  /** The partitions' buckets and the counters the report reads. */
  readonly capacity: PartitionCapacity;
  private readonly shapes: ItemShapes;

  constructor(
    readonly settings: PartitionModelSettings,
    private readonly time: SimTime,
    /** The side channel: an unmodelled client on the same store. */
    side: DynamoDBClient,
    private readonly random: () => number = Math.random,
  ) {
    this.capacity = new PartitionCapacity(settings, time);
    this.shapes = new ItemShapes(side, time, settings);
  }

  get partitions(): Map<string, PartitionCounters> {
    return this.capacity.partitions;
  }

  get commands(): Map<string, CommandCounters> {
    return this.capacity.commands;
  }

  get series(): UnitSeries {
    return this.capacity.series;
  }

  get figureReads(): PartitionCapacity['figureReads'] {
    return this.capacity.figureReads;
  }

  command(kind: string): CommandCounters {
    return this.capacity.command(kind);
  }

  /** See `PartitionCapacity.drainBanks`. */
  drainBanks(dealId: string): void {
    this.capacity.drainBanks(dealId);
  }

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
      // Per call: its retries so far and what the last one met. The retry middleware hands every attempt of a
      // call the same arguments, and a resolved stack may serve many calls (the store resolves it once per
      // command class), so the state is the call's, not the stack's.
      const calls = new WeakMap<object, { retries: number; throttled: boolean }>();
      return async (args: unknown) => {
        const call = calls.get(args as object) ?? { retries: -1, throttled: false };
        calls.set(args as object, call);
        call.retries++;
        if (options.backoffInSimulatedTime && call.retries > 0) {
          const base = call.throttled ? 500 : 100;
          await this.park(Math.floor(this.random() * Math.min(base * 2 ** (call.retries - 1), 20_000)));
        }
        try {
          return await this.attempt(commandKind(context.commandName), args as Args, () => next(args));
        } catch (error) {
          call.throttled = isThrottle(error);
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
      this.capacity.admit(kind, [getTouch(pk, undefined, consistent)]);
      await this.delay(kind);
      const result = (await next()) as { output: { Item?: Item } };
      this.capacity.spend(kind, [getTouch(pk, result.output.Item, consistent)], stockItemsDealOf([key]));
      return result;
    }
    if (kind === 'BatchGetItem') {
      const request =
        (input.RequestItems as Record<string, { Keys: Item[]; ConsistentRead?: boolean }>)[tableName] ??
        Object.values(input.RequestItems as Record<string, { Keys: Item[]; ConsistentRead?: boolean }>)[0];
      const keys = request?.Keys ?? [];
      const consistent = request?.ConsistentRead === true;
      this.capacity.admit(
        kind,
        keys.map((key) => getTouch(key.PK?.S ?? '?', undefined, consistent)),
      );
      await this.delay(kind);
      const result = (await next()) as { output: BatchGetOutput };
      this.capacity.spend(kind, batchGetTouches(keys, result.output, consistent), stockItemsDealOf(keys));
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
    const cached = this.shapes.seen(tableName, key);
    let before =
      cached !== undefined
        ? (cached ?? undefined)
        : onlyIfNew
          ? undefined
          : shapeOf(await this.shapes.read(key, tableName));
    const proposedShape = shapeOf(proposed);
    // Known before the write runs: the item now and, for a put, the item to come (an update's result is not).
    this.capacity.admit(
      kind,
      shapeWriteTouches({ pk, before, after: proposedShape ?? before, written: true }),
    );
    await this.delay(kind);
    let result: unknown;
    try {
      result = await next();
    } catch (error) {
      if (isConditionFailure(error)) {
        // The item that refused it: handed back when the write asked for it (ALL_OLD), else read.
        const refusedBy = (error as { Item?: Item }).Item;
        if (refusedBy !== undefined) before = shapeOf(refusedBy);
        else if (onlyIfNew && cached === undefined) before = shapeOf(await this.shapes.read(key, tableName));
        this.shapes.remember(tableName, key, before);
        this.capacity.spend(
          kind,
          shapeWriteTouches({ pk, before, after: proposedShape ?? before, written: false }),
        );
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
        : (proposedShape ?? shapeOf(returned ?? (await this.shapes.read(key, tableName))));
    this.shapes.remember(tableName, key, after);
    this.capacity.spend(kind, shapeWriteTouches({ pk, before, after, written: true }));
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
    this.capacity.admit(kind, [minimum]);
    await this.delay(kind);
    const result = (await next()) as { output: { Items?: Item[]; Count?: number; ScannedCount?: number } };
    const { Items, Count, ScannedCount } = result.output;
    const complete = input.Select !== 'COUNT' && input.ProjectionExpression === undefined;
    const bytes =
      complete && input.FilterExpression === undefined
        ? (Items ?? []).reduce((sum, item) => sum + itemSize(item), 0)
        : (ScannedCount ?? Count ?? 0) * (await this.shapes.meanItemBytes(partition, input));
    const units = Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
    this.capacity.spend(
      kind,
      [{ partition, kind: 'read', units }],
      input.Select === 'COUNT' ? figureDealOf(partition) : undefined,
    );
    return result;
  }
}
