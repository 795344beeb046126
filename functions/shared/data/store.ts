import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  type DeleteCommandInput,
  type DeleteCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { INDEX } from '../contract/table-definition.js';
import type { DealStatus } from '../domain/schemas.js';
import type {
  AnyCouponItem,
  AuditItem,
  CouponItem,
  DealItem,
  IdempotencyItem,
  PriceDropItem,
  ShardItem,
  SlotItem,
  TicketItem,
  VoidCouponItem,
} from './items.js';
import {
  type AuditBucket,
  auditPartition,
  type CouponPhase,
  channelPartition,
  DROP_PREFIX,
  galaPartition,
  gsi,
  type Key,
  keys,
  SLOT_PREFIX,
  viewerPartition,
} from './keys.js';

/**
 * The only code that talks to DynamoDB. Every write is a single-item conditional write (no transactions).
 * A refused guard comes back as `false`/`undefined`, so callers decide; the few writes whose only condition
 * is that the deal exists (markSweepWork, finishRestock, markSettleCandidate) throw instead, since the
 * engine only makes them for a deal it has just read.
 * Condition pieces are named so the README and the unit tests can refer to them.
 */
export const CONDITIONS = {
  isNew: 'attribute_not_exists(PK)',
  exists: 'attribute_exists(PK)',
  unitAvailable: 'available > :zero AND #status = :live AND (attribute_not_exists(endsAt) OR endsAt > :now)',
  notYetReturned: 'attribute_not_exists(#returns.#seq)',
  restockNotApplied: 'attribute_exists(PK) AND attribute_not_exists(#restocks.#rid)',
  olderConfig: 'attribute_exists(PK) AND configVersion < :version',
  notEndedByTime: '(attribute_not_exists(endsAt) OR endsAt > :now)',
  endedByTime: 'endsAt <= :now',
  sameCode: 'code = :code',
  redeemable: '#status = :issued AND viewerId = :viewer AND expiresAt > :now',
  releasable: '#status = :redeemed AND viewerId = :viewer AND orderId = :order',
  expirable: '#status = :issued AND expiresAt <= :now',
  newCue: 'attribute_not_exists(#cues.#cueId)',
  freshCue: 'attribute_not_exists(#cues.#cueId) AND (attribute_not_exists(lastCueAt) OR lastCueAt <= :cueAt)',
  underLimit: 'attribute_not_exists(hits) OR hits < :limit',
  streamEndBeforeCue: '(attribute_not_exists(streamEndedAt) OR streamEndedAt < :cueAt)',
  streamEndNotBeforeCue: 'streamEndedAt >= :cueAt',
  laterStreamEnd:
    '#status = :scheduled AND (attribute_not_exists(streamEndedAt) OR streamEndedAt < :streamEndedAt)',
} as const;

const BATCH_GET_LIMIT = 100;

/** A cue's identity and instant: applied once per cueId, and never when older than the last applied one. */
export interface CueStamp {
  id: string;
  /** ISO 8601 UTC. */
  at: string;
}

/**
 * Adds the cue guard to an update being built; returns its condition. Every cue applies once per cueId;
 * status cues are also ordered (one older than the last status cue applied is stale), while restock and
 * extend commute, so they apply whenever they arrive.
 */
const guardCue = (
  cue: CueStamp,
  names: Record<string, string>,
  values: Record<string, unknown>,
  sets: string[],
  ordered: boolean,
): string => {
  names['#cues'] = 'appliedCues';
  names['#cueId'] = cue.id;
  values[':cueAt'] = cue.at;
  sets.push('#cues.#cueId = :cueAt');
  if (!ordered) return CONDITIONS.newCue;
  sets.push('lastCueAt = :cueAt');
  return CONDITIONS.freshCue;
};
const BATCH_GET_ATTEMPTS = 8;

export const auditKeyString = (key: Key): string => `${key.PK} ${key.SK}`;

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

export class Store {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  // ---------- generic helpers ----------

  private async conditional<T>(run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  private async putIfNew(item: object): Promise<boolean> {
    const done = await this.conditional(() =>
      this.client.send(
        new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: CONDITIONS.isNew }),
      ),
    );
    return done !== undefined;
  }

  /** A conditional UpdateItem: its output, or undefined when its condition refused it. */
  private updateIf(input: Omit<UpdateCommandInput, 'TableName'>): Promise<UpdateCommandOutput | undefined> {
    return this.conditional(() =>
      this.client.send(new UpdateCommand({ TableName: this.tableName, ...input })),
    );
  }

  /** A conditional DeleteItem: its output, or undefined when its condition refused it. */
  private deleteIf(input: Omit<DeleteCommandInput, 'TableName'>): Promise<DeleteCommandOutput | undefined> {
    return this.conditional(() =>
      this.client.send(new DeleteCommand({ TableName: this.tableName, ...input })),
    );
  }

  private async get<T>(key: Key, consistent = true): Promise<T | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: consistent }),
    );
    return out.Item as T | undefined;
  }

  /** BatchGet with strongly consistent reads, retrying unprocessed keys; results keyed by `PK`. */
  private async batchGet<T extends { PK: string }>(
    requested: Key[],
    keyOf: (item: T) => string = (item) => item.PK,
  ): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    // DynamoDB refuses a batch that names one key twice.
    const keyList = [...new Map(requested.map((key) => [`${key.PK}\u0000${key.SK}`, key])).values()];
    for (let i = 0; i < keyList.length; i += BATCH_GET_LIMIT) {
      let pending: Record<string, unknown>[] | undefined = keyList.slice(
        i,
        i + BATCH_GET_LIMIT,
      ) as unknown as Record<string, unknown>[];
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt === BATCH_GET_ATTEMPTS)
          throw new Error(`BatchGetItem left ${pending.length} keys unprocessed`);
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
        const out: BatchGetCommandOutput = await this.client.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) found.set(keyOf(item as T), item as T);
        pending = out.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return found;
  }

  /** The dealIds of every item in one partition of the table or of an index (all pages). */
  private async dealIdsIn(partition: {
    index?: string;
    key: string;
    value: string;
    consistent?: boolean;
  }): Promise<string[]> {
    const items = await this.queryAll<{ dealId: string }>({
      ...(partition.index === undefined ? {} : { IndexName: partition.index }),
      KeyConditionExpression: `${partition.key} = :pk`,
      ExpressionAttributeValues: { ':pk': partition.value },
      ProjectionExpression: 'dealId',
      ...(partition.consistent ? { ConsistentRead: true } : {}),
    });
    return items.map((item) => item.dealId);
  }

  private async queryAll<T>(input: Omit<QueryCommandInput, 'TableName'>): Promise<T[]> {
    const items: T[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start }),
      );
      items.push(...((out.Items ?? []) as T[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  // ---------- rate limits ----------

  /**
   * Counts one request in a rate-limit window; false once the window already holds `limit`. The item
   * expires by TTL after its window, so the counts clean themselves up.
   */
  async countRequest(key: Key, limit: number, expiresAtEpoch: number): Promise<boolean> {
    const done = await this.updateIf({
      Key: key,
      UpdateExpression: 'SET #type = :type, expiresAtEpoch = :ttl ADD hits :one',
      ConditionExpression: CONDITIONS.underLimit,
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':type': 'RATE', ':ttl': expiresAtEpoch, ':one': 1, ':limit': limit },
    });
    return done !== undefined;
  }

  // ---------- audit ----------

  /** Writes a record once: a retry or repair writing the same key leaves the first one untouched. */
  putAudit(item: AuditItem): Promise<boolean> {
    return this.putIfNew(item);
  }

  /** Which of these record keys exist (as `PK SK` strings), with one strongly consistent BatchGet. */
  async existingAudits(requested: Key[]): Promise<Set<string>> {
    const found = await this.batchGet<AuditItem>(
      requested.map(({ PK, SK }) => ({ PK, SK })),
      (item) => auditKeyString(item),
    );
    return new Set(found.keys());
  }

  /** One audit partition in time order, after `afterSk` (exclusive). */
  async queryAudit(
    dealId: string,
    bucket: AuditBucket,
    limit: number,
    afterSk?: string,
  ): Promise<AuditItem[]> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: afterSk === undefined ? 'PK = :pk' : 'PK = :pk AND SK > :after',
        ExpressionAttributeValues: {
          ':pk': auditPartition(dealId, bucket),
          ...(afterSk === undefined ? {} : { ':after': afterSk }),
        },
        Limit: limit,
      }),
    );
    return (out.Items ?? []) as AuditItem[];
  }

  /** One coupon's records in time order (GSI1). */
  queryCouponAudit(couponId: string): Promise<AuditItem[]> {
    return this.queryAll<AuditItem>({
      IndexName: INDEX.byOwner,
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': gsi.couponAuditPartition(couponId) },
    });
  }

  // ---------- deals ----------

  putDeal(item: DealItem): Promise<boolean> {
    return this.putIfNew(item);
  }

  getDeal(dealId: string, consistent = true): Promise<DealItem | undefined> {
    return this.get<DealItem>(keys.deal(dealId), consistent);
  }

  /**
   * Moves a deal's status under `#status IN (from)`; bumps configVersion so the shards converge on it.
   * `whileRunning` refuses when the deal's duration has run out; `onlyIfEndedByTime` is the sweep's end.
   */
  async transitionDeal(
    dealId: string,
    change: {
      from: readonly DealStatus[];
      to: DealStatus;
      nowIso: string;
      time: 'whileRunning' | 'onlyIfEndedByTime' | 'any';
      startedAt?: string;
      endsAt?: string;
      cue?: CueStamp;
      endedBy?: 'time' | 'stream';
      /**
       * For a start cue: whether a Stream End recorded on the deal (`streamEndedAt`) must come before the
       * cue's instant (a normal start) or not (the start overtaken by the end, which leaves it ENDED).
       */
      streamEnd?: 'beforeCue' | 'notBeforeCue';
    },
  ): Promise<DealItem | undefined> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':to': change.to, ':one': 1 };
    const fromNames = change.from.map((status, i) => {
      values[`:from${i}`] = status;
      return `:from${i}`;
    });
    const sets = ['#status = :to'];
    if (change.startedAt !== undefined) {
      sets.push('startedAt = :startedAt');
      values[':startedAt'] = change.startedAt;
    }
    if (change.endsAt !== undefined) {
      sets.push('endsAt = :endsAt');
      values[':endsAt'] = change.endsAt;
    }
    if (change.to === 'ENDED') {
      sets.push('endedAt = :nowIso');
      values[':nowIso'] = change.nowIso;
      if (change.endedBy !== undefined) {
        sets.push('endedBy = :endedBy');
        values[':endedBy'] = change.endedBy;
      }
    }
    let condition = `#status IN (${fromNames.join(', ')})`;
    if (change.time !== 'any') {
      values[':now'] = change.nowIso;
      condition += ` AND ${change.time === 'whileRunning' ? CONDITIONS.notEndedByTime : CONDITIONS.endedByTime}`;
    }
    if (change.cue) condition += ` AND ${guardCue(change.cue, names, values, sets, true)}`;
    if (change.cue && change.streamEnd !== undefined)
      condition += ` AND ${change.streamEnd === 'beforeCue' ? CONDITIONS.streamEndBeforeCue : CONDITIONS.streamEndNotBeforeCue}`;
    const out = await this.updateIf({
      Key: keys.deal(dealId),
      UpdateExpression: `SET ${sets.join(', ')} ADD configVersion :one`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    });
    return out?.Attributes as DealItem | undefined;
  }

  /**
   * Records on a SCHEDULED deal that its stream ended at `streamEndedAt`, only moving the instant forward.
   * False when the deal is no longer SCHEDULED or already holds this end or a later one.
   */
  async markStreamEnded(dealId: string, streamEndedAt: string): Promise<boolean> {
    const out = await this.updateIf({
      Key: keys.deal(dealId),
      UpdateExpression: 'SET streamEndedAt = :streamEndedAt',
      ConditionExpression: CONDITIONS.laterStreamEnd,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':scheduled': 'SCHEDULED', ':streamEndedAt': streamEndedAt },
    });
    return out !== undefined;
  }

  /**
   * Records a restock on the deal before touching shards, so a crash midway is finished by the sweep. The
   * restockId is the cue's id, so a redelivered restock cue adds nothing.
   */
  async acceptRestock(
    dealId: string,
    quantity: number,
    from: readonly DealStatus[],
    nowIso: string,
    cue: CueStamp,
  ): Promise<DealItem | undefined> {
    const names: Record<string, string> = {
      '#status': 'status',
      '#pending': 'pendingRestocks',
      '#rid': cue.id,
    };
    const values: Record<string, unknown> = { ':q': quantity, ':now': nowIso };
    const fromNames = from.map((status, i) => {
      values[`:from${i}`] = status;
      return `:from${i}`;
    });
    const sets = ['#pending.#rid = :q'];
    const fresh = guardCue(cue, names, values, sets, false);
    const out = await this.updateIf({
      Key: keys.deal(dealId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: `#status IN (${fromNames.join(', ')}) AND ${CONDITIONS.notEndedByTime} AND ${fresh}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    });
    return out?.Attributes as DealItem | undefined;
  }

  /** Pushes endsAt of a running deal from `fromEndsAt` (as read) to `toEndsAt`, once per cue. */
  async extendDeal(
    dealId: string,
    change: { fromEndsAt: string; toEndsAt: string; nowIso: string; cue: CueStamp },
  ): Promise<DealItem | undefined> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':live': 'LIVE',
      ':paused': 'PAUSED',
      ':from': change.fromEndsAt,
      ':to': change.toEndsAt,
      ':now': change.nowIso,
      ':one': 1,
    };
    const sets = ['endsAt = :to'];
    const fresh = guardCue(change.cue, names, values, sets, false);
    const out = await this.updateIf({
      Key: keys.deal(dealId),
      UpdateExpression: `SET ${sets.join(', ')} ADD configVersion :one`,
      ConditionExpression: `#status IN (:live, :paused) AND endsAt = :from AND endsAt > :now AND ${fresh}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    });
    return out?.Attributes as DealItem | undefined;
  }

  async finishRestock(dealId: string, restockId: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.deal(dealId),
        UpdateExpression: 'REMOVE #pending.#rid',
        ConditionExpression: CONDITIONS.exists,
        ExpressionAttributeNames: { '#pending': 'pendingRestocks', '#rid': restockId },
      }),
    );
  }

  /** Puts the deal (back) into the sweep's work list, and bumps the epoch so a concurrent "settled" loses. */
  async markSweepWork(dealId: string): Promise<void> {
    const sweep = gsi.sweepDeal(dealId);
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.deal(dealId),
        UpdateExpression: 'SET GSI2PK = :pk, GSI2SK = :sk ADD sweepEpoch :one',
        ConditionExpression: CONDITIONS.exists,
        ExpressionAttributeValues: { ':pk': sweep.GSI2PK, ':sk': sweep.GSI2SK, ':one': 1 },
      }),
    );
  }

  /** Takes a settled deal out of the sweep's work list unless new work appeared since `epoch` was read. */
  async settleDeal(dealId: string, epoch: number): Promise<boolean> {
    const done = await this.updateIf({
      Key: keys.deal(dealId),
      UpdateExpression: 'REMOVE GSI2PK, GSI2SK',
      ConditionExpression: 'sweepEpoch = :epoch',
      ExpressionAttributeValues: { ':epoch': epoch },
    });
    return done !== undefined;
  }

  async markSettleCandidate(dealId: string, epoch: number, nowMs: number): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.deal(dealId),
        UpdateExpression: 'SET settleCandidate = :candidate',
        ConditionExpression: CONDITIONS.exists,
        ExpressionAttributeValues: { ':candidate': { epoch, at: nowMs } },
      }),
    );
  }

  /** Links a deal to the IVS channel it named (written before the deal itself). */
  async putChannelDeal(channelArn: string, dealId: string): Promise<void> {
    await this.putIfNew({ ...keys.channelDeal(channelArn, dealId), type: 'CHANNEL_DEAL', dealId });
  }

  listChannelDeals(channelArn: string): Promise<string[]> {
    return this.dealIdsIn({ key: 'PK', value: channelPartition(channelArn), consistent: true });
  }

  /** The deals of a stream (GSI1; eventually consistent, which a stream ending seconds later tolerates). */
  listStreamDeals(streamId: string): Promise<string[]> {
    return this.dealIdsIn({ index: INDEX.byOwner, key: 'GSI1PK', value: gsi.streamDealsPartition(streamId) });
  }

  listSweepDeals(): Promise<string[]> {
    return this.dealIdsIn({ index: INDEX.byPhase, key: 'GSI2PK', value: gsi.sweepPartition });
  }

  // ---------- shards ----------

  putShard(item: ShardItem): Promise<boolean> {
    return this.putIfNew(item);
  }

  getShard(dealId: string, shard: number): Promise<ShardItem | undefined> {
    return this.get<ShardItem>(keys.shard(dealId, shard));
  }

  async getShards(dealId: string, shardCount: number): Promise<ShardItem[]> {
    const found = await this.batchGet<ShardItem>(
      Array.from({ length: shardCount }, (_, k) => keys.shard(dealId, k)),
    );
    return [...found.values()].sort((a, b) => a.shard - b.shard);
  }

  /**
   * The hot path: one conditional update on one shard. `issued` is monotonic, so the returned value is a
   * unique ticket (shard, seq). Status, endsAt and price live on the shard, so the grant is exact without
   * reading or condition-checking any shared item. On refusal, DynamoDB hands back the shard as it was
   * (ALL_OLD) so the caller learns why without another read; stores that do not, leave `shard` undefined.
   */
  async takeUnit(
    dealId: string,
    shard: number,
    nowIso: string,
  ): Promise<{ taken: ShardItem } | { refused: ShardItem | undefined }> {
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.shard(dealId, shard),
          UpdateExpression: 'ADD available :minusOne, issued :one',
          ConditionExpression: CONDITIONS.unitAvailable,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':minusOne': -1,
            ':one': 1,
            ':zero': 0,
            ':live': 'LIVE',
            ':now': nowIso,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { taken: out.Attributes as ShardItem };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const old = (error as { Item?: Record<string, AttributeValue> }).Item;
      return { refused: old ? (unmarshall(old) as ShardItem) : undefined };
    }
  }

  /** Gives ticket `seq`'s unit back exactly once: the `returns` entry and the +1 land in one write. */
  async returnUnit(dealId: string, shard: number, seq: number, nowMs: number): Promise<boolean> {
    const done = await this.updateIf({
      Key: keys.shard(dealId, shard),
      UpdateExpression: 'ADD available :one, returnedCount :one SET #returns.#seq = :now',
      ConditionExpression: `${CONDITIONS.exists} AND ${CONDITIONS.notYetReturned}`,
      ExpressionAttributeNames: { '#returns': 'returns', '#seq': String(seq) },
      ExpressionAttributeValues: { ':one': 1, ':now': nowMs },
    });
    return done !== undefined;
  }

  async applyRestock(dealId: string, shard: number, restockId: string, quantity: number): Promise<boolean> {
    const done = await this.updateIf({
      Key: keys.shard(dealId, shard),
      UpdateExpression: 'ADD available :q, added :q SET #restocks.#rid = :q',
      ConditionExpression: CONDITIONS.restockNotApplied,
      ExpressionAttributeNames: { '#restocks': 'restocks', '#rid': restockId },
      ExpressionAttributeValues: { ':q': quantity },
    });
    return done !== undefined;
  }

  /** Copies the deal's sellable config onto a shard unless the shard already has this version or newer. */
  async mirrorConfig(dealId: string, shard: number, deal: DealItem): Promise<boolean> {
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
    const done = await this.updateIf({
      Key: keys.shard(dealId, shard),
      UpdateExpression: update,
      ConditionExpression: CONDITIONS.olderConfig,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    });
    return done !== undefined;
  }

  /**
   * Advances the reconcile watermark (only from the value this run read, so concurrent runs cannot move it
   * backwards), optionally takes a new snapshot of `issued`, and prunes settled `returns` entries.
   */
  async saveReconcileProgress(
    dealId: string,
    shard: number,
    progress: {
      fromCheckedThrough: number;
      toCheckedThrough: number;
      snapshot?: { issued: number; at: number };
      prune: number[];
    },
  ): Promise<boolean> {
    const names: Record<string, string> = {};
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
    const removes = progress.prune.map((seq, i) => {
      names['#returns'] = 'returns';
      names[`#p${i}`] = String(seq);
      return `#returns.#p${i}`;
    });
    const done = await this.updateIf({
      Key: keys.shard(dealId, shard),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: 'checkedThrough = :from',
      ExpressionAttributeNames: removes.length > 0 ? names : undefined,
      ExpressionAttributeValues: values,
    });
    return done !== undefined;
  }

  // ---------- tickets ----------

  putTicket(item: TicketItem): Promise<boolean> {
    return this.putIfNew(item);
  }

  async getTickets(dealId: string, shard: number, seqs: number[]): Promise<Map<number, TicketItem>> {
    const found = await this.batchGet<TicketItem>(seqs.map((seq) => keys.ticket(dealId, shard, seq)));
    return new Map([...found.values()].map((ticket) => [ticket.seq, ticket]));
  }

  /** CLAIMED -> ORPHANED: the reconciler takes over a unit whose claim was abandoned. */
  async orphanTicket(dealId: string, shard: number, seq: number, code: string): Promise<boolean> {
    const done = await this.updateIf({
      Key: keys.ticket(dealId, shard, seq),
      UpdateExpression: 'SET #state = :orphaned',
      ConditionExpression: '#state = :claimed AND code = :code',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':orphaned': 'ORPHANED', ':claimed': 'CLAIMED', ':code': code },
    });
    return done !== undefined;
  }

  async markTicketReturned(dealId: string, shard: number, seq: number, nowIso: string): Promise<void> {
    await this.updateIf({
      Key: keys.ticket(dealId, shard, seq),
      UpdateExpression: 'SET #state = :returned, returnedAt = :now',
      ConditionExpression: '#state = :orphaned',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':returned': 'RETURNED', ':orphaned': 'ORPHANED', ':now': nowIso },
    });
  }

  // ---------- viewer slots and idempotency records ----------

  putSlot(item: SlotItem): Promise<boolean> {
    return this.putIfNew(item);
  }

  querySlots(dealId: string, viewerId: string): Promise<SlotItem[]> {
    return this.queryAll<SlotItem>({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :slot)',
      ExpressionAttributeValues: { ':pk': viewerPartition(dealId, viewerId), ':slot': SLOT_PREFIX },
      ConsistentRead: true,
    });
  }

  /** Frees slot n only if it still belongs to `code` (a newer claim may already own it). */
  async freeSlot(dealId: string, viewerId: string, slot: number, code: string): Promise<boolean> {
    const done = await this.deleteIf({
      Key: keys.slot(dealId, viewerId, slot),
      ConditionExpression: CONDITIONS.sameCode,
      ExpressionAttributeValues: { ':code': code },
    });
    return done !== undefined;
  }

  putIdempotency(item: IdempotencyItem): Promise<boolean> {
    return this.putIfNew(item);
  }

  getIdempotency(
    dealId: string,
    viewerId: string,
    idempotencyKey: string,
  ): Promise<IdempotencyItem | undefined> {
    return this.get<IdempotencyItem>(keys.idempotency(dealId, viewerId, idempotencyKey));
  }

  /** A failed attempt forgets its retry record, so a retry runs afresh (failures are not replayed). */
  async dropIdempotency(
    dealId: string,
    viewerId: string,
    idempotencyKey: string,
    code: string,
  ): Promise<void> {
    await this.deleteIf({
      Key: keys.idempotency(dealId, viewerId, idempotencyKey),
      ConditionExpression: CONDITIONS.sameCode,
      ExpressionAttributeValues: { ':code': code },
    });
  }

  // ---------- coupons ----------

  putCoupon(item: CouponItem): Promise<boolean> {
    return this.putIfNew(item);
  }

  /** Claims the code for nobody: after this the abandoned claimer's coupon write must fail. */
  putVoidCoupon(item: VoidCouponItem): Promise<boolean> {
    return this.putIfNew(item);
  }

  getCoupon(code: string, consistent = true): Promise<AnyCouponItem | undefined> {
    return this.get<AnyCouponItem>(keys.coupon(code), consistent);
  }

  async getCoupons(codes: string[]): Promise<Map<string, AnyCouponItem>> {
    const found = await this.batchGet<AnyCouponItem>(codes.map((code) => keys.coupon(code)));
    return new Map([...found.values()].map((coupon) => [coupon.code, coupon]));
  }

  async redeemCoupon(
    code: string,
    viewerId: string,
    orderId: string,
    nowIso: string,
    by = 'unknown',
  ): Promise<CouponItem | undefined> {
    const out = await this.updateIf({
      Key: keys.coupon(code),
      UpdateExpression:
        'SET #status = :redeemed, redeemedAt = :now, orderId = :order, redeemedBy = :by, GSI2SK = :phase',
      ConditionExpression: CONDITIONS.redeemable,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':by': by,
        ':redeemed': 'REDEEMED',
        ':issued': 'ISSUED',
        ':viewer': viewerId,
        ':order': orderId,
        ':now': nowIso,
        ':phase': gsi.couponPhase('REDEEMED', nowIso, code),
      },
      ReturnValues: 'ALL_NEW',
    });
    return out?.Attributes as CouponItem | undefined;
  }

  /**
   * Order cancelled: REDEEMED -> ISSUED while the hold lasts, otherwise straight to EXPIRED with its unit
   * marked RETURNING (the caller then returns it). The orderId is remembered, so a repeat is a no-op.
   */
  async releaseCoupon(
    coupon: CouponItem,
    orderId: string,
    nowIso: string,
    by = 'unknown',
  ): Promise<{ item: CouponItem; expired: boolean } | undefined> {
    const expired = coupon.expiresAt <= nowIso;
    const values: Record<string, unknown> = {
      ':redeemed': 'REDEEMED',
      ':viewer': coupon.viewerId,
      ':order': orderId,
      ':orders': new Set([orderId]),
      ':now': nowIso,
      ':by': by,
    };
    let update: string;
    let timeCondition: string;
    if (expired) {
      update = 'SET #status = :expired, #unit = :returning, expiredAt = :now, GSI2SK = :phase';
      timeCondition = 'expiresAt <= :now';
      values[':expired'] = 'EXPIRED';
      values[':returning'] = 'RETURNING';
      values[':phase'] = gsi.couponPhase('RETURNING', nowIso, coupon.code);
    } else {
      update = 'SET #status = :issued, GSI2SK = :phase';
      timeCondition = 'expiresAt > :now';
      values[':issued'] = 'ISSUED';
      values[':phase'] = gsi.couponPhase('ISSUED', coupon.expiresAt, coupon.code);
    }
    const out = await this.updateIf({
      Key: keys.coupon(coupon.code),
      UpdateExpression: `${update}, releasedAt = :now, releasedOrder = :order, releasedBy = :by REMOVE redeemedAt, orderId, redeemedBy ADD releasedOrders :orders`,
      ConditionExpression: `${CONDITIONS.releasable} AND ${timeCondition}`,
      ExpressionAttributeNames: expired ? { '#status': 'status', '#unit': 'unit' } : { '#status': 'status' },
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    });
    return out ? { item: out.Attributes as CouponItem, expired } : undefined;
  }

  /** ISSUED past expiresAt -> EXPIRED, unit RETURNING. The expiry condition is re-checked in the write. */
  async expireCoupon(code: string, nowIso: string): Promise<CouponItem | undefined> {
    const out = await this.updateIf({
      Key: keys.coupon(code),
      UpdateExpression: 'SET #status = :expired, #unit = :returning, expiredAt = :now, GSI2SK = :phase',
      ConditionExpression: CONDITIONS.expirable,
      ExpressionAttributeNames: { '#status': 'status', '#unit': 'unit' },
      ExpressionAttributeValues: {
        ':expired': 'EXPIRED',
        ':returning': 'RETURNING',
        ':issued': 'ISSUED',
        ':now': nowIso,
        ':phase': gsi.couponPhase('RETURNING', nowIso, code),
      },
      ReturnValues: 'ALL_NEW',
    });
    return out?.Attributes as CouponItem | undefined;
  }

  async markCouponReturned(coupon: CouponItem, nowIso: string): Promise<void> {
    await this.updateIf({
      Key: keys.coupon(coupon.code),
      UpdateExpression: 'SET #unit = :returned, returnedAt = :now, GSI2SK = :phase',
      ConditionExpression: '#unit = :returning',
      ExpressionAttributeNames: { '#unit': 'unit' },
      ExpressionAttributeValues: {
        ':returned': 'RETURNED',
        ':returning': 'RETURNING',
        ':now': nowIso,
        ':phase': gsi.couponPhase('EXPIRED', coupon.expiredAt ?? nowIso, coupon.code),
      },
    });
  }

  /** Coupons of one deal shard in `phase`, optionally only those whose phase time is <= `untilIso`. */
  queryCouponsByPhase(
    dealId: string,
    shard: number,
    phase: CouponPhase,
    untilIso?: string,
  ): Promise<CouponItem[]> {
    const prefix = gsi.couponPhasePrefix(phase);
    return this.queryAll<CouponItem>({
      IndexName: INDEX.byPhase,
      KeyConditionExpression:
        untilIso === undefined
          ? 'GSI2PK = :pk AND begins_with(GSI2SK, :prefix)'
          : 'GSI2PK = :pk AND GSI2SK BETWEEN :prefix AND :until',
      ExpressionAttributeValues: {
        ':pk': gsi.couponPhasePartition(dealId, shard),
        ':prefix': prefix,
        ...(untilIso === undefined ? {} : { ':until': `${prefix}${untilIso}#~` }),
      },
    });
  }

  async countCouponsByPhase(dealId: string, shard: number, phase: CouponPhase): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEX.byPhase,
          KeyConditionExpression: 'GSI2PK = :pk AND begins_with(GSI2SK, :prefix)',
          ExpressionAttributeValues: {
            ':pk': gsi.couponPhasePartition(dealId, shard),
            ':prefix': gsi.couponPhasePrefix(phase),
          },
          Select: 'COUNT',
          ExclusiveStartKey: start,
        }),
      );
      count += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start);
    return count;
  }

  async queryViewerCoupons(
    viewerId: string,
    limit: number,
    startKey?: Record<string, unknown>,
  ): Promise<{ items: CouponItem[]; lastKey?: Record<string, unknown> }> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: INDEX.byOwner,
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': gsi.viewerCouponsPartition(viewerId) },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    );
    return { items: (out.Items ?? []) as CouponItem[], lastKey: out.LastEvaluatedKey };
  }

  // ---------- gala price drops ----------

  putPriceDrop(item: PriceDropItem): Promise<boolean> {
    return this.putIfNew(item);
  }

  getPriceDrop(galaId: string, dropId: string): Promise<PriceDropItem | undefined> {
    return this.get<PriceDropItem>(keys.priceDrop(galaId, dropId));
  }

  /** A gala's drops, newest first (dropIds are ULIDs). */
  async listPriceDrops(galaId: string): Promise<PriceDropItem[]> {
    const items = await this.queryAll<PriceDropItem>({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :drop)',
      ExpressionAttributeValues: { ':pk': galaPartition(galaId), ':drop': DROP_PREFIX },
      ConsistentRead: true,
    });
    return items.reverse();
  }

  /** Moves a drop out of SCHEDULED (cancelled, or applied), taking it off the sweep's overdue list. */
  async closePriceDrop(
    galaId: string,
    dropId: string,
    to: 'CANCELLED' | 'APPLIED',
    nowIso: string,
  ): Promise<PriceDropItem | undefined> {
    const out = await this.updateIf({
      Key: keys.priceDrop(galaId, dropId),
      UpdateExpression: `SET #status = :to, ${to === 'CANCELLED' ? 'cancelledAt' : 'appliedAt'} = :now REMOVE GSI2PK, GSI2SK`,
      ConditionExpression: '#status = :scheduled',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':to': to, ':now': nowIso, ':scheduled': 'SCHEDULED' },
      ReturnValues: 'ALL_NEW',
    });
    return out?.Attributes as PriceDropItem | undefined;
  }

  /** Records when a SCHEDULED drop first fired; undefined when it is no longer SCHEDULED. */
  async markPriceDropFired(
    galaId: string,
    dropId: string,
    nowIso: string,
  ): Promise<PriceDropItem | undefined> {
    const out = await this.updateIf({
      Key: keys.priceDrop(galaId, dropId),
      UpdateExpression: 'SET firedAt = if_not_exists(firedAt, :now)',
      ConditionExpression: '#status = :scheduled',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':now': nowIso, ':scheduled': 'SCHEDULED' },
      ReturnValues: 'ALL_NEW',
    });
    return out?.Attributes as PriceDropItem | undefined;
  }

  async recordPriceDropResult(
    galaId: string,
    dropId: string,
    dealId: string,
    result: unknown,
  ): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.priceDrop(galaId, dropId),
        UpdateExpression: 'SET #results.#deal = :result',
        ConditionExpression: CONDITIONS.exists,
        ExpressionAttributeNames: { '#results': 'results', '#deal': dealId },
        ExpressionAttributeValues: { ':result': result },
      }),
    );
  }

  /** SCHEDULED drops due at or before `untilIso`: the sweep fires any whose schedule never did. */
  async listDuePriceDrops(untilIso: string): Promise<{ galaId: string; dropId: string }[]> {
    return this.queryAll<{ galaId: string; dropId: string }>({
      IndexName: INDEX.byPhase,
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :until',
      ExpressionAttributeValues: { ':pk': gsi.scheduledDropsPartition, ':until': `${untilIso}#~` },
      ProjectionExpression: 'galaId, dropId',
    });
  }

  listGalaDeals(galaId: string): Promise<string[]> {
    return this.dealIdsIn({ index: INDEX.byGala, key: 'GSI3PK', value: gsi.galaDealsPartition(galaId) });
  }

  /**
   * A gala drop's new price on one deal, once per drop: guarded by the drop's id, the price it replaces
   * (as read) and the deal still selling; the price history grows in the same write.
   */
  async applyDealPrice(
    dealId: string,
    change: { dropId: string; from: number; to: number; nowIso: string },
  ): Promise<DealItem | undefined> {
    const out = await this.updateIf({
      Key: keys.deal(dealId),
      UpdateExpression:
        'SET dealPrice = :to, #drops.#drop = :to, priceHistory = list_append(priceHistory, :point) ADD configVersion :one',
      ConditionExpression: `attribute_not_exists(#drops.#drop) AND dealPrice = :from AND #status IN (:scheduled, :live, :paused) AND ${CONDITIONS.notEndedByTime}`,
      ExpressionAttributeNames: { '#status': 'status', '#drops': 'appliedDrops', '#drop': change.dropId },
      ExpressionAttributeValues: {
        ':to': change.to,
        ':from': change.from,
        ':point': [{ at: change.nowIso, price: change.to, dropId: change.dropId }],
        ':one': 1,
        ':scheduled': 'SCHEDULED',
        ':live': 'LIVE',
        ':paused': 'PAUSED',
        ':now': change.nowIso,
      },
      ReturnValues: 'ALL_NEW',
    });
    return out?.Attributes as DealItem | undefined;
  }
}
