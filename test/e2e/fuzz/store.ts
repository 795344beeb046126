/**
 * Whole-table snapshots of the runtime's store, compared before and after every fuzzed request: a refused
 * request may change nothing but the rate-limit windows.
 */
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { TABLE } from '../../../functions/shared/contract/table-definition.js';
import { cut } from './client.js';
import type { Fixture } from './fixture.js';

/** The whole table, item by item in a canonical JSON form, keyed by `PK | SK`. */
export type Snapshot = Map<string, string>;

const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    // String and number sets have no order.
    return Object.fromEntries(
      entries.map(([k, v]) => [
        k,
        (k === 'SS' || k === 'NS') && Array.isArray(v) ? [...v].sort() : canonical(v),
      ]),
    );
  }
  return value;
};

const RATE_PREFIX = 'RATE#';
/** Every rate-limit window seen in a snapshot, so the summary can report that counting happened. */
export const rateWindows = new Set<string>();

export const snapshotStore = async (client: DynamoDBClient, tableName: string): Promise<Snapshot> => {
  const items: Snapshot = new Map();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) {
      const pk = item[TABLE.partitionKey.name]?.S ?? '?';
      const sk = item[TABLE.sortKey.name]?.S ?? '?';
      // Rate-limit windows count refused requests on purpose (an unknown code still counts against the
      // viewer, or walking codes would cost nothing); they are counters that expire, not deal state.
      if (pk.startsWith(RATE_PREFIX)) {
        rateWindows.add(`${pk} | ${sk}`);
        continue;
      }
      items.set(`${pk} | ${sk}`, JSON.stringify(canonical(item)));
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
};

/** What changed between two snapshots, one line per item: `+` added, `-` removed, `~` changed. */
export const diffSnapshots = (before: Snapshot, after: Snapshot): string[] => {
  const lines: string[] = [];
  for (const [key, value] of after) {
    const old = before.get(key);
    if (old === undefined) lines.push(`+ ${key}: ${cut(value, 300)}`);
    else if (old !== value) lines.push(`~ ${key}: ${cut(old, 300)} -> ${cut(value, 300)}`);
  }
  for (const key of before.keys()) if (!after.has(key)) lines.push(`- ${key}`);
  return lines;
};

export const storeClient = (fixture: Fixture) =>
  new DynamoDBClient({
    endpoint: fixture.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
