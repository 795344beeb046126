import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../functions/shared/domain/roles.js';
import { type Harness, startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const host = { sub: 'host-1', scopes: new Set([SCOPES.host]) };

describe('smoke', () => {
  it('runs a deal through claim, redeem, release and expiry', async () => {
    const engine = h.engine();
    const deal = await engine.createDeal(
      {
        title: 'Jacket',
        sku: 'JKT-1',
        streamId: 'stream-1',
        currency: 'EUR',
        listPrice: 10000,
        dealPrice: 5000,
        stock: 3,
        perViewerLimit: 1,
        claimTtlSeconds: 60,
      },
      'host-1',
    );
    await engine.cue(deal.dealId, { action: 'start' }, host);
    const a = await engine.claim(deal.dealId, 'v1');
    const b = await engine.claim(deal.dealId, 'v2', 'k1');
    const b2 = await engine.claim(deal.dealId, 'v2', 'k1');
    expect(b2.replayed).toBe(true);
    expect(b2.coupon.code).toBe(b.coupon.code);
    await expect(engine.claim(deal.dealId, 'v1')).rejects.toMatchObject({ code: 'LIMIT_REACHED' });
    await engine.redeem(a.coupon.code, { viewerId: 'v1', orderId: 'o1' });
    expect(await engine.getDeal(deal.dealId)).toMatchObject({ stock: 3, available: 1, held: 1, redeemed: 1 });
    h.clock.advance(61_000);
    const report = await engine.sweep();
    expect(report.expired).toBe(1);
    expect(await engine.getDeal(deal.dealId)).toMatchObject({ stock: 3, available: 2, held: 0, redeemed: 1 });
    const released = await engine.release(a.coupon.code, { viewerId: 'v1', orderId: 'o1' });
    expect(released.status).toBe('EXPIRED');
    expect(await engine.getDeal(deal.dealId)).toMatchObject({ stock: 3, available: 3, held: 0, redeemed: 0 });
    const c = await engine.claim(deal.dealId, 'v1');
    expect(c.coupon.status).toBe('ISSUED');
  });
});
