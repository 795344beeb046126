import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminActor, figures, liveDeal } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);
const writesSince = (mark: number) => h.sent.slice(mark).filter((name) => WRITES.has(name)).length;

describe('claims after a sell-out', () => {
  it('answers SOLD_OUT without a store write once the container knows the deal is sold out', async () => {
    const engine = h.engine();
    const deal = await liveDeal(engine, { stock: 2, shards: 2 });
    await engine.claim(deal.dealId, 'first');
    await engine.claim(deal.dealId, 'second');
    await expect(engine.claim(deal.dealId, 'third')).rejects.toMatchObject({ code: 'SOLD_OUT' });
    const mark = h.sent.length;

    const late = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => engine.claim(deal.dealId, `late-${i}`)),
    );

    expect(
      late.every((r) => r.status === 'rejected' && (r.reason as { code: string }).code === 'SOLD_OUT'),
    ).toBe(true);
    expect(writesSince(mark)).toBe(0);
  });

  it('re-checks a lapsed sold-out fact with one read per container while the other claims stay refused', async () => {
    const engine = h.engine();
    const deal = await liveDeal(engine, { stock: 4, shards: 4 });
    for (const viewer of ['a', 'b', 'c', 'd']) await engine.claim(deal.dealId, viewer);
    await expect(engine.claim(deal.dealId, 'e')).rejects.toMatchObject({ code: 'SOLD_OUT' });
    h.clock.advance(1_001);
    const mark = h.sent.length;

    const late = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => engine.claim(deal.dealId, `lapsed-${i}`)),
    );

    expect(
      late.every((r) => r.status === 'rejected' && (r.reason as { code: string }).code === 'SOLD_OUT'),
    ).toBe(true);
    expect(h.sent.slice(mark)).toEqual(['BatchGetItemCommand']);
  });

  it('sells restocked units at once in the container that restocked, and elsewhere within a second', async () => {
    const seller = h.engine();
    const other = h.engine();
    const deal = await liveDeal(seller, { stock: 1 });
    await seller.claim(deal.dealId, 'first');
    await expect(seller.claim(deal.dealId, 'x')).rejects.toMatchObject({ code: 'SOLD_OUT' });
    await expect(other.claim(deal.dealId, 'y')).rejects.toMatchObject({ code: 'SOLD_OUT' });

    await seller.cue(deal.dealId, { action: 'restock', quantity: 2 }, adminActor);

    await expect(seller.claim(deal.dealId, 'x')).resolves.toMatchObject({ replayed: false });
    await expect(other.claim(deal.dealId, 'y')).rejects.toMatchObject({ code: 'SOLD_OUT' });
    h.clock.advance(1_001);
    await expect(other.claim(deal.dealId, 'y')).resolves.toMatchObject({ replayed: false });
    expect(await figures(seller, deal.dealId)).toMatchObject({
      stock: 3,
      available: 0,
      held: 3,
      accounted: 3,
    });
  });
});

describe('idempotent claims', () => {
  it('treats the same key from another viewer or for another deal as a different request', async () => {
    const engine = h.engine();
    const one = await liveDeal(engine, { stock: 5 });
    const two = await liveDeal(engine, { stock: 5 });

    const a = await engine.claim(one.dealId, 'viewer-a', 'same-key');
    const b = await engine.claim(one.dealId, 'viewer-b', 'same-key');
    const c = await engine.claim(two.dealId, 'viewer-a', 'same-key');
    const again = await engine.claim(one.dealId, 'viewer-a', 'same-key');

    expect(new Set([a.coupon.code, b.coupon.code, c.coupon.code]).size).toBe(3);
    expect([a.replayed, b.replayed, c.replayed]).toEqual([false, false, false]);
    expect(again).toEqual({ coupon: a.coupon, replayed: true });
  });

  it('replays the coupon a key won even after the deal sold out, and runs a failed key afresh', async () => {
    const engine = h.engine();
    const deal = await liveDeal(engine, { stock: 1 });
    const won = await engine.claim(deal.dealId, 'winner', 'k');
    await expect(engine.claim(deal.dealId, 'loser', 'k')).rejects.toMatchObject({ code: 'SOLD_OUT' });

    const replay = await engine.claim(deal.dealId, 'winner', 'k');
    await engine.cue(deal.dealId, { action: 'restock', quantity: 1 }, adminActor);
    const retried = await engine.claim(deal.dealId, 'loser', 'k');

    expect(replay).toEqual({ coupon: won.coupon, replayed: true });
    expect(retried.replayed).toBe(false);
    expect(retried.coupon.viewerId).toBe('loser');
  });
});

describe('a viewer at the limit', () => {
  it('can claim again once their coupon is past expiresAt, before any sweep, and the unit goes back first', async () => {
    const engine = h.engine();
    const deal = await liveDeal(engine, { stock: 1, claimTtlSeconds: 60 });
    const first = await engine.claim(deal.dealId, 'returning-viewer');
    h.clock.advance(60_000);

    const second = await engine.claim(deal.dealId, 'returning-viewer');

    expect(second.coupon.code).not.toBe(first.coupon.code);
    const { coupons } = await engine.listCoupons('returning-viewer', {});
    expect(coupons.map((c) => c.status)).toEqual(['ISSUED', 'EXPIRED']);
    expect(await figures(engine, deal.dealId)).toMatchObject({
      stock: 1,
      available: 0,
      held: 1,
      accounted: 1,
    });
  });
});

describe('deal status and time', () => {
  it('stops granting at endsAt before any sweep ran, and the sweep then records ENDED', async () => {
    const engine = h.engine();
    const deal = await liveDeal(engine, { stock: 5, durationSeconds: 60 });
    await engine.claim(deal.dealId, 'early');
    h.clock.advance(60_000);

    await expect(engine.claim(deal.dealId, 'late')).rejects.toMatchObject({ code: 'DEAL_NOT_LIVE' });
    expect((await engine.getDeal(deal.dealId)).status).toBe('ENDED');
    const report = await engine.sweep();

    expect(report.dealsEnded).toBeGreaterThanOrEqual(1);
    expect((await h.store.getDeal(deal.dealId))?.status).toBe('ENDED');
    await expect(engine.cue(deal.dealId, { action: 'resume' }, adminActor)).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
    });
  });

  it('refuses claims while paused and grants again after resume', async () => {
    const engine = h.engine();
    const deal = await liveDeal(engine, { stock: 5 });
    await engine.cue(deal.dealId, { action: 'pause' }, adminActor);
    await expect(engine.claim(deal.dealId, 'v')).rejects.toMatchObject({ code: 'DEAL_NOT_LIVE' });

    await engine.cue(deal.dealId, { action: 'resume' }, adminActor);

    await expect(engine.claim(deal.dealId, 'v')).resolves.toMatchObject({ replayed: false });
  });

  it('keeps the price a coupon was claimed at', async () => {
    const engine = h.engine();
    const deal = await liveDeal(engine, { listPrice: 9_900, dealPrice: 4_950, currency: 'USD' });

    const { coupon } = await engine.claim(deal.dealId, 'v');

    expect(coupon).toMatchObject({ dealPrice: 4_950, listPrice: 9_900, currency: 'USD' });
  });
});

describe('settling finished deals', () => {
  it('takes an ended, idle deal off the sweep list after two quiet sweeps, and puts it back on a release', async () => {
    const engine = h.engine({ options: { settleDelayMs: 10_000 } });
    const deal = await liveDeal(engine, { stock: 3, claimTtlSeconds: 3_600 });
    const { coupon } = await engine.claim(deal.dealId, 'buyer');
    await engine.redeem(coupon.code, { viewerId: 'buyer', orderId: 'o-1' });
    await engine.cue(deal.dealId, { action: 'end' }, adminActor);

    await engine.sweep();
    expect(await h.store.listSweepDeals()).toContain(deal.dealId);
    h.clock.advance(10_000);
    await engine.sweep();
    expect(await h.store.listSweepDeals()).not.toContain(deal.dealId);

    await engine.release(coupon.code, { viewerId: 'buyer', orderId: 'o-1' });
    expect(await h.store.listSweepDeals()).toContain(deal.dealId);
    h.clock.advance(3_600_000);
    const report = await engine.sweep();
    expect(report.expired).toBeGreaterThanOrEqual(1);
    expect(await figures(engine, deal.dealId)).toMatchObject({
      stock: 3,
      available: 3,
      held: 0,
      redeemed: 0,
    });
  });
});

describe('the return log on the shard’s tally', () => {
  it('forgets returned tickets once they are RETURNED and older than the prune grace, keeping tallies small', async () => {
    const engine = h.engine({ options: { returnPruneGraceMs: 60_000, claimGraceMs: 1_000 } });
    const deal = await liveDeal(engine, { stock: 4, shards: 1, claimTtlSeconds: 10 });
    for (const viewer of ['a', 'b', 'c']) await engine.claim(deal.dealId, viewer);
    h.clock.advance(10_000);
    await engine.sweep();
    expect(Object.keys((await h.store.getTally(deal.dealId, 0))?.r ?? {})).toHaveLength(3);

    h.clock.advance(30_000);
    await engine.sweep();
    const young = await h.store.getTally(deal.dealId, 0);
    h.clock.advance(30_001);
    await engine.sweep();
    const old = await h.store.getTally(deal.dealId, 0);

    expect(Object.keys(young?.r ?? {})).toHaveLength(3);
    expect(old).toMatchObject({ returned: 3, r: {} });
    expect(await h.store.getShard(deal.dealId, 0)).toMatchObject({
      available: 4,
      absorbed: 3,
      issued: 3,
      checkedThrough: 3,
    });
  });
});

describe('listing cursors', () => {
  it.each([
    ['a key with only the partition', { GSI1PK: 'VIEWER#lister' }],
    ['empty key values', { PK: '', SK: '', GSI1PK: 'VIEWER#lister', GSI1SK: '' }],
    ['a key of another item type', { PK: 'DEAL#x', SK: 'DEAL', GSI1PK: 'VIEWER#lister', GSI1SK: 'COUPON#X' }],
  ])(
    'refuses a forged cursor with %s as VALIDATION_FAILED, never reaching the store with it',
    async (_what, key) => {
      const engine = h.engine();
      const cursor = Buffer.from(JSON.stringify(key)).toString('base64url');

      await expect(engine.listCoupons('lister', { cursor })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    },
  );
});
