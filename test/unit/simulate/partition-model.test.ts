import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedStore, startEmbeddedStore } from '../../../lib/local/embedded-store.js';
import {
  DEFAULT_PARTITION_SETTINGS,
  type PartitionModelSettings,
} from '../../../lib/simulate/partition-capacity.js';
import { PartitionModel } from '../../../lib/simulate/partition-model.js';

let store: EmbeddedStore;
const clients: DynamoDBClient[] = [];

const rawClient = (maxAttempts?: number) => {
  const client = new DynamoDBClient({
    endpoint: store.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
  });
  clients.push(client);
  return client;
};

/** A modelled document client whose clock stands still unless the test moves it. */
const modelled = (settings: Partial<PartitionModelSettings> = {}, maxAttempts?: number) => {
  const time = { at: 1_000_000, now: () => time.at, sleep: async () => {} };
  const client = rawClient(maxAttempts);
  const model = new PartitionModel({ ...DEFAULT_PARTITION_SETTINGS, ...settings }, time, rawClient());
  model.install(client);
  return { model, time, doc: DynamoDBDocumentClient.from(client) };
};

const TableName = () => store.tableName;

beforeAll(async () => {
  store = await startEmbeddedStore();
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await store.close();
});

describe('the partition model on a real client', () => {
  it('charges a put to its table partition and to the index partitions the new item names', async () => {
    // prepare
    const { model, doc } = modelled();
    // act
    await doc.send(
      new PutCommand({
        TableName: TableName(),
        Item: {
          PK: 'COUPON#P1',
          SK: 'COUPON',
          GSI1PK: 'VIEWER#p1',
          GSI1SK: 'x',
          GSI2PK: 'PHASE#p1',
          GSI2SK: 'y',
        },
      }),
    );
    // assert
    expect([...model.partitions.keys()].sort()).toEqual([
      'GSI1#VIEWER#p1',
      'GSI2#PHASE#p1',
      'table#COUPON#P1',
    ]);
    expect(model.partitions.get('table#COUPON#P1')?.wcu).toBe(1);
    expect(model.command('PutItem')).toMatchObject({ invocations: 1, calls: 1, wcu: 3 });
  });

  it('charges an update that moves an item between index partitions to the old and the new one', async () => {
    const { model, doc } = modelled();
    await doc.send(
      new PutCommand({
        TableName: TableName(),
        Item: { PK: 'C#U1', SK: 'C', GSI2PK: 'ISSUED#u1', GSI2SK: 'a' },
      }),
    );
    await doc.send(
      new UpdateCommand({
        TableName: TableName(),
        Key: { PK: 'C#U1', SK: 'C' },
        UpdateExpression: 'SET GSI2PK = :p',
        ExpressionAttributeValues: { ':p': 'REDEEMED#u1' },
      }),
    );
    expect(model.partitions.get('GSI2#ISSUED#u1')?.wcu).toBe(2);
    expect(model.partitions.get('GSI2#REDEEMED#u1')?.wcu).toBe(1);
    expect(model.partitions.get('table#C#U1')?.wcu).toBe(2);
  });

  it('still charges a conditional write whose condition failed, without index writes', async () => {
    const { model, doc } = modelled();
    const put = () =>
      doc.send(
        new PutCommand({
          TableName: TableName(),
          Item: { PK: 'C#F1', SK: 'C', GSI1PK: 'V#f1', GSI1SK: 'a' },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    await put();
    await expect(put()).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect(model.partitions.get('table#C#F1')?.wcu).toBe(2);
    expect(model.partitions.get('GSI1#V#f1')?.wcu).toBe(1);
  });

  it('charges a COUNT query for the items it read, not for what it returned', async () => {
    const { model, doc } = modelled();
    for (let i = 0; i < 20; i++)
      await doc.send(
        new PutCommand({
          TableName: TableName(),
          Item: { PK: `C#Q${i}`, SK: 'C', GSI2PK: 'PHASE#q', GSI2SK: `ISSUED#${i}`, pad: 'x'.repeat(900) },
        }),
      );
    const out = await doc.send(
      new QueryCommand({
        TableName: TableName(),
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': 'PHASE#q' },
        Select: 'COUNT',
      }),
    );
    expect(out.Count).toBe(20);
    // 20 items of ~950 bytes: 5 started 4 KB blocks, eventually consistent.
    expect(model.partitions.get('GSI2#PHASE#q')?.rcu).toBe(2.5);
  });

  it('throttles with DynamoDB’s exception once a partition is out of capacity, and the SDK retries it', async () => {
    // prepare: 10 WCU/s, nothing banked beyond one second, a clock that stands still
    const { model, doc } = modelled({ writeUnitsPerSecond: 10, initialBurstSeconds: 1 }, 3);
    const put = (i: number) =>
      doc.send(new PutCommand({ TableName: TableName(), Item: { PK: 'HOT#1', SK: `S${i}` } }));
    for (let i = 0; i < 10; i++) await put(i);
    // act
    const refused = await put(10).catch((error: unknown) => error);
    // assert
    expect(refused).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect((refused as ProvisionedThroughputExceededException).$metadata.attempts).toBe(3);
    expect(model.command('PutItem')).toMatchObject({
      invocations: 11,
      calls: 13,
      throttles: 3,
      throttledAfterRetries: 1,
    });
    expect(model.partitions.get('table#HOT#1')?.throttles).toBe(3);
  });

  it('waits a retry’s backoff in simulated time, by the SDK’s rule for throttles, when told to', async () => {
    // prepare: a clock that records what it is asked to sleep, and an SDK whose own backoff is 0
    const slept: number[] = [];
    const time = {
      now: () => 1_000_000,
      sleep: async (ms: number) => {
        slept.push(ms);
      },
    };
    const client = rawClient(3);
    const strategy = (await client.config.retryStrategy()) as unknown as {
      retryBackoffStrategy: { computeNextBackoffDelay: (attempt: number) => number };
    };
    strategy.retryBackoffStrategy.computeNextBackoffDelay = () => 0;
    const model = new PartitionModel(
      { ...DEFAULT_PARTITION_SETTINGS, writeUnitsPerSecond: 1, initialBurstSeconds: 1 },
      time,
      rawClient(),
      () => 0.5,
    );
    model.install(client, { backoffInSimulatedTime: true });
    const doc = DynamoDBDocumentClient.from(client);
    const put = (sk: string) =>
      doc.send(new PutCommand({ TableName: TableName(), Item: { PK: 'HOT#B', SK: sk } }));
    await put('S0');
    // act
    await put('S1').catch(() => undefined);
    // assert: half of 500 ms, then half of 1,000 ms (full jitter at 0.5), and every call finished
    expect(slept).toEqual([250, 500]);
    expect(model.allParked).toBe(true);
  });

  it('drains only a deal’s shared partitions: its shards and their index and audit partitions, not keys of their own', async () => {
    // prepare: 10 WCU/s with a second banked; a write to a shard partition and one to a viewer's own key
    const { model, doc } = modelled({ writeUnitsPerSecond: 10, initialBurstSeconds: 1 }, 1);
    const put = (PK: string) => doc.send(new PutCommand({ TableName: TableName(), Item: { PK, SK: 'X' } }));
    await put('DEAL#D1#SHARD#0');
    // act
    model.drainBanks('D1');
    // assert: the shard's bank is gone, a fresh shard starts empty, a viewer's fresh key keeps its bank
    await expect(put('DEAL#D1#SHARD#0')).rejects.toBeInstanceOf(ProvisionedThroughputExceededException);
    await expect(put('AUDIT#D1#SHARD#1')).rejects.toBeInstanceOf(ProvisionedThroughputExceededException);
    await expect(put('DEAL#D1#VIEWER#v1')).resolves.toBeDefined();
  });

  it('lets a throttled call through on a retry once the partition has refilled', async () => {
    const { model, time, doc } = modelled({ writeUnitsPerSecond: 10, initialBurstSeconds: 1 });
    for (let i = 0; i < 10; i++)
      await doc.send(new PutCommand({ TableName: TableName(), Item: { PK: 'HOT#2', SK: `S${i}` } }));
    // The clock moves a second on at the first throttle, as if the SDK's backoff took that long.
    const before = model.command('PutItem').throttles;
    const watcher = setInterval(() => {
      if (model.command('PutItem').throttles > before) time.at += 1_000;
    }, 1);
    try {
      const out = await doc.send(
        new PutCommand({ TableName: TableName(), Item: { PK: 'HOT#2', SK: 'S10' } }),
      );
      expect(out.$metadata.attempts).toBeGreaterThan(1);
    } finally {
      clearInterval(watcher);
    }
    expect(model.command('PutItem').throttledAfterRetries).toBe(0);
  });

  it('loses the answer of a write that landed: the SDK retries, and the retry finds its own write', async () => {
    // prepare
    const { model, doc } = modelled({ lostAnswerShare: 1 }, 2);
    // act
    const answer = await doc
      .send(
        new PutCommand({
          TableName: TableName(),
          Item: { PK: 'LOST#1', SK: 'C' },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      )
      .catch((error: unknown) => error);
    // assert: the write is there, the caller heard only a refused condition on the retry
    expect(answer).toBeInstanceOf(ConditionalCheckFailedException);
    const stored = await DynamoDBDocumentClient.from(rawClient()).send(
      new GetCommand({ TableName: TableName(), Key: { PK: 'LOST#1', SK: 'C' } }),
    );
    expect(stored.Item).toBeDefined();
    expect(model.command('PutItem').lostAnswers).toBe(1);
  });
});
