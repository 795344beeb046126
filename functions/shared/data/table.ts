import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  type DeleteCommandInput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { IS_NEW, type Key } from './key.js';

/**
 * The only module that sends commands to DynamoDB. Entity modules say WHAT to write and under which
 * condition; this says how: single-item conditional writes (never a transaction), a refused condition
 * answered as `undefined`/`false`, strongly consistent batch reads retried, queries paged.
 */

const BATCH_GET_LIMIT = 100;
const BATCH_GET_ATTEMPTS = 8;

export type UpdateInput = Omit<UpdateCommandInput, 'TableName'>;
export type QueryInput = Omit<QueryCommandInput, 'TableName'>;

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

/** The SDK's attempts at a call, when it sent it more than once (a retry after a throttle or a lost answer). */
const sentMoreThanOnce = (answer: unknown): { attempts?: number } => {
  const attempts = (answer as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts ?? 1;
  return attempts > 1 ? { attempts } : {};
};

/** The item a refused write asked for with `ReturnValuesOnConditionCheckFailure: ALL_OLD`, if handed back. */
const refusingItem = <T>(error: unknown): T | undefined => {
  const old = (error as { Item?: Record<string, AttributeValue> }).Item;
  return old ? (unmarshall(old) as T) : undefined;
};

export class Table {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  private async conditional<T>(run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Writes `item` unless an item with its key exists; false when one did. */
  async putIfNew(item: object): Promise<boolean> {
    const done = await this.conditional(() =>
      this.client.send(
        new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: IS_NEW }),
      ),
    );
    return done !== undefined;
  }

  /**
   * `putIfNew` that also asks for the item that refused it (`ALL_OLD`), so the caller learns who holds the key
   * without another read. Stores that do not hand it back leave `refused` undefined.
   */
  putIfNewOrExplain<T>(item: object): Promise<{ written: true } | { refused: T | undefined }> {
    return this.putIfOrExplain<T>(item, { condition: IS_NEW });
  }

  /** `putIfNewOrExplain` under another condition (one that may also let a put replace an item). */
  async putIfOrExplain<T>(
    item: object,
    guard: { condition: string; values?: Record<string, unknown> },
  ): Promise<{ written: true } | { refused: T | undefined }> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: guard.condition,
          ...(guard.values === undefined ? {} : { ExpressionAttributeValues: guard.values }),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { written: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return { refused: refusingItem<T>(error) };
    }
  }

  /** A conditional UpdateItem: the attributes it returned (`{}` when it asked for none), or undefined when refused. */
  async updateIf<T = Record<string, unknown>>(input: UpdateInput): Promise<T | undefined> {
    const out = await this.conditional(() =>
      this.client.send(new UpdateCommand({ TableName: this.tableName, ...input })),
    );
    return out === undefined ? undefined : ((out.Attributes ?? {}) as T);
  }

  /** An UpdateItem whose condition failing is a fault, not an answer (e.g. "the deal exists"): it throws. */
  async update(input: UpdateInput): Promise<void> {
    await this.client.send(new UpdateCommand({ TableName: this.tableName, ...input }));
  }

  /**
   * A conditional UpdateItem that also asks for the item as it was when refused (`ALL_OLD`), so the caller
   * learns why without another read. Stores that do not hand it back leave `refused` undefined.
   */
  async updateOrExplain<T>(
    input: UpdateInput,
  ): Promise<({ updated: T } | { refused: T | undefined }) & { attempts?: number }> {
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          ...input,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { updated: out.Attributes as T, ...sentMoreThanOnce(out) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return { refused: refusingItem<T>(error), ...sentMoreThanOnce(error) };
    }
  }

  /** A conditional DeleteItem: false when its condition refused it. */
  async deleteIf(input: Omit<DeleteCommandInput, 'TableName'>): Promise<boolean> {
    const done = await this.conditional(() =>
      this.client.send(new DeleteCommand({ TableName: this.tableName, ...input })),
    );
    return done !== undefined;
  }

  async get<T>(key: Key, consistent = true): Promise<T | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: consistent }),
    );
    return out.Item as T | undefined;
  }

  /** BatchGet with strongly consistent reads, retrying unprocessed keys; results keyed by `keyOf`. */
  async batchGet<T>(requested: Key[], keyOf: (item: T) => string): Promise<Map<string, T>> {
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

  /** One page of a Query. */
  async queryPage<T>(input: QueryInput): Promise<{ items: T[]; lastKey?: Record<string, unknown> }> {
    const out = await this.client.send(new QueryCommand({ ...input, TableName: this.tableName }));
    return {
      items: (out.Items ?? []) as T[],
      ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}),
    };
  }

  /** Every page of a Query. */
  async queryAll<T>(input: QueryInput): Promise<T[]> {
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

  /** How many items a Query matches (every page, `Select: COUNT`). */
  async count(input: QueryInput): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({ ...input, TableName: this.tableName, Select: 'COUNT', ExclusiveStartKey: start }),
      );
      count += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start);
    return count;
  }

  /** The dealIds of every item in one partition of the table or of an index (all pages). */
  async dealIdsIn(partition: {
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
}
