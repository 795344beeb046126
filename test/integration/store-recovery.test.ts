import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/shared/data/client.js';
import {
  couponKey,
  couponPhasePartition,
  viewerCouponsPartition,
} from '../../functions/shared/data/coupon.js';
import { createStore } from '../../functions/shared/data/store.js';
import { normalizeCode } from '../../functions/shared/domain/code.js';
import { Engine } from '../../functions/shared/use-cases/engine.js';
import { type EmbeddedStore, startEmbeddedStore } from '../../lib/local/embedded-store.js';
import { TestClock } from '../support/clock.js';
import { liveDeal } from '../support/fixtures.js';
import { indexEntriesWithoutItem, itemWithoutIndexEntries } from '../support/torn-writes.js';

/**
 * The embedded store on disk, after a crash tore a write in two. dynalite writes an item's index entries and
 * the item as separate LevelDB writes, so a SIGKILL between them leaves an index that disagrees with the
 * items: an entry for a coupon that was never written, or a coupon missing from the index. The figures count
 * coupons through an index and the sweep finds lapsed ones through it, so the restarted store must rebuild
 * its indexes from the items (real DynamoDB never tears an item from its index entries this way).
 */
let dir: string;
let embedded: EmbeddedStore | undefined;
let client: ReturnType<typeof createDocumentClient> | undefined;
const clock = new TestClock();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'livedrop-recovery-'));
});
afterEach(async () => {
  client?.destroy();
  await embedded?.close();
  await rm(dir, { recursive: true, force: true });
});

const start = async () => {
  embedded = await startEmbeddedStore({ path: dir });
  client = createDocumentClient({ endpoint: embedded.endpoint });
  return new Engine({ store: createStore(client, embedded.tableName), clock, logger: { error: () => {} } });
};
const stop = async () => {
  client?.destroy();
  await embedded?.close();
  client = undefined;
  embedded = undefined;
};

/** The codes GSI2 lists as ISSUED for a deal's shard 0. */
const issuedInIndex = async (dealId: string) => {
  const { Items } = await (client as NonNullable<typeof client>).send(
    new QueryCommand({
      TableName: 'livedrop',
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND begins_with(GSI2SK, :issued)',
      ExpressionAttributeValues: { ':pk': couponPhasePartition(dealId, 0), ':issued': 'ISSUED#' },
    }),
  );
  return (Items ?? []).map((item) => item.code as string).sort();
};

describe('the embedded store restarted after a torn write', () => {
  it('rebuilds its indexes from the items: no phantom coupon, no coupon missing, figures and sweep right', async () => {
    let engine = await start();
    const deal = await liveDeal(engine, { stock: 3, shards: 1, claimTtlSeconds: 60 });
    const kept = await engine.claim(deal.dealId, 'keeper');
    const unindexed = await engine.claim(deal.dealId, 'unindexed');
    const keptCode = normalizeCode(kept.coupon.code) as string;
    const unindexedCode = normalizeCode(unindexed.coupon.code) as string;
    await stop();
    // A claim killed between its coupon's index entries and the coupon itself (its unit is still in the
    // shard: the reconciler would void this code), and an update of another coupon killed between deleting
    // its old index entries and writing the new ones.
    const phantomCode = 'PHANTOM0000000000';
    const written = await indexEntriesWithoutItem(dir, {
      ...couponKey(phantomCode),
      type: 'COUPON',
      code: phantomCode,
      couponId: '01KB0000000000000000000000',
      dealId: deal.dealId,
      viewerId: 'phantom',
      status: 'ISSUED',
      GSI1PK: viewerCouponsPartition('phantom'),
      GSI1SK: 'COUPON#01KB0000000000000000000000',
      GSI2PK: couponPhasePartition(deal.dealId, 0),
      GSI2SK: `ISSUED#2026-11-26T21:00:00.000Z#${phantomCode}`,
    });
    const removed = await itemWithoutIndexEntries(dir, couponKey(unindexedCode));
    expect({ written, removed }).toEqual({ written: 2, removed: 2 });

    engine = await start();

    expect(await issuedInIndex(deal.dealId)).toEqual([keptCode, unindexedCode].sort());
    expect(await engine.getDeal(deal.dealId)).toMatchObject({ stock: 3, available: 1, held: 2, redeemed: 0 });
    expect((await engine.listCoupons('phantom', {})).coupons).toEqual([]);
    // Lapsed coupons are found through the index: both expire and their units come back.
    clock.advance(61_000);
    expect(await engine.sweep()).toMatchObject({ expired: 2, unitsReturned: 2 });
    expect(await engine.getDeal(deal.dealId)).toMatchObject({ stock: 3, available: 3, held: 0 });
  });
});
