import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { getIndexActions, type LevelBatchOperation, create as openDynaliteFiles } from 'dynalite/db/index.js';
import { TABLE } from '../../functions/shared/contract/table-definition.js';
import { handBackRefusingItems } from './refusing-item.js';

/**
 * The embedded DynamoDB-compatible store (dynalite, in-process, LevelDB underneath). Tests use it now; the
 * local runtime and the benchmark use the same module. In memory, or persisted under `path`.
 *
 * On disk, every write LevelDB acknowledged survives the process being killed (its log is written before
 * the write is acknowledged; only a machine crash could lose the OS's unflushed pages). But dynalite writes an
 * item's index entries and then the item as separate LevelDB writes, so a kill between them leaves an index
 * that disagrees with the items. Indexes are derived data: the store rebuilds them from the items whenever
 * it opens its files (see `rebuildIndexes`).
 */
export interface EmbeddedStore {
  endpoint: string;
  port: number;
  tableName: string;
  close(): Promise<void>;
}

export interface EmbeddedStoreOptions {
  /** Directory for LevelDB files; absent keeps everything in memory. */
  path?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  tableName?: string;
}

export const DEFAULT_TABLE_NAME = 'livedrop';

export const createTableInput = (tableName: string): CreateTableCommandInput => {
  const attributes = new Map<string, 'S' | 'N'>();
  for (const key of [TABLE.partitionKey, TABLE.sortKey]) attributes.set(key.name, key.type);
  for (const index of TABLE.globalSecondaryIndexes) {
    attributes.set(index.partitionKey.name, index.partitionKey.type);
    attributes.set(index.sortKey.name, index.sortKey.type);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: TABLE.globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
};

/** Creates livedrop's table from the table definition unless it exists, and waits until it is ACTIVE. */
export const ensureTable = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    await client
      .send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: TABLE.timeToLiveAttribute, Enabled: true },
        }),
      )
      .catch(() => {
        // dynalite does not implement TTL; the attribute only garbage-collects on real DynamoDB.
      });
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
};

const REBUILD_BATCH = 1_000;

/**
 * Rebuilds every global secondary index of `tableName` from the table's items, in the store files at `path`
 * (not open elsewhere). Repeating it is harmless, so a crash during the rebuild is repaired by the next one.
 */
export const rebuildIndexes = async (path: string, tableName: string): Promise<number> => {
  const files = openDynaliteFiles({ path });
  try {
    const table = await new Promise<Parameters<typeof getIndexActions>[3] | undefined>((resolve, reject) =>
      files.getTable(tableName, (error, found) => {
        if (error?.name === 'NotFoundError') resolve(undefined);
        else if (error) reject(error);
        else resolve(found);
      }),
    );
    const indexes = table?.GlobalSecondaryIndexes ?? [];
    if (!table || indexes.length === 0) return 0;
    // Sub-databases are key prefixes in one LevelDB (dynalite's getItemDb / getIndexDb).
    const indexPrefix = (index: string) => `index-global~${tableName}~${index}~`;
    let pending: LevelBatchOperation[] = [];
    const flush = async (force = false) => {
      if (pending.length === 0 || (!force && pending.length < REBUILD_BATCH)) return;
      await files.db.batch(pending);
      pending = [];
    };
    for (const index of indexes) {
      const prefix = indexPrefix(index.IndexName);
      for await (const key of files.db.keys({ gte: prefix, lt: `${prefix}\xff` })) {
        pending.push({ type: 'del', key });
        await flush();
      }
    }
    await flush(true);
    let entries = 0;
    const itemPrefix = `item-${tableName}~`;
    for await (const [, item] of files.db.iterator({ gte: itemPrefix, lt: `${itemPrefix}\xff` })) {
      for (const put of getIndexActions(indexes, undefined, item, table).puts) {
        pending.push({ type: 'put', key: `${indexPrefix(put.index)}${put.key}`, value: put.item });
        entries++;
        await flush();
      }
    }
    await flush(true);
    return entries;
  } finally {
    await files.db.close();
  }
};

export const startEmbeddedStore = async (options: EmbeddedStoreOptions = {}): Promise<EmbeddedStore> => {
  const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
  if (options.path !== undefined) await rebuildIndexes(options.path, tableName);
  handBackRefusingItems();
  const server = dynalite({
    ...(options.path === undefined ? {} : { path: options.path }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await ensureTable(client, tableName);
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    port,
    tableName,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
