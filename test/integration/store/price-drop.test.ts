/**
 * Gala price drops on the embedded store: written once, closed or fired only while SCHEDULED, listed newest
 * first and, while SCHEDULED, on the sweep's due list; and a drop's new price on a deal, once per drop.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DealItem } from '../../../functions/shared/data/deal.js';
import type { PriceDropItem } from '../../../functions/shared/data/price-drop.js';
import { type Harness, startHarness } from '../../support/harness.js';
import {
  at,
  dealItem,
  EARLIER,
  freshId,
  gsi,
  LATER,
  MINUTE,
  NOW,
  padding,
  priceDropItem,
} from '../../support/store-items.js';

let harness: Harness;
let store: Harness['store'];
beforeAll(async () => {
  harness = await startHarness();
  store = harness.store;
});
afterAll(async () => {
  await harness.close();
});

const storedDrop = async (overrides: Partial<PriceDropItem> = {}) => {
  const drop = priceDropItem(overrides);
  expect(await store.putPriceDrop(drop)).toBe(true);
  return drop;
};

/** Queries sent so far (a read that pages sends several). */
const queries = () => harness.sent.filter((command) => command === 'QueryCommand').length;

const reread = (drop: PriceDropItem) => store.getPriceDrop(drop.galaId, drop.dropId);

/** The due list up to `untilIso`, only the drops of this test's gala. */
const dueOf = async (galaId: string, untilIso: string) =>
  (await store.listDuePriceDrops(untilIso)).filter((due) => due.galaId === galaId).map((due) => due.dropId);

describe('putPriceDrop, getPriceDrop and listPriceDrops', () => {
  it('writes a new drop and reads it back', async () => {
    const drop = priceDropItem();

    expect(await store.putPriceDrop(drop)).toBe(true);
    expect(await reread(drop)).toEqual(drop);
  });

  it('refuses a second drop at the same key and leaves the first untouched', async () => {
    const first = await storedDrop({ percentOff: 20 });

    const written = await store.putPriceDrop({ ...first, percentOff: 90 });

    expect(written).toBe(false);
    expect(await reread(first)).toEqual(first);
  });

  it('reads nothing for a drop the gala does not have', async () => {
    expect(await store.getPriceDrop(freshId('gala-'), 'drop-1')).toBeUndefined();
  });

  it('lists a gala’s drops newest first, and only that gala’s', async () => {
    const galaId = freshId('gala-');
    const older = await storedDrop({ galaId });
    const newer = await storedDrop({ galaId });
    await storedDrop();

    const drops = await store.listPriceDrops(galaId);

    expect(drops).toEqual([newer, older]);
  });

  it('lists every drop newest first even when they fill more than one result page', async () => {
    const galaId = freshId('gala-');
    const drops: PriceDropItem[] = [];
    for (let i = 0; i < 5; i++) drops.push(await storedDrop({ galaId, createdBy: padding(300_000) }));

    const queriesBefore = queries();
    const listed = await store.listPriceDrops(galaId);

    expect(queries() - queriesBefore).toBeGreaterThan(1);
    expect(listed.map((drop) => drop.dropId)).toEqual(drops.map((drop) => drop.dropId).reverse());
  });

  it('lists no drops for a gala without any', async () => {
    expect(await store.listPriceDrops(freshId('gala-'))).toEqual([]);
  });
});

describe('closePriceDrop', () => {
  it.each([
    ['CANCELLED', 'cancelledAt'],
    ['APPLIED', 'appliedAt'],
  ] as const)(
    'closes a SCHEDULED drop as %s, recording %s, and takes it off the due list',
    async (to, stamp) => {
      const drop = await storedDrop({ at: EARLIER });

      const closed = await store.closePriceDrop(drop.galaId, drop.dropId, to, NOW);

      const { GSI2PK: _pk, GSI2SK: _sk, ...unlisted } = drop;
      expect(closed).toEqual({ ...unlisted, status: to, [stamp]: NOW });
      expect(await reread(drop)).toEqual(closed);
      expect(await dueOf(drop.galaId, LATER)).toEqual([]);
    },
  );

  it('refuses a drop that is no longer SCHEDULED and leaves it as it was', async () => {
    const drop = await storedDrop();
    await store.closePriceDrop(drop.galaId, drop.dropId, 'CANCELLED', NOW);
    const once = await reread(drop);

    expect(await store.closePriceDrop(drop.galaId, drop.dropId, 'APPLIED', LATER)).toBeUndefined();
    expect(await reread(drop)).toEqual(once);
  });

  it('refuses a drop that does not exist and creates nothing', async () => {
    const galaId = freshId('gala-');

    expect(await store.closePriceDrop(galaId, 'drop-1', 'CANCELLED', NOW)).toBeUndefined();
    expect(await store.getPriceDrop(galaId, 'drop-1')).toBeUndefined();
  });
});

describe('markPriceDropFired', () => {
  it('records when a SCHEDULED drop first fired, and answers the drop', async () => {
    const drop = await storedDrop();

    const fired = await store.markPriceDropFired(drop.galaId, drop.dropId, NOW);

    expect(fired).toEqual({ ...drop, firedAt: NOW });
    expect(await reread(drop)).toEqual(fired);
  });

  it('keeps the first firing time when it fires again', async () => {
    const drop = await storedDrop();
    await store.markPriceDropFired(drop.galaId, drop.dropId, NOW);

    const again = await store.markPriceDropFired(drop.galaId, drop.dropId, LATER);

    expect(again?.firedAt).toBe(NOW);
  });

  it('refuses a drop that was closed, leaving it as it was', async () => {
    const drop = await storedDrop();
    await store.closePriceDrop(drop.galaId, drop.dropId, 'CANCELLED', NOW);
    const closed = await reread(drop);

    expect(await store.markPriceDropFired(drop.galaId, drop.dropId, LATER)).toBeUndefined();
    expect(await reread(drop)).toEqual(closed);
  });

  it('refuses a drop that does not exist and creates nothing', async () => {
    const galaId = freshId('gala-');

    expect(await store.markPriceDropFired(galaId, 'drop-1', NOW)).toBeUndefined();
    expect(await store.getPriceDrop(galaId, 'drop-1')).toBeUndefined();
  });
});

describe('recordPriceDropResult', () => {
  it('records one deal’s outcome and keeps the others', async () => {
    const drop = await storedDrop({ results: { 'deal-a': { outcome: 'NOT_FOUND' } } });

    await store.recordPriceDropResult(drop.galaId, drop.dropId, 'deal-b', {
      outcome: 'APPLIED',
      previousPrice: 6_000,
      dealPrice: 4_800,
    });

    expect((await reread(drop))?.results).toEqual({
      'deal-a': { outcome: 'NOT_FOUND' },
      'deal-b': { outcome: 'APPLIED', previousPrice: 6_000, dealPrice: 4_800 },
    });
  });

  it('throws for a drop that does not exist and creates nothing', async () => {
    const galaId = freshId('gala-');

    await expect(
      store.recordPriceDropResult(galaId, 'drop-1', 'deal-a', { outcome: 'NOT_FOUND' }),
    ).rejects.toThrow();
    expect(await store.getPriceDrop(galaId, 'drop-1')).toBeUndefined();
  });
});

describe('listDuePriceDrops', () => {
  it('lists the SCHEDULED drops due at or before the time, none a millisecond later', async () => {
    const galaId = freshId('gala-');
    const before = await storedDrop({ galaId, at: at(-MINUTE) });
    const exactly = await storedDrop({ galaId, at: NOW });
    await storedDrop({ galaId, at: at(1) });

    const due = await dueOf(galaId, NOW);

    expect(due.sort()).toEqual([before.dropId, exactly.dropId].sort());
  });

  it('answers the gala and drop of each due drop', async () => {
    const drop = await storedDrop({ at: EARLIER });

    const due = await store.listDuePriceDrops(NOW);

    expect(due).toContainEqual({ galaId: drop.galaId, dropId: drop.dropId });
  });
});

describe('applyDealPrice', () => {
  const storedDeal = async (overrides: Partial<DealItem> = {}) => {
    const deal = dealItem({ dealPrice: 6_000, configVersion: 3, ...overrides });
    expect(await store.putDeal(deal)).toBe(true);
    return deal;
  };
  const drop = (dropId = freshId('drop')) => ({ dropId, from: 6_000, to: 4_800, nowIso: NOW });

  it('sets the new price, remembers the drop, grows the price history and bumps configVersion', async () => {
    const deal = await storedDeal();

    const applied = await store.applyDealPrice(deal.dealId, drop('drop-1'));

    const expected = {
      ...deal,
      dealPrice: 4_800,
      appliedDrops: { 'drop-1': 4_800 },
      priceHistory: [...deal.priceHistory, { at: NOW, price: 4_800, dropId: 'drop-1' }],
      configVersion: 4,
    };
    expect(applied).toEqual(expected);
    expect(await store.getDeal(deal.dealId)).toEqual(expected);
  });

  it('applies one drop once, even when the price is back where it was', async () => {
    const deal = await storedDeal();
    await store.applyDealPrice(deal.dealId, drop('drop-1'));
    await store.applyDealPrice(deal.dealId, { ...drop('drop-2'), from: 4_800, to: 6_000 });
    const twice = await store.getDeal(deal.dealId);

    expect(await store.applyDealPrice(deal.dealId, drop('drop-1'))).toBeUndefined();
    expect(await store.getDeal(deal.dealId)).toEqual(twice);
  });

  it('refuses when the price is no longer the one read', async () => {
    const deal = await storedDeal({ dealPrice: 5_500 });

    expect(await store.applyDealPrice(deal.dealId, drop())).toBeUndefined();
    expect(await store.getDeal(deal.dealId)).toEqual(deal);
  });

  it.each(['SCHEDULED', 'LIVE', 'PAUSED'] as const)('applies to a %s deal', async (status) => {
    const deal = await storedDeal({ status });

    expect(await store.applyDealPrice(deal.dealId, drop())).toMatchObject({ dealPrice: 4_800 });
  });

  it('refuses an ENDED deal', async () => {
    const deal = await storedDeal({ status: 'ENDED' });

    expect(await store.applyDealPrice(deal.dealId, drop())).toBeUndefined();
    expect(await store.getDeal(deal.dealId)).toEqual(deal);
  });

  it.each([
    ['exactly at endsAt', NOW],
    ['past endsAt', at(-MINUTE)],
  ])('refuses a deal %s (it has run out)', async (_when, endsAt) => {
    const deal = await storedDeal({ endsAt });

    expect(await store.applyDealPrice(deal.dealId, drop())).toBeUndefined();
    expect(await store.getDeal(deal.dealId)).toEqual(deal);
  });

  it('applies to a deal without endsAt', async () => {
    const { endsAt: _none, ...open } = dealItem({ dealPrice: 6_000 });
    await store.putDeal(open);

    expect(await store.applyDealPrice(open.dealId, drop())).toMatchObject({ dealPrice: 4_800 });
  });

  it('refuses a deal that does not exist and creates nothing', async () => {
    const dealId = freshId('deal');

    expect(await store.applyDealPrice(dealId, drop())).toBeUndefined();
    expect(await store.getDeal(dealId)).toBeUndefined();
  });
});

describe('listGalaDeals', () => {
  it('lists the deals of a gala, and only that gala’s', async () => {
    const galaId = freshId('gala-');
    const inGala = () => {
      const dealId = freshId('deal');
      return dealItem({ dealId, galaId, ...gsi.galaDeals(galaId, dealId) });
    };
    const deals = [inGala(), inGala()];
    for (const deal of [...deals, dealItem()]) await store.putDeal(deal);

    const listed = await store.listGalaDeals(galaId);

    expect(listed.sort()).toEqual(deals.map((deal) => deal.dealId).sort());
  });

  it('lists no deals for a gala without any', async () => {
    expect(await store.listGalaDeals(freshId('gala-'))).toEqual([]);
  });
});
