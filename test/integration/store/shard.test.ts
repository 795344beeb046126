/**
 * The stock shards on the embedded store: what each write does to a shard and when it refuses. Every
 * refusal is checked against the shard as stored, so a weakened guard shows up as a changed count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../../support/harness.js';
import { at, dealItem, freshId, LATER, MINUTE, NOW, shardItem } from '../../support/store-items.js';

let harness: Harness;
let store: Harness['store'];
beforeAll(async () => {
  harness = await startHarness();
  store = harness.store;
});
afterAll(async () => {
  await harness.close();
});

/** Prepares a shard in the table and returns it as stored. */
const storedShard = async (overrides: Parameters<typeof shardItem>[0] = {}) => {
  const shard = shardItem(overrides);
  expect(await store.putShard(shard)).toBe(true);
  return shard;
};

const reread = (shard: { dealId: string; shard: number }) => store.getShard(shard.dealId, shard.shard);

describe('putShard and getShard', () => {
  it('writes a new shard and reads it back as written', async () => {
    const shard = shardItem();

    const written = await store.putShard(shard);

    expect(written).toBe(true);
    expect(await reread(shard)).toEqual(shard);
  });

  it('refuses a second shard at the same key and leaves the first untouched', async () => {
    const first = await storedShard({ available: 4 });

    const written = await store.putShard({ ...first, available: 99, added: 99 });

    expect(written).toBe(false);
    expect(await reread(first)).toEqual(first);
  });

  it('reads nothing for a shard that does not exist', async () => {
    expect(await store.getShard(freshId('deal'), 0)).toBeUndefined();
  });
});

describe('getShards', () => {
  it('returns every shard of the deal in shard order, and only that deal’s', async () => {
    const dealId = freshId('deal');
    for (const shard of [2, 0, 3, 1]) await storedShard({ dealId, shard });
    await storedShard({ shard: 0 });

    const shards = await store.getShards(dealId, 4);

    expect(shards.map((shard) => [shard.dealId, shard.shard])).toEqual([
      [dealId, 0],
      [dealId, 1],
      [dealId, 2],
      [dealId, 3],
    ]);
  });

  it('leaves out shards that do not exist', async () => {
    const dealId = freshId('deal');
    await storedShard({ dealId, shard: 1 });

    const shards = await store.getShards(dealId, 3);

    expect(shards.map((shard) => shard.shard)).toEqual([1]);
  });

  it('reads more than 100 shards (several batches)', async () => {
    const dealId = freshId('deal');
    await Promise.all(Array.from({ length: 130 }, (_, shard) => storedShard({ dealId, shard })));

    const shards = await store.getShards(dealId, 130);

    expect(shards.map((shard) => shard.shard)).toEqual(Array.from({ length: 130 }, (_, k) => k));
  });
});

describe('takeUnit', () => {
  it('grants a unit from a LIVE shard with stock, answering the shard after the take', async () => {
    const shard = await storedShard({ available: 4, issued: 6 });

    const result = await store.takeUnit(shard.dealId, shard.shard, NOW);

    expect(result).toEqual({ taken: { ...shard, available: 3, issued: 7 } });
    expect(await reread(shard)).toEqual({ ...shard, available: 3, issued: 7 });
  });

  it('hands out a unique, increasing ticket number with every grant until the stock is gone', async () => {
    const shard = await storedShard({ available: 3, issued: 10 });

    const issued: number[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await store.takeUnit(shard.dealId, shard.shard, NOW);
      if ('taken' in result) issued.push(result.taken.issued);
    }

    expect(issued).toEqual([11, 12, 13]);
  });

  it('under concurrent takes, grants exactly the stock with distinct tickets and refuses the rest', async () => {
    const shard = await storedShard({ available: 5, issued: 0 });

    const results = await Promise.all(
      Array.from({ length: 12 }, () => store.takeUnit(shard.dealId, shard.shard, NOW)),
    );

    const tickets = results.flatMap((result) => ('taken' in result ? [result.taken.issued] : []));
    expect(tickets.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    expect(results.filter((result) => 'refused' in result)).toHaveLength(7);
    expect(await reread(shard)).toMatchObject({ available: 0, issued: 5 });
  });

  it('refuses when no unit is left, handing back the shard as it was (ALL_OLD) and leaving it so', async () => {
    const shard = await storedShard({ available: 0, issued: 10 });

    const result = await store.takeUnit(shard.dealId, shard.shard, NOW);

    expect(result).toEqual({ refused: shard });
    expect(await reread(shard)).toEqual(shard);
  });

  it.each(['SCHEDULED', 'PAUSED', 'ENDED'] as const)(
    'refuses while the shard is %s, leaving it as it was',
    async (status) => {
      const shard = await storedShard({ status, available: 4 });

      const result = await store.takeUnit(shard.dealId, shard.shard, NOW);

      expect('refused' in result).toBe(true);
      expect(await reread(shard)).toEqual(shard);
    },
  );

  it.each([
    ['exactly at endsAt', NOW],
    ['past endsAt', at(-MINUTE)],
  ])('refuses %s, leaving the shard as it was', async (_when, endsAt) => {
    const shard = await storedShard({ endsAt, available: 4 });

    const result = await store.takeUnit(shard.dealId, shard.shard, NOW);

    expect('refused' in result).toBe(true);
    expect(await reread(shard)).toEqual(shard);
  });

  it('grants a millisecond before endsAt', async () => {
    const shard = await storedShard({ endsAt: at(1), available: 4 });

    const result = await store.takeUnit(shard.dealId, shard.shard, NOW);

    expect('taken' in result).toBe(true);
  });

  it('grants on a shard without endsAt (a deal that runs until it is ended)', async () => {
    const { endsAt: _none, ...open } = shardItem({ available: 4 });
    await store.putShard(open);

    const result = await store.takeUnit(open.dealId, open.shard, NOW);

    expect(result).toEqual({ taken: { ...open, available: 3, issued: 7 } });
  });

  it('refuses on a shard that does not exist and creates nothing', async () => {
    const dealId = freshId('deal');

    const result = await store.takeUnit(dealId, 0, NOW);

    expect(result).toEqual({ refused: undefined });
    expect(await store.getShard(dealId, 0)).toBeUndefined();
  });
});

describe('absorbReturns', () => {
  it('raises absorbed from the value read to the tally count, adding the difference to available', async () => {
    const shard = await storedShard({ available: 2, absorbed: 3 });

    const result = await store.absorbReturns(shard.dealId, shard.shard, 3, 5);

    expect(result).toEqual({ absorbed: true });
    expect(await reread(shard)).toEqual({ ...shard, available: 4, absorbed: 5 });
  });

  it('refuses when absorbed moved since it was read, leaving the shard as it was', async () => {
    const shard = await storedShard({ available: 2, absorbed: 4 });

    const result = await store.absorbReturns(shard.dealId, shard.shard, 3, 5);

    expect('refused' in result).toBe(true);
    expect(await reread(shard)).toEqual(shard);
  });

  it('treats a shard from before absorbed existed as having absorbed nothing', async () => {
    const { absorbed: _absent, ...legacy } = shardItem({ available: 1 });
    expect(await store.putShard(legacy as ReturnType<typeof shardItem>)).toBe(true);

    await store.absorbReturns(legacy.dealId, legacy.shard, 0, 2);

    expect(await reread(legacy)).toMatchObject({ available: 3, absorbed: 2 });
  });

  it('adds each unit once when absorbers race from the same value', async () => {
    const shard = await storedShard({ available: 0, absorbed: 0 });

    const results = await Promise.all(
      Array.from({ length: 6 }, () => store.absorbReturns(shard.dealId, shard.shard, 0, 1)),
    );

    expect(results.filter((result) => 'absorbed' in result)).toHaveLength(1);
    expect(await reread(shard)).toMatchObject({ available: 1, absorbed: 1 });
  });

  it('refuses on a shard that does not exist and creates nothing', async () => {
    const dealId = freshId('deal');

    const result = await store.absorbReturns(dealId, 0, 0, 1);

    expect('refused' in result).toBe(true);
    expect(await store.getShard(dealId, 0)).toBeUndefined();
  });
});

describe('applyRestock', () => {
  it('adds the quantity to available and added and records the restock', async () => {
    const shard = await storedShard({ available: 4, added: 10, restocks: { 'restock-1': 5 } });

    const applied = await store.applyRestock(shard.dealId, shard.shard, 'restock-2', 25);

    expect(applied).toBe(true);
    expect(await reread(shard)).toEqual({
      ...shard,
      available: 29,
      added: 35,
      restocks: { 'restock-1': 5, 'restock-2': 25 },
    });
  });

  it('applies one restock id once: the second application is refused and adds nothing', async () => {
    const shard = await storedShard({ available: 4, added: 10 });
    await store.applyRestock(shard.dealId, shard.shard, 'restock-1', 25);

    const again = await store.applyRestock(shard.dealId, shard.shard, 'restock-1', 25);

    expect(again).toBe(false);
    expect(await reread(shard)).toMatchObject({ available: 29, added: 35 });
  });

  it('refuses on a shard that does not exist and creates nothing', async () => {
    const dealId = freshId('deal');

    const applied = await store.applyRestock(dealId, 0, 'restock-1', 25);

    expect(applied).toBe(false);
    expect(await store.getShard(dealId, 0)).toBeUndefined();
  });
});

describe('mirrorConfig', () => {
  it('copies status, price, endsAt and version onto a shard holding an older version', async () => {
    const shard = await storedShard({ configVersion: 2, status: 'LIVE', dealPrice: 6_000, endsAt: LATER });
    const deal = dealItem({
      dealId: shard.dealId,
      configVersion: 3,
      status: 'PAUSED',
      dealPrice: 4_800,
      endsAt: at(30 * MINUTE),
    });

    const mirrored = await store.mirrorConfig(shard.dealId, shard.shard, deal);

    expect(mirrored).toBe(true);
    expect(await reread(shard)).toEqual({
      ...shard,
      configVersion: 3,
      status: 'PAUSED',
      dealPrice: 4_800,
      endsAt: at(30 * MINUTE),
    });
  });

  it('removes endsAt from the shard when the deal has none', async () => {
    const shard = await storedShard({ configVersion: 2, endsAt: LATER });
    const { endsAt: _none, ...deal } = dealItem({ dealId: shard.dealId, configVersion: 3 });

    await store.mirrorConfig(shard.dealId, shard.shard, deal);

    expect(await reread(shard)).not.toHaveProperty('endsAt');
  });

  it.each([
    ['the same version', 5],
    ['an older version', 4],
  ])('refuses %s and leaves the shard as it was', async (_which, configVersion) => {
    const shard = await storedShard({ configVersion: 5, status: 'LIVE', dealPrice: 6_000 });
    const deal = dealItem({ dealId: shard.dealId, configVersion, status: 'ENDED', dealPrice: 1 });

    const mirrored = await store.mirrorConfig(shard.dealId, shard.shard, deal);

    expect(mirrored).toBe(false);
    expect(await reread(shard)).toEqual(shard);
  });

  it('refuses on a shard that does not exist and creates nothing', async () => {
    const deal = dealItem();

    const mirrored = await store.mirrorConfig(deal.dealId, 0, deal);

    expect(mirrored).toBe(false);
    expect(await store.getShard(deal.dealId, 0)).toBeUndefined();
  });
});

describe('saveReconcileProgress', () => {
  it('moves the watermark from the value read and takes the snapshot', async () => {
    const shard = await storedShard({ checkedThrough: 10 });

    const saved = await store.saveReconcileProgress(shard.dealId, shard.shard, {
      fromCheckedThrough: 10,
      toCheckedThrough: 14,
      snapshot: { issued: 20, at: 7_000 },
    });

    expect(saved).toBe(true);
    expect(await reread(shard)).toEqual({ ...shard, checkedThrough: 14, snapIssued: 20, snapAt: 7_000 });
  });

  it('without a snapshot, moves only the watermark', async () => {
    const shard = await storedShard({ checkedThrough: 0, snapIssued: 4, snapAt: 9 });

    await store.saveReconcileProgress(shard.dealId, shard.shard, {
      fromCheckedThrough: 0,
      toCheckedThrough: 2,
    });

    expect(await reread(shard)).toEqual({ ...shard, checkedThrough: 2 });
  });

  it('refuses when another run moved the watermark since it was read, leaving the shard as it was', async () => {
    const shard = await storedShard({ checkedThrough: 12 });

    const saved = await store.saveReconcileProgress(shard.dealId, shard.shard, {
      fromCheckedThrough: 10,
      toCheckedThrough: 11,
      snapshot: { issued: 1, at: 1 },
    });

    expect(saved).toBe(false);
    expect(await reread(shard)).toEqual(shard);
  });
});
