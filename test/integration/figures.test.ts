/**
 * A deal's figures (stock, available, held, redeemed) come from its shards and their tallies alone: one read
 * whatever the number of coupons, exact after every kind of change, and a redemption cut by a crash between the
 * coupon and the tally is finished by the checkout's retry or by the sweep.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/shared/data/client.js';
import { createStore } from '../../functions/shared/data/store.js';
import { Engine } from '../../functions/shared/use-cases/engine.js';
import { InjectedCrash } from '../support/crash.js';
import { adminActor, figures, liveDeal } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

type Phase = 'ISSUED' | 'REDEEMED' | 'REDEEMING' | 'RETURNING';

/** The coupons of a deal in a phase, counted one by one on the coupon index: what the figures must agree with. */
const couponsIn = async (dealId: string, shards: number, phase: Phase) => {
  let count = 0;
  for (let k = 0; k < shards; k++) count += await h.store.countCouponsByPhase(dealId, k, phase);
  return count;
};

/** An engine on its own client that counts the store calls it makes and the items they read. */
const countingEngine = () => {
  const reads = { calls: 0, items: 0 };
  const client = createDocumentClient({ endpoint: h.embedded.endpoint, maxSockets: 64 });
  client.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const output = out.output as {
        Item?: unknown;
        Items?: unknown[];
        ScannedCount?: number;
        Responses?: Record<string, unknown[]>;
      };
      reads.calls++;
      reads.items +=
        (output.Item === undefined ? 0 : 1) +
        (output.ScannedCount ?? output.Items?.length ?? 0) +
        Object.values(output.Responses ?? {}).reduce((sum, items) => sum + items.length, 0);
      return out;
    },
    { step: 'initialize', name: 'countReads' },
  );
  const engine = new Engine({ store: createStore(client, h.embedded.tableName), clock: h.clock });
  return { engine, reads, close: () => client.destroy() };
};

/** Claims `count` units, a few claims at a time, each by its own viewer; redeems every `redeemEvery`-th. */
const claimMany = async (engine: Engine, dealId: string, count: number, redeemEvery: number) => {
  for (let i = 0; i < count; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, count - i) }, async (_, j) => {
        const viewerId = `${dealId}-${i + j}`;
        const { coupon } = await engine.claim(dealId, viewerId);
        if ((i + j) % redeemEvery === 0)
          await engine.redeem(coupon.code, { viewerId, orderId: `o-${i + j}` });
      }),
    );
  }
};

describe('the figures’ reads', () => {
  it('do not grow with the number of coupons: 10 and 500 coupons cost the same calls, a few items', async () => {
    const engine = h.engine();
    const small = await liveDeal(engine, { stock: 600, shards: 6 });
    const large = await liveDeal(engine, { stock: 600, shards: 6 });
    await claimMany(engine, small.dealId, 10, 3);
    await claimMany(engine, large.dealId, 500, 3);
    const counting = countingEngine();

    const readFigures = async (dealId: string) => {
      const before = { ...counting.reads };
      const deal = await counting.engine.getDeal(dealId);
      return { deal, calls: counting.reads.calls - before.calls, items: counting.reads.items - before.items };
    };
    const few = await readFigures(small.dealId);
    const many = await readFigures(large.dealId);
    counting.close();

    expect(few.deal).toMatchObject({ stock: 600, available: 590, held: 6, redeemed: 4 });
    expect(many.deal).toMatchObject({ stock: 600, available: 100, held: 333, redeemed: 167 });
    expect(many.calls).toBe(few.calls);
    // The deal, then one batch of its 6 shards and (those that exist of) its 6 tallies, whatever the coupons.
    expect(few.items).toBeLessThanOrEqual(1 + 12);
    expect(many.items).toBeLessThanOrEqual(1 + 12);
  }, 120_000);
});

describe('the figures', () => {
  it('stay exact through claims, redemptions, releases, expiries and a restock', async () => {
    const engine = h.engine();
    const deal = await liveDeal(engine, { stock: 10, shards: 3, claimTtlSeconds: 60 });
    const expectFigures = async (expected: {
      stock: number;
      available: number;
      held: number;
      redeemed: number;
    }) => {
      expect(await figures(engine, deal.dealId)).toMatchObject({ ...expected, accounted: expected.stock });
      expect(await couponsIn(deal.dealId, 3, 'ISSUED')).toBe(expected.held);
      expect(await couponsIn(deal.dealId, 3, 'REDEEMED')).toBe(expected.redeemed);
    };
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) codes.push((await engine.claim(deal.dealId, `fig-${i}`)).coupon.code);
    await expectFigures({ stock: 10, available: 4, held: 6, redeemed: 0 });

    for (const i of [0, 1, 2])
      await engine.redeem(codes[i] ?? '', { viewerId: `fig-${i}`, orderId: `o-${i}` });
    await expectFigures({ stock: 10, available: 4, held: 3, redeemed: 3 });

    // Released within the hold: held again; redeemed again for another order: redeemed again.
    await engine.release(codes[0] ?? '', { viewerId: 'fig-0', orderId: 'o-0' });
    await expectFigures({ stock: 10, available: 4, held: 4, redeemed: 2 });
    await engine.redeem(codes[0] ?? '', { viewerId: 'fig-0', orderId: 'o-0b' });
    await expectFigures({ stock: 10, available: 4, held: 3, redeemed: 3 });

    await engine.cue(deal.dealId, { action: 'restock', quantity: 5 }, adminActor);
    await expectFigures({ stock: 15, available: 9, held: 3, redeemed: 3 });

    // Past the hold: the three ISSUED expire; a release of a redeemed one ends its hold and returns its unit.
    h.clock.advance(61_000);
    await engine.sweep();
    await expectFigures({ stock: 15, available: 12, held: 0, redeemed: 3 });
    await engine.release(codes[1] ?? '', { viewerId: 'fig-1', orderId: 'o-1' });
    await expectFigures({ stock: 15, available: 13, held: 0, redeemed: 2 });
  });
});

describe('the tally’s redemption guards', () => {
  it('are pruned once settled and old, and a later release still counts down once', async () => {
    const engine = h.engine({ options: { returnPruneGraceMs: 60_000 } });
    const deal = await liveDeal(engine, { stock: 2, shards: 1, claimTtlSeconds: 600 });
    const { coupon } = await engine.claim(deal.dealId, 'pruned');
    await engine.redeem(coupon.code, { viewerId: 'pruned', orderId: 'o-1' });
    await engine.sweep();
    expect(Object.keys((await h.store.getTally(deal.dealId, 0))?.d ?? {})).toHaveLength(1);

    h.clock.advance(60_001);
    await engine.sweep();
    expect((await h.store.getTally(deal.dealId, 0))?.d).toEqual({});
    await engine.release(coupon.code, { viewerId: 'pruned', orderId: 'o-1' });
    await engine.release(coupon.code, { viewerId: 'pruned', orderId: 'o-1' });

    expect(await figures(engine, deal.dealId)).toMatchObject({ available: 1, held: 1, redeemed: 0 });
  });
});

describe('a redemption cut between the coupon and the tally', () => {
  const crashAfter = (step: string) =>
    h.engine({
      seam: (at) => {
        if (at === step) throw new InjectedCrash(at);
      },
    });

  it.each(['redeem.coupon', 'redeem.tally'])(
    'after %s: is finished by the checkout’s retry, counted once',
    async (step) => {
      const engine = h.engine();
      const deal = await liveDeal(engine, { stock: 3, shards: 1 });
      const { coupon } = await engine.claim(deal.dealId, 'cut-retry');

      await expect(
        crashAfter(step).redeem(coupon.code, { viewerId: 'cut-retry', orderId: 'o-1' }),
      ).rejects.toBeInstanceOf(InjectedCrash);
      expect(await couponsIn(deal.dealId, 1, 'REDEEMING')).toBe(1);

      const again = await engine.redeem(coupon.code, { viewerId: 'cut-retry', orderId: 'o-1' });

      expect(again).toMatchObject({ status: 'REDEEMED', orderId: 'o-1' });
      expect(await couponsIn(deal.dealId, 1, 'REDEEMING')).toBe(0);
      expect(await figures(engine, deal.dealId)).toMatchObject({ available: 2, held: 0, redeemed: 1 });
      await engine.redeem(coupon.code, { viewerId: 'cut-retry', orderId: 'o-1' });
      expect((await figures(engine, deal.dealId)).redeemed).toBe(1);
    },
  );

  it.each(['redeem.coupon', 'redeem.tally'])(
    'after %s: is finished by the sweep, counted once',
    async (step) => {
      const engine = h.engine();
      const deal = await liveDeal(engine, { stock: 3, shards: 1 });
      const { coupon } = await engine.claim(deal.dealId, 'cut-sweep');
      await expect(
        crashAfter(step).redeem(coupon.code, { viewerId: 'cut-sweep', orderId: 'o-1' }),
      ).rejects.toBeInstanceOf(InjectedCrash);

      await engine.sweep();
      await engine.sweep();

      expect(await couponsIn(deal.dealId, 1, 'REDEEMING')).toBe(0);
      expect(await couponsIn(deal.dealId, 1, 'REDEEMED')).toBe(1);
      expect(await figures(engine, deal.dealId)).toMatchObject({ available: 2, held: 0, redeemed: 1 });
    },
  );

  it('a release cut before its count is counted before the coupon can expire', async () => {
    const engine = h.engine();
    const deal = await liveDeal(engine, { stock: 3, shards: 1, claimTtlSeconds: 60 });
    const { coupon } = await engine.claim(deal.dealId, 'cut-release');
    await engine.redeem(coupon.code, { viewerId: 'cut-release', orderId: 'o-1' });
    await expect(
      crashAfter('release.coupon').release(coupon.code, { viewerId: 'cut-release', orderId: 'o-1' }),
    ).rejects.toBeInstanceOf(InjectedCrash);
    h.clock.advance(61_000);

    await engine.sweep();

    expect(await couponsIn(deal.dealId, 1, 'REDEEMING')).toBe(0);
    expect(await figures(engine, deal.dealId)).toMatchObject({ available: 3, held: 0, redeemed: 0 });
  });
});
