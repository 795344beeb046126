/** The demo's closing table: the figures of one run, formatted, and whether every check held. */
import { rushChart, type TimedOutcome } from './demo-chart.js';

export interface DealFigures {
  status: string;
  stock: number;
  available: number;
  held: number;
  redeemed: number;
}

export interface Wave {
  viewers: number;
  /** Distinct viewers among those granted a coupon. */
  grantedViewers: number;
  attempts: number;
  granted: number;
  soldOut: number;
  limitReached: number;
  /** Claim latencies in milliseconds, measured from request to parsed answer. */
  latenciesMs: number[];
  /** The same, of the granted claims only (they write; refusals of a sold-out deal do not). */
  grantedLatenciesMs: number[];
  /** Every claim answer with its time since the wave started, for the chart. */
  timeline: TimedOutcome[];
  seconds: number;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DemoReport {
  url: string;
  dealId: string;
  claimTtlSeconds: number;
  rush: Wave;
  /** Rush coupons whose lifetime ended before the rush did. */
  rushExpired: number;
  /** Coupons the rush granted beyond the stock: units returned by expiry and sold again. */
  regranted: number;
  checkout: { redeemed: number; expiredBeforeCheckout: number; released: number; releasedAs: string };
  expiry: {
    left: number;
    readAsExpired: number;
    availableBefore: number;
    availableAfter: number;
    returned: number;
    waitedSeconds: number;
    timedOut: boolean;
  };
  secondWave: Wave;
  final: DealFigures;
  invariant: boolean;
  checks: Check[];
  /** Answers the demo did not expect, e.g. `claim: 500 INTERNAL`; any makes the run fail. */
  unexpected: string[];
  wallSeconds: number;
}

/** Nearest-rank percentile (p in 0..100) of the values; undefined for none. */
export const percentile = (values: readonly number[], p: number): number | undefined => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
};

export const count = (n: number) => n.toLocaleString('en-US');

/** Two columns, the labels padded to one width. */
export const table = (rows: readonly (readonly [string, string] | string)[]): string => {
  const width = Math.max(...rows.map((row) => (typeof row === 'string' ? 0 : row[0].length)));
  return rows
    .map((row) => (typeof row === 'string' ? row : `  ${row[0].padEnd(width)}  ${row[1]}`))
    .join('\n');
};

export const formatReport = (report: DemoReport): string => {
  const { rush, checkout, expiry, secondWave, final } = report;
  const ms = (values: number[], p: number) => {
    const value = percentile(values, p);
    return value === undefined ? '-' : `${value.toFixed(1)} ms`;
  };
  const yes = (ok: boolean) => (ok ? 'yes' : 'NO');
  const rows: (readonly [string, string] | string)[] = [
    `deal ${report.dealId} at ${report.url}`,
    'rush',
    ['viewers', count(rush.viewers)],
    ['claim attempts', count(rush.attempts)],
    ['granted', count(rush.granted)],
    ['sold out', count(rush.soldOut)],
    ['limit reached', count(rush.limitReached)],
    [
      're-granted after expiry',
      `${count(report.regranted)} (${count(report.rushExpired)} coupons expired during the rush)`,
    ],
    ['claim latency p50 / p99', `${ms(rush.latenciesMs, 50)} / ${ms(rush.latenciesMs, 99)}`],
    ['  of granted claims', `${ms(rush.grantedLatenciesMs, 50)} / ${ms(rush.grantedLatenciesMs, 99)}`],
    ['rush duration', `${rush.seconds.toFixed(1)} s`],
    'checkout',
    ['redeemed', count(checkout.redeemed)],
    ['released (orders cancelled)', `${count(checkout.released)}${checkout.releasedAs}`],
    ['too late to redeem (expired)', count(checkout.expiredBeforeCheckout)],
    `expiry (claimTtlSeconds ${report.claimTtlSeconds})`,
    ['left to expire', count(expiry.left)],
    ['read back as EXPIRED', count(expiry.readAsExpired)],
    [
      'units back on sale',
      `${count(expiry.returned)} (available ${count(expiry.availableBefore)} -> ${count(expiry.availableAfter)}` +
        `, waited ${expiry.waitedSeconds.toFixed(1)} s${expiry.timedOut ? ', TIMED OUT' : ''})`,
    ],
    'second wave',
    ['viewers', count(secondWave.viewers)],
    ['granted', count(secondWave.granted)],
    ['sold out', count(secondWave.soldOut)],
    ['limit reached', count(secondWave.limitReached)],
    `final figures (GET /deals/${report.dealId})`,
    ['status', final.status],
    ['stock', count(final.stock)],
    ['available', count(final.available)],
    ['held', count(final.held)],
    ['redeemed', count(final.redeemed)],
    [
      'stock = available + held + redeemed',
      `${count(final.stock)} = ${count(final.available)} + ${count(final.held)} + ${count(final.redeemed)}: ${yes(report.invariant)}`,
    ],
    'checks',
    ...report.checks.map((check) => [check.name, `${yes(check.ok)} (${check.detail})`] as const),
    ...(report.unexpected.length > 0
      ? [
          `unexpected answers (${report.unexpected.length})`,
          ...[...new Set(report.unexpected)].slice(0, 10).map((line) => `  ${line}`),
        ]
      : []),
    `wall time ${report.wallSeconds.toFixed(1)} s`,
  ];
  return `${table(rows)}\n\n${rushChart(report.rush.timeline)}`;
};

export const succeeded = (report: DemoReport): boolean =>
  report.invariant && report.unexpected.length === 0 && report.checks.every((check) => check.ok);
