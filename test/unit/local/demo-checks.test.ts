import { describe, expect, it } from 'vitest';
import { type CouponLifetime, peakOverlap, unitChecks } from '../../../lib/local/demo-checks.js';

const at = (second: number) => new Date(Date.UTC(2026, 11, 5, 20, 0, second)).toISOString();

/** n coupons for n viewers, issued at `from` and expiring at `to` (seconds). */
const coupons = (n: number, from: number, to: number, prefix = 'v'): CouponLifetime[] =>
  Array.from({ length: n }, (_, i) => ({
    viewer: `${prefix}${i}`,
    issuedAt: at(from),
    expiresAt: at(to),
    kept: false,
  }));

const verdicts = (result: ReturnType<typeof unitChecks>) =>
  Object.fromEntries(result.checks.map((check) => [check.name, check.ok]));

describe('peakOverlap', () => {
  it('counts intervals open at one instant, an end before a start at the same instant', () => {
    expect(peakOverlap([])).toBe(0);
    expect(
      peakOverlap([
        { from: 0, to: 10 },
        { from: 5, to: 15 },
        { from: 10, to: 20 },
      ]),
    ).toBe(2);
  });
});

describe("the demo's unit checks", () => {
  it('passes a rush that sold the stock once', () => {
    const result = unitChecks({
      stock: 5,
      viewers: 20,
      rushGranted: 5,
      expiredInRush: 0,
      coupons: coupons(5, 0, 30),
    });

    expect(result.regranted).toBe(0);
    expect(Object.values(verdicts(result))).toEqual([true, true, true]);
    expect(result.checks[0]?.detail).toBe('5 of 5');
  });

  it('counts units sold again after their coupons expired mid-rush as re-granted, not as an oversell', () => {
    // 5 coupons expire at 12 s; the sweep returns their units and 3 of them sell again at 13 s.
    const result = unitChecks({
      stock: 5,
      viewers: 20,
      rushGranted: 8,
      expiredInRush: 5,
      coupons: [...coupons(5, 0, 12), ...coupons(3, 13, 25, 'w')],
    });

    expect(result.regranted).toBe(3);
    expect(Object.values(verdicts(result))).toEqual([true, true, true]);
    expect(result.checks[0]?.detail).toBe(
      '8 coupons for 5 units: 3 re-granted after 5 coupons expired during the rush',
    );
    expect(result.checks[1]?.detail).toBe('at most 5 of 5');
  });

  it('fails more grants than the stock with nothing expired, and more coupons alive at once than the stock', () => {
    const result = unitChecks({
      stock: 5,
      viewers: 20,
      rushGranted: 6,
      expiredInRush: 0,
      coupons: coupons(6, 0, 30),
    });

    expect(verdicts(result)).toEqual({
      'rush sold the stock, re-granting only expired units': false,
      'never more coupons alive at once than the stock': false,
      'no viewer held two coupons at once (perViewerLimit 1)': true,
    });
  });

  it('fails a rush that left units unsold while viewers were refused', () => {
    const result = unitChecks({
      stock: 5,
      viewers: 20,
      rushGranted: 4,
      expiredInRush: 0,
      coupons: coupons(4, 0, 30),
    });

    expect(result.checks[0]?.ok).toBe(false);
  });

  it('keeps a redeemed coupon’s unit for good, and fails a viewer holding two coupons at once', () => {
    const redeemed = { viewer: 'v0', issuedAt: at(0), expiresAt: at(10), kept: true };
    const later = { viewer: 'v0', issuedAt: at(20), expiresAt: at(30), kept: false };

    const result = unitChecks({
      stock: 1,
      viewers: 1,
      rushGranted: 1,
      expiredInRush: 1,
      coupons: [redeemed, later],
    });

    expect(verdicts(result)).toMatchObject({
      'never more coupons alive at once than the stock': false,
      'no viewer held two coupons at once (perViewerLimit 1)': false,
    });
  });
});
