/**
 * A shard's tally on the embedded store: the once-only return and redemption guards, created by the first write
 * that needs them, and the one read of a deal's shards and tallies the figures are made of.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTallyItem } from '../../../functions/shared/data/tally.js';
import { type Harness, startHarness } from '../../support/harness.js';
import { freshId, keys, shardItem } from '../../support/store-items.js';

let harness: Harness;
let store: Harness['store'];
beforeAll(async () => {
  harness = await startHarness();
  store = harness.store;
});
afterAll(async () => {
  await harness.close();
});

describe('recordReturn', () => {
  it('creates the tally on the first return and counts it, remembering the ticket with the time', async () => {
    const dealId = freshId('deal');

    const returned = await store.recordReturn(dealId, 2, 7, 1_000);

    expect(returned).toBe(1);
    expect(await store.getTally(dealId, 2)).toEqual({
      ...newTallyItem(dealId, 2),
      returned: 1,
      r: { '7': 1_000 },
    });
  });

  it('counts the next ticket on the same tally and answers the new total', async () => {
    const dealId = freshId('deal');
    await store.recordReturn(dealId, 0, 3, 5);
    await store.recordReturn(dealId, 0, 8, 6);

    const returned = await store.recordReturn(dealId, 0, 4, 1_000);

    expect(returned).toBe(3);
    expect((await store.getTally(dealId, 0))?.r).toEqual({ '3': 5, '8': 6, '4': 1_000 });
  });

  it('refuses a second return of the same ticket, leaving the tally as it was', async () => {
    const dealId = freshId('deal');
    await store.recordReturn(dealId, 0, 4, 1_000);
    const once = await store.getTally(dealId, 0);

    const again = await store.recordReturn(dealId, 0, 4, 2_000);

    expect(again).toBeUndefined();
    expect(await store.getTally(dealId, 0)).toEqual(once);
  });

  it('counts each ticket once even when the returns race, the tally’s creation included', async () => {
    const dealId = freshId('deal');

    const results = await Promise.all(
      Array.from({ length: 6 }, () => store.recordReturn(dealId, 0, 9, 1_000)),
    );

    expect(results.filter((result) => result !== undefined)).toEqual([1]);
    expect(await store.getTally(dealId, 0)).toMatchObject({ returned: 1, r: { '9': 1_000 } });
  });
});

describe('recordRedeemStep', () => {
  it('counts a redemption (odd step) up and a release (even step) down, once each', async () => {
    const dealId = freshId('deal');

    expect(await store.recordRedeemStep(dealId, 0, 5, 1)).toBe(true);
    expect(await store.recordRedeemStep(dealId, 0, 6, 1)).toBe(true);
    expect(await store.recordRedeemStep(dealId, 0, 5, 1)).toBe(false);
    expect(await store.getTally(dealId, 0)).toMatchObject({ redeemed: 2, d: { '5': 1, '6': 1 } });

    expect(await store.recordRedeemStep(dealId, 0, 5, 2)).toBe(true);
    expect(await store.recordRedeemStep(dealId, 0, 5, 2)).toBe(false);
    expect(await store.getTally(dealId, 0)).toMatchObject({ redeemed: 1, d: { '5': 2, '6': 1 } });
  });

  it('never counts a step older than one already counted (a late retry)', async () => {
    const dealId = freshId('deal');
    await store.recordRedeemStep(dealId, 0, 5, 1);
    await store.recordRedeemStep(dealId, 0, 5, 2);
    await store.recordRedeemStep(dealId, 0, 5, 3);

    expect(await store.recordRedeemStep(dealId, 0, 5, 2)).toBe(false);
    expect(await store.getTally(dealId, 0)).toMatchObject({ redeemed: 1, d: { '5': 3 } });
  });

  it('counts a step once when its retries race', async () => {
    const dealId = freshId('deal');

    const results = await Promise.all(
      Array.from({ length: 6 }, () => store.recordRedeemStep(dealId, 1, 2, 1)),
    );

    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.getTally(dealId, 1)).toMatchObject({ redeemed: 1 });
  });
});

describe('pruneTally', () => {
  it('forgets the named guard entries and keeps the counts and the rest', async () => {
    const dealId = freshId('deal');
    for (const seq of [3, 17, 20]) await store.recordReturn(dealId, 0, seq, seq);
    for (const seq of [3, 4]) await store.recordRedeemStep(dealId, 0, seq, 1);

    await store.pruneTally(dealId, 0, { returns: [3, 17], redemptions: [4] });

    expect(await store.getTally(dealId, 0)).toMatchObject({
      returned: 3,
      r: { '20': 20 },
      redeemed: 2,
      d: { '3': 1 },
    });
  });

  it('creates nothing for a tally that does not exist', async () => {
    const dealId = freshId('deal');

    await store.pruneTally(dealId, 0, { returns: [1], redemptions: [1] });

    expect(await store.getTally(dealId, 0)).toBeUndefined();
  });
});

describe('getStock', () => {
  it('reads every shard and every tally of the deal, each in shard order, and only that deal’s', async () => {
    const dealId = freshId('deal');
    for (const shard of [2, 0, 1]) expect(await store.putShard(shardItem({ dealId, shard }))).toBe(true);
    await store.recordReturn(dealId, 1, 4, 1);
    await store.recordReturn(dealId, 0, 4, 1);
    await store.putShard(shardItem({ shard: 0 }));

    const { shards, tallies } = await store.getStock(dealId, 3);

    expect(shards.map((shard) => [shard.dealId, shard.shard])).toEqual([
      [dealId, 0],
      [dealId, 1],
      [dealId, 2],
    ]);
    expect(tallies.map((tally) => [tally.PK, tally.shard])).toEqual([
      [keys.tally(dealId, 0).PK, 0],
      [keys.tally(dealId, 1).PK, 1],
    ]);
  });
});
