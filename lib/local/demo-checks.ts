/**
 * The demo's checks on units, from the coupons the engine answered alone: each coupon holds its unit from issue
 * to expiry (a redeemed one for good), so no more than the stock may be alive at once and no viewer may hold two
 * at once. A rush that outlasts the coupon lifetime sells some units twice; that is expiry working, not an
 * oversell, and is counted as such.
 */

import type { Check } from './demo-report.js';
import { count } from './demo-report.js';

export interface CouponLifetime {
  viewer: string;
  issuedAt: string;
  expiresAt: string;
  /** Redeemed and not released: its unit never comes back. */
  kept: boolean;
}

/** The most intervals [from, to) open at one instant. */
export const peakOverlap = (intervals: readonly { from: number; to: number }[]): number => {
  const edges = intervals.flatMap(({ from, to }) => [
    { at: from, step: 1 },
    { at: to, step: -1 },
  ]);
  // An interval ending at the instant another starts does not overlap it: ends first.
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let open = 0;
  let most = 0;
  for (const { step } of edges) {
    open += step;
    most = Math.max(most, open);
  }
  return most;
};

export const unitChecks = (input: {
  stock: number;
  viewers: number;
  rushGranted: number;
  /** Rush coupons whose expiresAt had passed when the rush ended. */
  expiredInRush: number;
  /** Every coupon granted, both waves. */
  coupons: readonly CouponLifetime[];
}): { regranted: number; checks: Check[] } => {
  const { stock, viewers, rushGranted, expiredInRush } = input;
  const lifetimes = input.coupons.map((coupon) => ({
    viewer: coupon.viewer,
    from: Date.parse(coupon.issuedAt),
    to: coupon.kept ? Number.POSITIVE_INFINITY : Date.parse(coupon.expiresAt),
  }));
  const peakAlive = peakOverlap(lifetimes);
  const byViewer = new Map<string, typeof lifetimes>();
  for (const lifetime of lifetimes) {
    byViewer.set(lifetime.viewer, [...(byViewer.get(lifetime.viewer) ?? []), lifetime]);
  }
  const doubleHolders = [...byViewer.values()].filter((own) => peakOverlap(own) > 1).length;
  const regranted = Math.max(0, rushGranted - stock);
  return {
    regranted,
    checks: [
      {
        name: 'rush sold the stock, re-granting only expired units',
        ok: rushGranted >= Math.min(stock, viewers) && regranted <= expiredInRush,
        detail:
          regranted === 0
            ? `${count(rushGranted)} of ${count(stock)}`
            : `${count(rushGranted)} coupons for ${count(stock)} units: ${count(regranted)} re-granted after ` +
              `${count(expiredInRush)} coupons expired during the rush`,
      },
      {
        name: 'never more coupons alive at once than the stock',
        ok: peakAlive <= stock,
        detail: `at most ${count(peakAlive)} of ${count(stock)}`,
      },
      {
        name: 'no viewer held two coupons at once (perViewerLimit 1)',
        ok: doubleHolders === 0,
        detail: `${count(lifetimes.length)} coupons, ${count(byViewer.size)} viewers, ${count(doubleHolders)} overlapping`,
      },
    ],
  };
};
