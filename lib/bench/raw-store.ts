/**
 * The phases that run straight against the store, without the engine: the baseline (what the store does
 * with one hot key) and the naive claim designs livedrop is compared with.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EmbeddedStore } from '../local/embedded-store.js';
import { histogram, pool, summary } from './measure.js';
import type { BenchOptions } from './options.js';
import type { BaselineResult, NaiveResult } from './result.js';

const rawClient = (endpoint: string) =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler: { httpAgent: { keepAlive: true, maxSockets: 256 } as never },
    }),
  );

/** 1. The store's limit for one hot key here: single conditional updates of one item. */
export const runBaseline = async (store: EmbeddedStore, options: BenchOptions): Promise<BaselineResult> => {
  const client = rawClient(store.endpoint);
  const Key = { PK: 'BENCH#baseline', SK: 'ITEM' };
  await client.send(new PutCommand({ TableName: store.tableName, Item: { ...Key, n: 0 } }));
  const update = () =>
    client.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key,
        UpdateExpression: 'ADD n :one',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  // Unmeasured first, as the claim phase warms up: measured cold, the store's first seconds ran at about
  // two thirds of its warm rate and flattered every ratio to it.
  await pool(Math.ceil(options.baselineOps / 3), options.concurrency, async () => {
    await update();
  });
  const latency = histogram();
  const started = performance.now();
  await pool(options.baselineOps, options.concurrency, async (i) => {
    const t = performance.now();
    await update();
    latency.recordValue(Math.max(1, Math.round((performance.now() - t) * 1000)));
    if (i % 200 === 0) options.onProgress?.('baseline', i, options.baselineOps);
  });
  const durationMs = performance.now() - started;
  client.destroy();
  return {
    concurrency: options.concurrency,
    operations: options.baselineOps,
    durationMs,
    opsPerSecond: (options.baselineOps / durationMs) * 1000,
    latency: summary(latency),
  };
};

/** 3a. Read, then write without a condition: what a careless design does to stock under the same load. */
export const runReadThenWrite = async (store: EmbeddedStore, options: BenchOptions): Promise<NaiveResult> => {
  const client = rawClient(store.endpoint);
  const stock = Math.max(1, Math.round(options.stock / 10));
  const attempts = stock * 4;
  const Key = { PK: 'BENCH#naive-read-write', SK: 'ITEM' };
  await client.send(new PutCommand({ TableName: store.tableName, Item: { ...Key, available: stock } }));
  let successes = 0;
  const started = performance.now();
  await pool(attempts, options.concurrency, async () => {
    const { Item } = await client.send(
      new GetCommand({ TableName: store.tableName, Key, ConsistentRead: true }),
    );
    const available = (Item?.available as number | undefined) ?? 0;
    if (available <= 0) return;
    await client.send(
      new PutCommand({ TableName: store.tableName, Item: { ...Key, available: available - 1 } }),
    );
    successes++;
  });
  const durationMs = performance.now() - started;
  client.destroy();
  return {
    design: 'read-then-write',
    attempts,
    successes,
    oversell: Math.max(0, successes - stock),
    durationMs,
    claimsPerSecond: (successes / durationMs) * 1000,
  };
};

/** 3b. One counter item for the whole deal: correct, but every claim writes the same key. */
export const runSingleCounter = async (store: EmbeddedStore, options: BenchOptions): Promise<NaiveResult> => {
  const client = rawClient(store.endpoint);
  const stock = Math.max(1, Math.round(options.stock / 10));
  const attempts = stock * 4;
  const Key = { PK: 'BENCH#single-counter', SK: 'ITEM' };
  await client.send(new PutCommand({ TableName: store.tableName, Item: { ...Key, available: stock } }));
  let successes = 0;
  const started = performance.now();
  let lastSuccessAt = started;
  await pool(attempts, options.concurrency, async () => {
    try {
      await client.send(
        new UpdateCommand({
          TableName: store.tableName,
          Key,
          UpdateExpression: 'ADD available :minusOne',
          ConditionExpression: 'available > :zero',
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        }),
      );
      successes++;
      lastSuccessAt = performance.now();
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  });
  const durationMs = performance.now() - started;
  client.destroy();
  return {
    design: 'single-counter',
    attempts,
    successes,
    oversell: Math.max(0, successes - stock),
    durationMs,
    claimsPerSecond: (successes / Math.max(1, lastSuccessAt - started)) * 1000,
  };
};
