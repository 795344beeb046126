import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/shared/data/client.js';
import { startEmbeddedStoreThread } from '../../lib/local/store-thread.js';

describe('the embedded store in a thread of its own', () => {
  it('serves the table over HTTP like the in-process store, and stops serving once closed', async () => {
    // prepare
    const store = await startEmbeddedStoreThread();
    const client = createDocumentClient({ endpoint: store.endpoint, maxSockets: 4 });
    // act
    await client.send(
      new PutCommand({ TableName: store.tableName, Item: { PK: 'THREAD#1', SK: 'A', n: 1 } }),
    );
    const read = await client.send(
      new GetCommand({ TableName: store.tableName, Key: { PK: 'THREAD#1', SK: 'A' }, ConsistentRead: true }),
    );
    client.destroy();
    await store.close();
    // assert
    expect(read.Item).toEqual({ PK: 'THREAD#1', SK: 'A', n: 1 });
    await expect(fetch(store.endpoint, { method: 'POST', body: '{}' })).rejects.toThrow();
  });
});
