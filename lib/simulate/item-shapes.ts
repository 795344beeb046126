/**
 * The item sizes the partition model cannot read off an attempt: the shape each item key held after the
 * last write the model saw, and reads on a side channel (a separate client with no model on it, whose reads
 * cost nothing) for an item it has not seen written and for the items of a page that did not come back whole.
 */
import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { type Item, itemSize } from './item-size.js';
import type { PartitionModelSettings } from './partition-capacity.js';
import type { ItemShape } from './partitions.js';
import type { SimTime } from './sim-time.js';

export class ItemShapes {
  /**
   * The shape of what each item key holds after the last write this model saw (null: deleted), so the next
   * write to it needs no side read. Every write of the simulation goes through the model; two writes to one
   * key in flight at once may leave the older shape here, which only shifts a size estimate by a few bytes.
   */
  private readonly known = new Map<string, ItemShape | null>();
  private readonly bytesPerItem = new Map<string, { at: number; bytes: number }>();

  constructor(
    /** The side channel: an unmodelled client on the same store. */
    private readonly side: DynamoDBClient,
    private readonly time: SimTime,
    private readonly settings: Pick<PartitionModelSettings, 'sizeSampleMs'>,
  ) {}

  /** The shape the last write seen left at this key: null when it deleted it, undefined when none was seen. */
  seen(tableName: string, key: Item): ItemShape | null | undefined {
    return this.known.get(knownKey(tableName, key));
  }

  remember(tableName: string, key: Item, shape: ItemShape | undefined): void {
    this.known.set(knownKey(tableName, key), shape ?? null);
  }

  async read(key: Item | undefined, tableName: string): Promise<Item | undefined> {
    if (key === undefined) return undefined;
    const out = await this.side.send(
      new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
    );
    return out.Item;
  }

  /**
   * What an item of this partition weighs, for a page whose items did not come back whole (COUNT, a
   * projection, a filter): measured by reading the page again on the side channel, then reused a while.
   */
  async meanItemBytes(partition: string, input: QueryCommandInput): Promise<number> {
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

const knownKey = (tableName: string, key: Item): string =>
  `${tableName}\u0000${key.PK?.S ?? '?'}\u0000${key.SK?.S ?? ''}`;
