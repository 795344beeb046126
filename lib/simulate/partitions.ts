/**
 * Which partitions a command touches and what each costs, from the command and the item as it was before
 * and after. Pure: the middleware (partition-model.ts) gathers the items and applies the result.
 *
 * A partition is named `<table or index>#<partition key value>`: `table#DEAL#01H…` or `GSI2#…`. A write
 * lands on the table partition of its PK and, when it wrote, on every index partition the item sat in before
 * or lands in after (an item moving between index partitions is a delete there and a put here).
 */
import { TABLE } from '../../functions/shared/contract/table-definition.js';
import { type Item, itemSize, readUnits, writeUnits } from './item-size.js';

export interface Touch {
  partition: string;
  kind: 'read' | 'write';
  units: number;
}

export const TABLE_PARTITION = 'table';

export const partitionName = (source: string, value: string): string => `${source}#${value}`;

const stringOf = (item: Item | undefined, name: string): string | undefined => item?.[name]?.S;

/** What the model needs of an item to charge a write: its size and the index partition keys it names. */
export interface ItemShape {
  bytes: number;
  /** Index name → the item's value of that index's partition key, for the indexes it is in. */
  indexKeys: Record<string, string>;
}

export const shapeOf = (item: Item | undefined): ItemShape | undefined => {
  if (item === undefined) return undefined;
  const indexKeys: Record<string, string> = {};
  for (const index of TABLE.globalSecondaryIndexes) {
    const value = stringOf(item, index.partitionKey.name);
    if (value !== undefined) indexKeys[index.indexName] = value;
  }
  return { bytes: itemSize(item), indexKeys };
};

/**
 * A write of the item whose table key is `pk`. `before` is the stored item (undefined: none), `after` the
 * item the write leaves (undefined: deleted, or unchanged when `written` is false). A refused condition
 * still costs its WCU on the table partition; nothing reaches the indexes then.
 */
export const writeTouches = (write: {
  pk: string;
  before: Item | undefined;
  after: Item | undefined;
  written: boolean;
}): Touch[] => shapeWriteTouches({ ...write, before: shapeOf(write.before), after: shapeOf(write.after) });

/** `writeTouches` on the items' shapes. */
export const shapeWriteTouches = (write: {
  pk: string;
  before: ItemShape | undefined;
  after: ItemShape | undefined;
  written: boolean;
}): Touch[] => {
  const beforeSize = write.before?.bytes ?? 0;
  const afterSize = write.after?.bytes ?? 0;
  const touches: Touch[] = [
    {
      partition: partitionName(TABLE_PARTITION, write.pk),
      kind: 'write',
      units: writeUnits(Math.max(beforeSize, afterSize)),
    },
  ];
  if (!write.written) return touches;
  for (const index of TABLE.globalSecondaryIndexes) {
    const was = write.before?.indexKeys[index.indexName];
    const now = write.after?.indexKeys[index.indexName];
    if (was !== undefined && was === now) {
      touches.push({
        partition: partitionName(index.indexName, was),
        kind: 'write',
        units: writeUnits(Math.max(beforeSize, afterSize)),
      });
      continue;
    }
    if (was !== undefined)
      touches.push({
        partition: partitionName(index.indexName, was),
        kind: 'write',
        units: writeUnits(beforeSize),
      });
    if (now !== undefined)
      touches.push({
        partition: partitionName(index.indexName, now),
        kind: 'write',
        units: writeUnits(afterSize),
      });
  }
  return touches;
};

/** A GetItem (or one key of a BatchGetItem): the item's table partition, by the size of what was found. */
export const getTouch = (pk: string, found: Item | undefined, consistent: boolean): Touch => ({
  partition: partitionName(TABLE_PARTITION, pk),
  kind: 'read',
  units: readUnits(itemSize(found), consistent),
});

/** What a BatchGetItem answered: the items found, by table, and the keys it left for another call. */
export interface BatchGetOutput {
  Responses?: Record<string, Item[]>;
  UnprocessedKeys?: Record<string, { Keys?: Item[] }>;
}

/** A BatchGetItem: a `getTouch` per key it processed, by the item found for it; an unprocessed key costs nothing. */
export const batchGetTouches = (
  keys: readonly Item[],
  output: BatchGetOutput,
  consistent: boolean,
): Touch[] => {
  const keyOf = (item: Item) => `${item.PK?.S}\u0000${item.SK?.S}`;
  const found = new Map<string, Item>();
  for (const items of Object.values(output.Responses ?? {}))
    for (const item of items) found.set(keyOf(item), item);
  const unprocessed = new Set(
    Object.values(output.UnprocessedKeys ?? {}).flatMap((each) => (each.Keys ?? []).map(keyOf)),
  );
  return keys
    .filter((key) => !unprocessed.has(keyOf(key)))
    .map((key) => getTouch(key.PK?.S ?? '?', found.get(keyOf(key)), consistent));
};

export interface QueryShape {
  IndexName?: string;
  KeyConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
  ConsistentRead?: boolean;
}

/** The partition a Query reads: the table's or its index's, by the partition key's value in the key condition. */
export const queryPartition = (query: QueryShape): string => {
  const index = TABLE.globalSecondaryIndexes.find((each) => each.indexName === query.IndexName);
  const keyName = index ? index.partitionKey.name : TABLE.partitionKey.name;
  const names = query.ExpressionAttributeNames ?? {};
  for (const match of (query.KeyConditionExpression ?? '').matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    const [, name = '', placeholder = ''] = match;
    if ((names[name] ?? name) !== keyName) continue;
    const value = query.ExpressionAttributeValues?.[placeholder]?.S;
    if (value !== undefined) return partitionName(index ? index.indexName : TABLE_PARTITION, value);
  }
  return partitionName(index ? index.indexName : TABLE_PARTITION, '?');
};

/**
 * A Query page: it pays for every item it read (before any filter, whatever it returned, COUNT included),
 * rounded up per 4 KB over the page. Index reads are always eventually consistent.
 */
export const queryTouch = (query: QueryShape, bytesRead: number): Touch => ({
  partition: queryPartition(query),
  kind: 'read',
  units: readUnits(bytesRead, query.IndexName === undefined && query.ConsistentRead === true),
});
