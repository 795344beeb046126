import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type {
  DeleteCommandInput,
  DynamoDBDocumentClient,
  QueryCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { IS_NEW, type Key } from './key.js';

/**
 * The only module that sends commands to DynamoDB. Entity modules say WHAT to write and under which
 * condition; this says how: single-item conditional writes (never a transaction), a refused condition
 * answered as `undefined`/`false`, strongly consistent batch reads retried, queries paged.
 *
 * It takes the document client every caller holds but sends DynamoDB's own commands, converting items
 * itself with the functions the document client uses, so that each command class's middleware is resolved
 * once per client (what the SDK's `cacheMiddleware` does, which the document client refuses): building the
 * stack for every call was about a third of a claim's CPU in the SDK. Middleware added to the client after
 * its first call of a command class does not apply to that class: instrument a client before using it.
 */

const BATCH_GET_LIMIT = 100;
const BATCH_GET_ATTEMPTS = 8;

export type UpdateInput = Omit<UpdateCommandInput, 'TableName'>;
export type QueryInput = Omit<QueryCommandInput, 'TableName'>;

type Item = Record<string, AttributeValue>;
type BatchGetOutput = {
  Responses?: Record<string, Item[]>;
  UnprocessedKeys?: Record<string, { Keys?: Item[] }>;
};
type QueryOutput = { Items?: Item[]; Count?: number; LastEvaluatedKey?: Item };
type Command = { resolveMiddleware(...args: never[]): unknown };
type Handler = (command: Command) => Promise<{ output: unknown }>;

/** One resolved handler per client and command class, as the SDK's own cache keeps them. */
const handlers = new WeakMap<object, Map<unknown, Handler>>();

const toItem = (value: object | undefined): Item | undefined =>
  value === undefined ? undefined : marshall(value, { removeUndefinedValues: true });

const fromItem = <T>(item: Item | undefined): T | undefined =>
  item === undefined ? undefined : (unmarshall(item) as T);

/** A document-style input (plain values) in DynamoDB's attribute-value form. */
const marshalled = <I extends object>(input: I) => {
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const name of ['Item', 'Key', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const)
    if (name in out) out[name] = toItem(out[name] as object | undefined);
  return out as never;
};

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
  private readonly resolved: Map<unknown, Handler>;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {
    this.resolved = handlers.get(client) ?? new Map();
    handlers.set(client, this.resolved);
  }

  /** `client.send(command)`, on a handler resolved once per command class (see the module's comment). */
  private async send<O>(command: Command): Promise<O & { $metadata?: { attempts?: number } }> {
    let handler = this.resolved.get(command.constructor);
    if (handler === undefined) {
      handler = (command.resolveMiddleware as (...args: unknown[]) => Handler).call(
        command,
        this.client.middlewareStack,
        this.client.config,
        undefined,
      );
      this.resolved.set(command.constructor, handler);
    }
    return (await handler(command)).output as O & { $metadata?: { attempts?: number } };
  }

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
      this.send(
        new PutItemCommand({ TableName: this.tableName, Item: toItem(item), ConditionExpression: IS_NEW }),
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
      await this.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(item),
          ConditionExpression: guard.condition,
          ...(guard.values === undefined ? {} : { ExpressionAttributeValues: toItem(guard.values) }),
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
      this.send<{ Attributes?: Item }>(
        new UpdateItemCommand(marshalled({ TableName: this.tableName, ...input })),
      ),
    );
    return out === undefined ? undefined : (fromItem<T>(out.Attributes) ?? ({} as T));
  }

  /** An UpdateItem whose condition failing is a fault, not an answer (e.g. "the deal exists"): it throws. */
  async update(input: UpdateInput): Promise<void> {
    await this.send(new UpdateItemCommand(marshalled({ TableName: this.tableName, ...input })));
  }

  /**
   * A conditional UpdateItem that also asks for the item as it was when refused (`ALL_OLD`), so the caller
   * learns why without another read. Stores that do not hand it back leave `refused` undefined.
   */
  async updateOrExplain<T>(
    input: UpdateInput,
  ): Promise<({ updated: T } | { refused: T | undefined }) & { attempts?: number }> {
    try {
      const out = await this.send<{ Attributes?: Item }>(
        new UpdateItemCommand(
          marshalled({ TableName: this.tableName, ...input, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
        ),
      );
      return { updated: fromItem<T>(out.Attributes) as T, ...sentMoreThanOnce(out) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return { refused: refusingItem<T>(error), ...sentMoreThanOnce(error) };
    }
  }

  /** A conditional DeleteItem: false when its condition refused it. */
  async deleteIf(input: Omit<DeleteCommandInput, 'TableName'>): Promise<boolean> {
    const done = await this.conditional(() =>
      this.send(new DeleteItemCommand(marshalled({ TableName: this.tableName, ...input }))),
    );
    return done !== undefined;
  }

  async get<T>(key: Key, consistent = true): Promise<T | undefined> {
    const out = await this.send<{ Item?: Item }>(
      new GetItemCommand({ TableName: this.tableName, Key: toItem(key), ConsistentRead: consistent }),
    );
    return fromItem<T>(out.Item);
  }

  /** BatchGet with strongly consistent reads, retrying unprocessed keys; results keyed by `keyOf`. */
  async batchGet<T>(requested: Key[], keyOf: (item: T) => string): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    // DynamoDB refuses a batch that names one key twice.
    const keyList = [...new Map(requested.map((key) => [`${key.PK}\u0000${key.SK}`, key])).values()];
    for (let i = 0; i < keyList.length; i += BATCH_GET_LIMIT) {
      let pending: Item[] | undefined = keyList
        .slice(i, i + BATCH_GET_LIMIT)
        .map((key) => toItem(key) as Item);
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt === BATCH_GET_ATTEMPTS)
          throw new Error(`BatchGetItem left ${pending.length} keys unprocessed`);
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
        const out: BatchGetOutput = await this.send<BatchGetOutput>(
          new BatchGetItemCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        for (const raw of out.Responses?.[this.tableName] ?? []) {
          const item = unmarshall(raw) as T;
          found.set(keyOf(item), item);
        }
        pending = out.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return found;
  }

  /** One Query call; `start` is a page's LastEvaluatedKey as DynamoDB sent it. */
  private query(input: QueryInput, start?: Item): Promise<QueryOutput> {
    const sent: Record<string, unknown> = marshalled({ ...input, TableName: this.tableName });
    if (start !== undefined) sent.ExclusiveStartKey = start;
    return this.send<QueryOutput>(new QueryCommand(sent as never));
  }

  /** One page of a Query. */
  async queryPage<T>(input: QueryInput): Promise<{ items: T[]; lastKey?: Record<string, unknown> }> {
    const out = await this.query(input);
    return {
      items: (out.Items ?? []).map((item) => unmarshall(item) as T),
      ...(out.LastEvaluatedKey ? { lastKey: unmarshall(out.LastEvaluatedKey) } : {}),
    };
  }

  /** Every page of a Query. */
  async queryAll<T>(input: QueryInput): Promise<T[]> {
    const items: T[] = [];
    let start: Item | undefined;
    do {
      const out = await this.query(input, start);
      for (const item of out.Items ?? []) items.push(unmarshall(item) as T);
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** How many items a Query matches (every page, `Select: COUNT`). */
  async count(input: QueryInput): Promise<number> {
    let count = 0;
    let start: Item | undefined;
    do {
      const out = await this.query({ ...input, Select: 'COUNT' }, start);
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
