/**
 * Returning a unit off the hot shard: the once-only guard lives on the shard's tally, and the shard only absorbs
 * the tally's count (one number), so it stays small however many units churn, and each unit comes back once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../functions/shared/use-cases/context.js';
import { absorbReturns, returnUnit } from '../../functions/shared/use-cases/return-unit.js';
import { InjectedCrash } from '../support/crash.js';
import { figures, liveDeal } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';
import { itemSize } from '../support/item-size.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
afterEach(() => {
  h.clock.advance(1_000);
});

/** Claims `count` units of the deal, a few claims at a time, each by its own viewer. */
const claimAll = async (
  engine: ReturnType<Harness['engine']>,
  dealId: string,
  count: number,
  tag: string,
) => {
  for (let i = 0; i < count; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, count - i) }, (_, j) => engine.claim(dealId, `${tag}-${i + j}`)),
    );
  }
};

describe('the hot shard under churn', () => {
  it('stays under 1 KB through hundreds of returns within the prune grace', async () => {
    const engine = h.engine();
    const deal = await liveDeal(engine, { stock: 100, shards: 1 });
    const ctx = createContext({ store: h.store, clock: h.clock });
    const fresh = itemSize((await h.store.getShard(deal.dealId, 0)) ?? {});

    // The shard's own writes, without the rest of a claim and an expiry (about 11 store calls a unit where
    // these take 3): a claim's one write to it (takeUnit), then the return step every expiry, release and
    // orphan repair takes (returnUnit: the tally's guard, then the shard absorbs). Ten units churn at once,
    // each out and back 30 times; an absorb that lost five races in a row leaves its unit to the sweep,
    // which absorbs the tally's count (reconcile.ts), as done last here.
    const now = new Date(h.clock.now()).toISOString();
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let i = 0; i < 30; i++) {
          const take = await h.store.takeUnit(deal.dealId, 0, now);
          if (!('taken' in take)) throw new Error('the shard refused a unit it had');
          expect(await returnUnit(ctx, deal.dealId, 0, take.taken.issued)).toBe(true);
        }
      }),
    );
    await absorbReturns(ctx, deal.dealId, 0, 300);

    const shard = await h.store.getShard(deal.dealId, 0);
    expect(shard).toMatchObject({ issued: 300, absorbed: 300, available: 100 });
    // Within the prune grace: every return's guard is still on the tally, and the shard grew by no more than
    // its counters' digits (a guard entry per return would add at least 3 bytes each: some 900 here).
    const tally = await h.store.getTally(deal.dealId, 0);
    expect(tally?.returned).toBe(300);
    expect(Object.keys(tally?.r ?? {})).toHaveLength(300);
    expect(itemSize(shard ?? {})).toBeLessThanOrEqual(fresh + 8);
    expect(itemSize(shard ?? {})).toBeLessThan(1_024);
    expect(await figures(engine, deal.dealId)).toMatchObject({
      stock: 100,
      available: 100,
      held: 0,
      accounted: 100,
    });
  });
});

describe('returnUnit', () => {
  it('adds one unit for a ticket returned twice, and one when the returns race', async () => {
    const engine = h.engine();
    const deal = await liveDeal(engine, { stock: 2, shards: 1 });
    await claimAll(engine, deal.dealId, 2, 'twice');
    // The return step on its own, as every expiry, release and orphan repair calls it (and their retries).
    const ctx = createContext({ store: h.store, clock: h.clock });

    expect(await returnUnit(ctx, deal.dealId, 0, 1)).toBe(true);
    expect(await returnUnit(ctx, deal.dealId, 0, 1)).toBe(false);
    const raced = await Promise.all(Array.from({ length: 5 }, () => returnUnit(ctx, deal.dealId, 0, 2)));

    expect(raced.filter(Boolean)).toHaveLength(1);
    expect(await h.store.getShard(deal.dealId, 0)).toMatchObject({ available: 2, absorbed: 2, issued: 2 });
    expect(await h.store.getTally(deal.dealId, 0)).toMatchObject({ returned: 2 });
  });

  it('after a crash between the tally and the shard, counts the unit available; the sweep absorbs it', async () => {
    const engine = h.engine();
    const deal = await liveDeal(engine, { stock: 3, shards: 1, claimTtlSeconds: 1 });
    await claimAll(engine, deal.dealId, 2, 'crash');
    h.clock.advance(1_001);
    let crashed = false;
    const dying = h.engine({
      seam: (step) => {
        if (step === 'return.tally' && !crashed) {
          crashed = true;
          throw new InjectedCrash(step);
        }
      },
    });

    await expect(dying.sweep()).rejects.toBeInstanceOf(InjectedCrash);
    expect(await h.store.getShard(deal.dealId, 0)).toMatchObject({ available: 1, absorbed: 0 });
    expect(await figures(engine, deal.dealId)).toMatchObject({ available: 2, held: 1, accounted: 3 });

    await engine.sweep();

    expect(await h.store.getShard(deal.dealId, 0)).toMatchObject({ available: 3, absorbed: 2 });
    expect(await h.store.getTally(deal.dealId, 0)).toMatchObject({ returned: 2 });
    expect(await figures(engine, deal.dealId)).toMatchObject({ available: 3, held: 0, accounted: 3 });
  });
});
