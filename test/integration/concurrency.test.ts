import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../functions/shared/domain/errors.js';
import { figures, liveDeal } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const outcome = async <T>(run: () => Promise<T>): Promise<{ ok: T } | { error: string }> => {
  try {
    return { ok: await run() };
  } catch (error) {
    if (error instanceof DomainError) return { error: error.code };
    throw error;
  }
};

describe('concurrent redeems', () => {
  it('lets exactly one of 50 concurrent redeems of one coupon win', async () => {
    // 50 orders for one code in a moment is over the per-code limit by design; this is about the race.
    const engines = h.containers(4, { options: { rateLimits: { checkoutPerCode: null } } });
    const deal = await liveDeal(engines.main, { stock: 3 });
    const { coupon } = await engines.main.claim(deal.dealId, 'viewer-1');

    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        outcome(() => engines.at(i).redeem(coupon.code, { viewerId: 'viewer-1', orderId: `order-${i}` })),
      ),
    );

    const winners = results.flatMap((r) => ('ok' in r ? [r.ok] : []));
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => 'error' in r && r.error === 'ALREADY_REDEEMED')).toHaveLength(49);
    const after = await figures(engines.main, deal.dealId);
    expect(after).toMatchObject({ stock: 3, available: 2, held: 0, redeemed: 1, accounted: 3 });
    // The winner's order is the one recorded, and repeating it answers the same.
    const again = await engines
      .at(1)
      .redeem(coupon.code, { viewerId: 'viewer-1', orderId: winners[0]?.orderId ?? '' });
    expect(again).toEqual(winners[0]);
  });
});

describe('concurrent sweeps', () => {
  it('returns each expired unit exactly once when two sweeps run at the same time', async () => {
    const engines = h.containers(2);
    const deal = await liveDeal(engines.main, { stock: 60, claimTtlSeconds: 30, shards: 3 });
    const claimed = await Promise.all(
      Array.from({ length: 40 }, (_, i) => engines.at(i).claim(deal.dealId, `sweep-viewer-${i}`)),
    );
    await engines.main.redeem(claimed[0]?.coupon.code ?? '', { viewerId: 'sweep-viewer-0', orderId: 'kept' });
    h.clock.advance(31_000);

    const reports = await Promise.all([engines.main.sweep(), engines.at(1).sweep(), engines.main.sweep()]);

    expect(reports.reduce((sum, r) => sum + r.unitsReturned, 0)).toBe(39);
    expect(reports.reduce((sum, r) => sum + r.expired, 0)).toBe(39);
    const after = await figures(engines.main, deal.dealId);
    expect(after).toMatchObject({ stock: 60, available: 59, held: 0, redeemed: 1, accounted: 60 });
    // Every viewer whose coupon expired has a free slot again.
    const again = await engines.at(1).claim(deal.dealId, 'sweep-viewer-5');
    expect(again.coupon.status).toBe('ISSUED');
  });

  it('never lets a redeem through after expiresAt, even before any sweep ran', async () => {
    const engine = h.engine();
    const deal = await liveDeal(engine, { claimTtlSeconds: 10 });
    const { coupon } = await engine.claim(deal.dealId, 'late-viewer');
    h.clock.advance(10_000);

    const late = await outcome(() =>
      engine.redeem(coupon.code, { viewerId: 'late-viewer', orderId: 'o-late' }),
    );

    expect(late).toEqual({ error: 'COUPON_EXPIRED' });
    expect((await engine.listCoupons('late-viewer', {})).coupons[0]?.status).toBe('EXPIRED');
  });
});

describe('concurrent claims by one viewer', () => {
  it('holds a viewer to the limit when their claims race across containers', async () => {
    const engines = h.containers(4);
    const deal = await liveDeal(engines.main, { stock: 100, perViewerLimit: 2 });

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => outcome(() => engines.at(i).claim(deal.dealId, 'greedy-viewer'))),
    );

    expect(results.filter((r) => 'ok' in r)).toHaveLength(2);
    expect(results.filter((r) => 'error' in r && r.error === 'LIMIT_REACHED')).toHaveLength(18);
    expect(await figures(engines.main, deal.dealId)).toMatchObject({
      available: 98,
      held: 2,
      accounted: 100,
    });
  });
});
