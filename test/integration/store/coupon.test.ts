/**
 * Coupons on the embedded store: written once per code, redeemed and released only by their viewer and
 * order, expired only once their hold is over (checked in the write, not by the caller), and filed in GSI2
 * by phase so the sweep and the figures find them. Every refusal is checked against the coupon as stored.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CouponItem } from '../../../functions/shared/data/coupon.js';
import { type Harness, startHarness } from '../../support/harness.js';
import {
  at,
  couponItem,
  EARLIER,
  freshId,
  gsi,
  LATER,
  MINUTE,
  NOW,
  padding,
  voidCouponItem,
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

const storedCoupon = async (overrides: Partial<CouponItem> = {}) => {
  const coupon = couponItem(overrides);
  expect(await store.putCoupon(coupon)).toBe(true);
  return coupon;
};

/** A coupon redeemed for `orderId` (as redeemCoupon leaves it), with its hold ending at `expiresAt`. */
const redeemedCoupon = (expiresAt: string, orderId = 'order-1') => {
  const coupon = couponItem({ expiresAt });
  return storedCoupon({
    ...coupon,
    status: 'REDEEMED',
    redeemedAt: EARLIER,
    orderId,
    redeemedBy: 'checkout-1',
    tallyStep: 1,
    GSI2SK: gsi.couponPhase('REDEEMED', EARLIER, coupon.code),
  });
};

const reread = (coupon: { code: string }) => store.getCoupon(coupon.code);

/** Queries sent so far (a read that pages sends several). */
const queries = () => harness.sent.filter((command) => command === 'QueryCommand').length;

const codesIn = (coupons: CouponItem[]) => coupons.map((coupon) => coupon.code).sort();

describe('putCoupon and putVoidCoupon', () => {
  it('writes a new coupon and reads it back by its code', async () => {
    const coupon = couponItem();

    expect(await store.putCoupon(coupon)).toBe(true);
    expect(await reread(coupon)).toEqual(coupon);
  });

  it('refuses a second coupon at the same code and leaves the first untouched', async () => {
    const first = await storedCoupon({ viewerId: 'viewer-1' });

    const written = await store.putCoupon({ ...first, viewerId: 'viewer-2', couponId: freshId('coupon') });

    expect(written).toBe(false);
    expect(await reread(first)).toEqual(first);
  });

  it('voids a code nobody holds', async () => {
    const voided = voidCouponItem();

    expect(await store.putVoidCoupon(voided)).toBe(true);
    expect(await reread(voided)).toEqual(voided);
  });

  it('refuses to void a code whose coupon was written, leaving the coupon untouched', async () => {
    const coupon = await storedCoupon();

    const voided = await store.putVoidCoupon(voidCouponItem({ code: coupon.code }));

    expect(voided).toBe(false);
    expect(await reread(coupon)).toEqual(coupon);
  });

  it('refuses the slow claimer’s coupon at a voided code, leaving the void untouched', async () => {
    const voided = voidCouponItem();
    await store.putVoidCoupon(voided);

    const written = await store.putCoupon(couponItem({ code: voided.code }));

    expect(written).toBe(false);
    expect(await reread(voided)).toEqual(voided);
  });

  it('reads nothing for a code nobody holds', async () => {
    expect(await store.getCoupon(freshId('CODE'))).toBeUndefined();
  });
});

describe('getCoupons', () => {
  it('maps coupons (void ones too) by code and leaves out codes nobody holds', async () => {
    const coupon = await storedCoupon();
    const voided = voidCouponItem();
    await store.putVoidCoupon(voided);

    const found = await store.getCoupons([coupon.code, freshId('CODE'), voided.code]);

    expect(new Map(found)).toEqual(
      new Map<string, unknown>([
        [coupon.code, coupon],
        [voided.code, voided],
      ]),
    );
  });

  it('reads more than 100 codes (several batches)', async () => {
    const coupons = await Promise.all(Array.from({ length: 230 }, () => storedCoupon()));

    const found = await store.getCoupons(coupons.map((coupon) => coupon.code));

    expect([...found.keys()].sort()).toEqual(codesIn(coupons));
  });

  it('reads a code named twice once', async () => {
    const coupon = await storedCoupon();

    const found = await store.getCoupons([coupon.code, coupon.code]);

    expect([...found.entries()]).toEqual([[coupon.code, coupon]]);
  });

  it('reads nothing for no codes', async () => {
    expect((await store.getCoupons([])).size).toBe(0);
  });
});

describe('redeemCoupon', () => {
  it('redeems an ISSUED coupon of this viewer within its hold, filing it under REDEEMING until counted', async () => {
    const coupon = await storedCoupon({ viewerId: 'viewer-1', expiresAt: LATER });

    const redeemed = await store.redeemCoupon(coupon.code, 'viewer-1', 'order-1', NOW, 'checkout-1');

    const expected = {
      ...coupon,
      status: 'REDEEMED',
      redeemedAt: NOW,
      orderId: 'order-1',
      redeemedBy: 'checkout-1',
      tallyStep: 1,
      GSI2SK: gsi.couponPhase('REDEEMING', NOW, coupon.code),
    };
    expect(redeemed).toEqual(expected);
    expect(await reread(coupon)).toEqual(expected);
    expect(await store.countCouponsByPhase(coupon.dealId, coupon.shard, 'REDEEMING')).toBe(1);
    expect(await store.countCouponsByPhase(coupon.dealId, coupon.shard, 'ISSUED')).toBe(0);
  });

  it('refuses a coupon whose previous release is not counted yet (still REDEEMING)', async () => {
    const coupon = await storedCoupon({
      expiresAt: LATER,
      tallyStep: 2,
      GSI2SK: gsi.couponPhase('REDEEMING', EARLIER, freshId('CODE')),
    });

    expect(await store.redeemCoupon(coupon.code, coupon.viewerId, 'order-2', NOW)).toBeUndefined();
    expect(await reread(coupon)).toEqual(coupon);
  });

  it('refuses another viewer’s coupon', async () => {
    const coupon = await storedCoupon({ viewerId: 'viewer-1' });

    expect(await store.redeemCoupon(coupon.code, 'viewer-2', 'order-1', NOW)).toBeUndefined();
    expect(await reread(coupon)).toEqual(coupon);
  });

  it('refuses a coupon already redeemed (for another order)', async () => {
    const coupon = await storedCoupon();
    await store.redeemCoupon(coupon.code, coupon.viewerId, 'order-1', NOW);
    const once = await reread(coupon);

    expect(await store.redeemCoupon(coupon.code, coupon.viewerId, 'order-2', NOW)).toBeUndefined();
    expect(await reread(coupon)).toEqual(once);
  });

  it.each([
    ['exactly at its expiry', NOW],
    ['past its expiry, before the sweep expired it', at(-MINUTE)],
  ])('refuses a coupon %s', async (_when, expiresAt) => {
    const coupon = await storedCoupon({ status: 'ISSUED', expiresAt });

    expect(await store.redeemCoupon(coupon.code, coupon.viewerId, 'order-1', NOW)).toBeUndefined();
    expect(await reread(coupon)).toEqual(coupon);
  });

  it('redeems a millisecond before the expiry', async () => {
    const coupon = await storedCoupon({ expiresAt: at(1) });

    expect(await store.redeemCoupon(coupon.code, coupon.viewerId, 'order-1', NOW)).toBeDefined();
  });

  it('refuses a voided code', async () => {
    const voided = voidCouponItem({ viewerId: 'viewer-1' });
    await store.putVoidCoupon(voided);

    expect(await store.redeemCoupon(voided.code, 'viewer-1', 'order-1', NOW)).toBeUndefined();
    expect(await reread(voided)).toEqual(voided);
  });

  it('refuses a code nobody holds and creates nothing', async () => {
    const code = freshId('CODE');

    expect(await store.redeemCoupon(code, 'viewer-1', 'order-1', NOW)).toBeUndefined();
    expect(await store.getCoupon(code)).toBeUndefined();
  });
});

describe('releaseCoupon', () => {
  it('while the hold lasts, puts the coupon back to ISSUED, filed again under its expiry', async () => {
    const coupon = await redeemedCoupon(LATER, 'order-1');

    const released = await store.releaseCoupon(coupon, 'order-1', NOW, 'checkout-2');

    const { redeemedAt: _r, orderId: _o, redeemedBy: _b, ...unredeemed } = coupon;
    const expected = {
      ...unredeemed,
      status: 'ISSUED',
      releasedAt: NOW,
      releasedOrder: 'order-1',
      releasedBy: 'checkout-2',
      releasedOrders: new Set(['order-1']),
      tallyStep: 2,
      GSI2SK: gsi.couponPhase('REDEEMING', NOW, coupon.code),
    };
    expect(released).toEqual({ item: expected, expired: false });
    expect(await reread(coupon)).toEqual(expected);
    expect(codesIn(await store.queryCouponsByPhase(coupon.dealId, coupon.shard, 'REDEEMING'))).toEqual([
      coupon.code,
    ]);
    expect(await store.countCouponsByPhase(coupon.dealId, coupon.shard, 'REDEEMED')).toBe(0);
  });

  it.each([
    ['past the hold', at(-MINUTE)],
    ['exactly at the end of the hold', NOW],
  ])('%s, expires the coupon and marks its unit RETURNING', async (_when, expiresAt) => {
    const coupon = await redeemedCoupon(expiresAt, 'order-1');

    const released = await store.releaseCoupon(coupon, 'order-1', NOW);

    expect(released?.expired).toBe(true);
    expect(released?.item).toMatchObject({
      status: 'EXPIRED',
      unit: 'RETURNING',
      expiredAt: NOW,
      releasedAt: NOW,
      releasedOrder: 'order-1',
      releasedBy: 'unknown',
      releasedOrders: new Set(['order-1']),
    });
    expect(released?.item).not.toHaveProperty('orderId');
    expect(await reread(coupon)).toEqual(released?.item);
    expect(codesIn(await store.queryCouponsByPhase(coupon.dealId, coupon.shard, 'REDEEMING'))).toEqual([
      coupon.code,
    ]);
  });

  it('refuses a release for another order', async () => {
    const coupon = await redeemedCoupon(LATER, 'order-1');

    expect(await store.releaseCoupon(coupon, 'order-2', NOW)).toBeUndefined();
    expect(await reread(coupon)).toEqual(coupon);
  });

  it('refuses a release naming another viewer', async () => {
    const coupon = await redeemedCoupon(LATER, 'order-1');

    expect(await store.releaseCoupon({ ...coupon, viewerId: 'viewer-2' }, 'order-1', NOW)).toBeUndefined();
    expect(await reread(coupon)).toEqual(coupon);
  });

  it('refuses a coupon that is not redeemed', async () => {
    const coupon = await storedCoupon({ status: 'ISSUED', orderId: 'order-1' });

    expect(await store.releaseCoupon(coupon, 'order-1', NOW)).toBeUndefined();
    expect(await reread(coupon)).toEqual(coupon);
  });

  it('refuses to repeat a release: the second one changes nothing', async () => {
    const coupon = await redeemedCoupon(LATER, 'order-1');
    await store.releaseCoupon(coupon, 'order-1', NOW);
    const once = await reread(coupon);

    expect(await store.releaseCoupon(coupon, 'order-1', at(MINUTE))).toBeUndefined();
    expect(await reread(coupon)).toEqual(once);
  });

  it('refuses to put a coupon back to ISSUED when its stored hold has run out (read as still running)', async () => {
    const coupon = await redeemedCoupon(at(-MINUTE), 'order-1');

    expect(await store.releaseCoupon({ ...coupon, expiresAt: LATER }, 'order-1', NOW)).toBeUndefined();
    expect(await reread(coupon)).toEqual(coupon);
  });

  it('refuses to expire a coupon whose stored hold still runs (read as run out)', async () => {
    const coupon = await redeemedCoupon(LATER, 'order-1');

    expect(await store.releaseCoupon({ ...coupon, expiresAt: EARLIER }, 'order-1', NOW)).toBeUndefined();
    expect(await reread(coupon)).toEqual(coupon);
  });

  it('remembers every order released', async () => {
    const coupon = await storedCoupon({ expiresAt: LATER });
    for (const orderId of ['order-1', 'order-2']) {
      const redeemed = await store.redeemCoupon(coupon.code, coupon.viewerId, orderId, NOW);
      if (!redeemed) throw new Error('not redeemed');
      expect(await store.settleCouponTally(redeemed)).toBe(true);
      const released = await store.releaseCoupon({ ...redeemed, GSI2SK: 'REDEEMED#' }, orderId, NOW);
      if (!released) throw new Error('not released');
      expect(await store.settleCouponTally(released.item)).toBe(true);
    }

    const stored = await reread(coupon);

    expect(stored).toMatchObject({ status: 'ISSUED', releasedOrder: 'order-2' });
    expect(stored && 'releasedOrders' in stored ? stored.releasedOrders : undefined).toEqual(
      new Set(['order-1', 'order-2']),
    );
  });

  it('refuses a coupon that does not exist and creates nothing', async () => {
    const coupon = couponItem({ status: 'REDEEMED', orderId: 'order-1' });

    expect(await store.releaseCoupon(coupon, 'order-1', NOW)).toBeUndefined();
    expect(await reread(coupon)).toBeUndefined();
  });
});

describe('expireCoupon', () => {
  it.each([
    ['past its expiry', at(-MINUTE)],
    ['exactly at its expiry', NOW],
  ])('expires an ISSUED coupon %s, marking its unit RETURNING', async (_when, expiresAt) => {
    const coupon = await storedCoupon({ expiresAt });

    const expired = await store.expireCoupon(coupon.code, NOW);

    const expected = {
      ...coupon,
      status: 'EXPIRED',
      unit: 'RETURNING',
      expiredAt: NOW,
      GSI2SK: gsi.couponPhase('RETURNING', NOW, coupon.code),
    };
    expect(expired).toEqual(expected);
    expect(await reread(coupon)).toEqual(expected);
  });

  it('refuses a coupon still within its hold', async () => {
    const coupon = await storedCoupon({ expiresAt: at(1) });

    expect(await store.expireCoupon(coupon.code, NOW)).toBeUndefined();
    expect(await reread(coupon)).toEqual(coupon);
  });

  it('refuses a coupon whose release is not counted yet (still REDEEMING)', async () => {
    const base = couponItem({ expiresAt: at(-MINUTE) });
    const coupon = await storedCoupon({
      ...base,
      tallyStep: 2,
      GSI2SK: gsi.couponPhase('REDEEMING', EARLIER, base.code),
    });

    expect(await store.expireCoupon(coupon.code, NOW)).toBeUndefined();
    expect(await reread(coupon)).toEqual(coupon);
  });

  it('refuses a redeemed coupon past its expiry (the order holds it)', async () => {
    const coupon = await redeemedCoupon(at(-MINUTE));

    expect(await store.expireCoupon(coupon.code, NOW)).toBeUndefined();
    expect(await reread(coupon)).toEqual(coupon);
  });

  it('refuses a code nobody holds and creates nothing', async () => {
    const code = freshId('CODE');

    expect(await store.expireCoupon(code, NOW)).toBeUndefined();
    expect(await store.getCoupon(code)).toBeUndefined();
  });
});

describe('settleCouponTally', () => {
  it.each([
    ['a redemption', 'REDEEMED', 1, 'REDEEMED'],
    ['a release within the hold', 'ISSUED', 2, 'ISSUED'],
    ['a release past the hold', 'EXPIRED', 2, 'RETURNING'],
  ] as const)('files %s under its settled phase once counted', async (_name, status, tallyStep, phase) => {
    const base = couponItem({ expiresAt: LATER });
    const coupon = await storedCoupon({
      ...base,
      status,
      tallyStep,
      redeemedAt: NOW,
      expiredAt: NOW,
      ...(status === 'EXPIRED' ? { unit: 'RETURNING' as const } : {}),
      GSI2SK: gsi.couponPhase('REDEEMING', NOW, base.code),
    });

    expect(await store.settleCouponTally(coupon)).toBe(true);

    const time = phase === 'ISSUED' ? LATER : NOW;
    expect(await reread(coupon)).toEqual({ ...coupon, GSI2SK: gsi.couponPhase(phase, time, coupon.code) });
  });

  it('leaves a coupon that took another step since as it was', async () => {
    const base = couponItem({ expiresAt: LATER });
    const coupon = await storedCoupon({
      ...base,
      status: 'ISSUED',
      tallyStep: 2,
      GSI2SK: gsi.couponPhase('REDEEMING', NOW, base.code),
    });

    expect(await store.settleCouponTally({ ...coupon, status: 'REDEEMED', tallyStep: 1 })).toBe(false);
    expect(await reread(coupon)).toEqual(coupon);
  });
});

describe('markCouponReturned', () => {
  const expiredCoupon = async () => {
    const coupon = await storedCoupon({ expiresAt: EARLIER });
    const expired = await store.expireCoupon(coupon.code, at(-MINUTE));
    if (!expired) throw new Error('the coupon did not expire');
    return expired;
  };

  it('finishes a RETURNING unit, filing the coupon under EXPIRED at its expiry', async () => {
    const expired = await expiredCoupon();

    await store.markCouponReturned(expired, NOW);

    expect(await reread(expired)).toEqual({
      ...expired,
      unit: 'RETURNED',
      returnedAt: NOW,
      GSI2SK: gsi.couponPhase('EXPIRED', at(-MINUTE), expired.code),
    });
    expect(
      codesIn(await store.queryCouponsByPhase(expired.dealId, expired.shard, 'EXPIRED', at(-MINUTE))),
    ).toEqual([expired.code]);
    expect(await store.countCouponsByPhase(expired.dealId, expired.shard, 'RETURNING')).toBe(0);
  });

  it('keeps the first return when repeated', async () => {
    const expired = await expiredCoupon();
    await store.markCouponReturned(expired, NOW);
    const once = await reread(expired);

    await store.markCouponReturned(expired, LATER);

    expect(await reread(expired)).toEqual(once);
  });

  it('leaves a coupon that still holds its unit as it was', async () => {
    const coupon = await storedCoupon({ unit: 'HELD' });

    await store.markCouponReturned(coupon, NOW);

    expect(await reread(coupon)).toEqual(coupon);
  });

  it('creates nothing for a coupon that does not exist', async () => {
    const coupon = couponItem({ status: 'EXPIRED', unit: 'RETURNING' });

    await store.markCouponReturned(coupon, NOW);

    expect(await reread(coupon)).toBeUndefined();
  });
});

describe('queryCouponsByPhase and countCouponsByPhase', () => {
  it('reads and counts a whole phase of one deal shard, and nothing else', async () => {
    const dealId = freshId('deal');
    const issued = [await storedCoupon({ dealId, shard: 1 }), await storedCoupon({ dealId, shard: 1 })];
    await storedCoupon({ dealId, shard: 2 });
    await storedCoupon({ shard: 1 });
    await redeemedCoupon(LATER);
    const other = await storedCoupon({ dealId, shard: 1 });
    const redeemed = await store.redeemCoupon(other.code, other.viewerId, 'order-1', NOW);
    if (redeemed) await store.settleCouponTally(redeemed);

    expect(codesIn(await store.queryCouponsByPhase(dealId, 1, 'ISSUED'))).toEqual(codesIn(issued));
    expect(await store.countCouponsByPhase(dealId, 1, 'ISSUED')).toBe(2);
    expect(await store.countCouponsByPhase(dealId, 1, 'REDEEMED')).toBe(1);
  });

  it('ranges a phase up to a time: every coupon at or before it, none a millisecond later', async () => {
    const dealId = freshId('deal');
    const before = await storedCoupon({ dealId, expiresAt: at(-1) });
    const atLow = await storedCoupon({ dealId, expiresAt: NOW, code: `0000${freshId('')}` });
    const atHigh = await storedCoupon({ dealId, expiresAt: NOW, code: `ZZZZ${freshId('')}` });
    await storedCoupon({ dealId, expiresAt: at(1), code: `0000${freshId('')}` });

    const due = await store.queryCouponsByPhase(dealId, 0, 'ISSUED', NOW);

    expect(codesIn(due)).toEqual(codesIn([before, atLow, atHigh]));
  });

  it('reads and counts a phase that fills more than one result page', async () => {
    const dealId = freshId('deal');
    const big = padding(300_000);
    const coupons: CouponItem[] = [];
    for (let i = 0; i < 5; i++)
      coupons.push(await storedCoupon({ ...couponItem({ dealId }), big } as CouponItem));

    const queriesBefore = queries();
    const found = await store.queryCouponsByPhase(dealId, 0, 'ISSUED', LATER);
    const queriesToRead = queries() - queriesBefore;
    const count = await store.countCouponsByPhase(dealId, 0, 'ISSUED');
    const queriesToCount = queries() - queriesBefore - queriesToRead;

    expect(codesIn(found)).toEqual(codesIn(coupons));
    expect(count).toBe(5);
    expect(queriesToRead).toBeGreaterThan(1);
    expect(queriesToCount).toBeGreaterThan(1);
  });

  it('counts zero in an empty phase', async () => {
    expect(await store.countCouponsByPhase(freshId('deal'), 0, 'EXPIRED')).toBe(0);
  });
});

describe('queryViewerCoupons', () => {
  it('pages through a viewer’s coupons newest first, and only that viewer’s', async () => {
    const viewerId = freshId('viewer-');
    const coupons: CouponItem[] = [];
    for (let i = 0; i < 5; i++) coupons.push(await storedCoupon({ viewerId }));
    await storedCoupon({ viewerId: freshId('viewer-') });

    const first = await store.queryViewerCoupons(viewerId, 2);
    const second = await store.queryViewerCoupons(viewerId, 2, first.lastKey);
    const third = await store.queryViewerCoupons(viewerId, 2, second.lastKey);

    const newestFirst = coupons.map((coupon) => coupon.couponId).reverse();
    expect(first.items.map((coupon) => coupon.couponId)).toEqual(newestFirst.slice(0, 2));
    expect(second.items.map((coupon) => coupon.couponId)).toEqual(newestFirst.slice(2, 4));
    expect(third.items.map((coupon) => coupon.couponId)).toEqual(newestFirst.slice(4));
    expect(third.lastKey).toBeUndefined();
  });

  it('reads no coupons for a viewer without any', async () => {
    expect(await store.queryViewerCoupons(freshId('viewer-'), 10)).toEqual({ items: [] });
  });
});
