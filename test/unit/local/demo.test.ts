/**
 * `npm run demo`'s parts: bounded concurrency, percentiles, the status line (in place on a terminal, plain
 * lines in a log), the closing table, and one short run against an in-memory runtime whose every figure
 * must agree with the others.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logger } from '../../../functions/shared/logger.js';
import { runDemo } from '../../../lib/local/demo.js';
import { forEachBounded } from '../../../lib/local/demo-http.js';
import { bar, type Output, StatusLine } from '../../../lib/local/demo-progress.js';
import { type DemoReport, formatReport, percentile, succeeded } from '../../../lib/local/demo-report.js';
import { type Runtime, startRuntime } from '../../../lib/local/runtime.js';

const recorder = (isTTY: boolean): Output & { text: () => string } => {
  const chunks: string[] = [];
  return { isTTY, write: (text) => void chunks.push(text), text: () => chunks.join('') };
};

describe('forEachBounded', () => {
  it('works through every item with never more than the limit in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];

    await forEachBounded(
      Array.from({ length: 50 }, (_, i) => i),
      4,
      async (item) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        seen.push(item);
        inFlight--;
      },
    );

    expect(most).toBe(4);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('passes each item with its index', async () => {
    const pairs: [string, number][] = [];

    await forEachBounded(['a', 'b', 'c'], 2, async (item, index) => {
      pairs.push([item, index]);
    });

    expect(pairs.sort()).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
  });

  it('does nothing for no items', async () => {
    let calls = 0;

    await forEachBounded([], 8, async () => {
      calls++;
    });

    expect(calls).toBe(0);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);

    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
  });

  it('gives the only value for one sample, and nothing for none', () => {
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });

  it('does not reorder the caller’s array', () => {
    const values = [3, 1, 2];

    percentile(values, 50);

    expect(values).toEqual([3, 1, 2]);
  });
});

describe('bar', () => {
  it('fills in proportion and never overflows', () => {
    expect(bar(0, 10, 10)).toBe('[..........]');
    expect(bar(5, 10, 10)).toBe('[#####.....]');
    expect(bar(10, 10, 10)).toBe('[##########]');
    expect(bar(15, 10, 10)).toBe('[##########]');
  });

  it('shows a job with nothing to do as done', () => {
    expect(bar(0, 0, 4)).toBe('[####]');
  });
});

describe('StatusLine', () => {
  it('redraws in place on a terminal, at most every 100 ms, and ends the line when done', () => {
    const out = recorder(true);
    let now = 0;
    let n = 0;
    const line = new StatusLine(
      out,
      () => `sent ${n}`,
      () => now,
    );

    n = 1;
    line.update();
    n = 2;
    now = 50;
    line.update();
    n = 3;
    now = 100;
    line.update();
    n = 4;
    line.done();

    expect(out.text()).toBe('\rsent 1\x1b[K\rsent 3\x1b[K\rsent 4\x1b[K\n');
  });

  it('prints plain lines once a second when not on a terminal, and the final state', () => {
    const out = recorder(false);
    let now = 0;
    let n = 0;
    const line = new StatusLine(
      out,
      () => `sent ${n}`,
      () => now,
    );

    for (n = 1; n <= 25; n++) {
      now = n * 100;
      line.update();
    }
    n = 99;
    line.done();

    expect(out.text()).toBe('sent 1\nsent 11\nsent 21\nsent 99\n');
    expect(out.text()).not.toContain('\r');
  });
});

const report = (overrides: Partial<DemoReport> = {}): DemoReport => ({
  url: 'http://127.0.0.1:3000',
  dealId: '01JDQ8ZK3V6N7H9MXBR4TWCYPE',
  claimTtlSeconds: 12,
  rush: {
    viewers: 2_000,
    grantedViewers: 500,
    attempts: 2_250,
    granted: 500,
    soldOut: 1_687,
    limitReached: 63,
    latenciesMs: [10, 20, 30, 40],
    grantedLatenciesMs: [30, 40],
    timeline: [
      { atMs: 100, outcome: 'granted' },
      { atMs: 200, outcome: 'granted' },
      { atMs: 3_900, outcome: 'soldOut' },
      { atMs: 4_100, outcome: 'other' },
    ],
    seconds: 4.2,
  },
  rushExpired: 0,
  regranted: 0,
  checkout: { redeemed: 290, expiredBeforeCheckout: 0, released: 10, releasedAs: ' (now 10 ISSUED)' },
  expiry: {
    left: 210,
    readAsExpired: 210,
    availableBefore: 0,
    availableAfter: 210,
    returned: 210,
    waitedSeconds: 9.5,
    timedOut: false,
  },
  secondWave: {
    viewers: 260,
    grantedViewers: 210,
    attempts: 260,
    granted: 210,
    soldOut: 50,
    limitReached: 0,
    latenciesMs: [5],
    grantedLatenciesMs: [5],
    timeline: [{ atMs: 5, outcome: 'granted' }],
    seconds: 1,
  },
  final: { status: 'LIVE', stock: 500, available: 0, held: 210, redeemed: 290 },
  invariant: true,
  checks: [{ name: 'rush granted exactly the stock', ok: true, detail: '500 of 500' }],
  unexpected: [],
  wallSeconds: 21.4,
  ...overrides,
});

describe('the closing table', () => {
  it('shows the report’s figures', () => {
    const text = formatReport(report());

    expect(text).toMatch(/claim attempts\s+2,250/);
    expect(text).toMatch(/sold out\s+1,687/);
    expect(text).toMatch(/limit reached\s+63/);
    expect(text).toMatch(/redeemed\s+290/);
    expect(text).toMatch(/claim latency p50 \/ p99\s+20\.0 ms \/ 40\.0 ms/);
    expect(text).toMatch(/of granted claims\s+30\.0 ms \/ 40\.0 ms/);
    expect(text).toMatch(/stock = available \+ held \+ redeemed\s+500 = 0 \+ 210 \+ 290: yes/);
    expect(text).toContain('wall time 21.4 s');
    expect(text).toMatch(/re-granted after expiry\s+0 \(0 coupons expired during the rush\)/);
  });

  it('ends with a chart of the rush: the answers of each time slice as bars', () => {
    const text = formatReport(report());

    const chart = text.slice(text.indexOf('rush: claim answers per'));
    expect(chart.split('\n')[0]).toBe(
      'rush: claim answers per 0.25 s (█ granted, ▒ sold out, · limit reached or other)',
    );
    expect(chart).toMatch(/ 0\.00 s │█{48}\s+2 granted, 0 sold out/);
    expect(chart).toMatch(/ 3\.75 s │▒{24}\s+0 granted, 1 sold out/);
    expect(chart).toMatch(/ 4\.00 s │·{24}\s+0 granted, 0 sold out, 1 other/);
    expect(chart.split('\n')).toHaveLength(1 + 17);
  });

  it('says NO for a broken invariant, a failed check and a timeout, and lists unexpected answers', () => {
    const text = formatReport(
      report({
        invariant: false,
        checks: [{ name: 'second wave got exactly the returned units', ok: false, detail: '3 of 5' }],
        expiry: { ...report().expiry, timedOut: true },
        unexpected: ['claim: 500 INTERNAL', 'claim: 500 INTERNAL'],
      }),
    );

    expect(text).toMatch(/: NO/);
    expect(text).toMatch(/second wave got exactly the returned units\s+NO \(3 of 5\)/);
    expect(text).toContain('TIMED OUT');
    expect(text).toContain('unexpected answers (2)');
    expect(text).toContain('claim: 500 INTERNAL');
  });
});

describe('succeeded', () => {
  it('holds only when the invariant and every check hold and nothing unexpected was answered', () => {
    expect(succeeded(report())).toBe(true);
    expect(succeeded(report({ invariant: false }))).toBe(false);
    expect(succeeded(report({ unexpected: ['redeem: 500 INTERNAL'] }))).toBe(false);
    expect(succeeded(report({ checks: [{ name: 'x', ok: false, detail: '' }] }))).toBe(false);
  });
});

describe('a short run against an in-memory runtime', () => {
  let runtime: Runtime;

  beforeAll(async () => {
    process.env.LIVEDROP_LOG_LEVEL = 'ERROR';
    runtime = await startRuntime({
      port: 0,
      data: 'memory',
      sweepSeconds: 1,
      logger: new Logger({ serviceName: 'livedrop-local', logLevel: 'ERROR' }),
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('plays the deal’s whole life and every figure agrees with the others', async () => {
    const out = recorder(false);

    const result = await runDemo({
      url: runtime.url,
      out,
      viewers: 40,
      stock: 10,
      claimTtlSeconds: 4,
      concurrency: 8,
      releases: 2,
      secondWaveExtra: 5,
    });

    expect(result.unexpected).toEqual([]);
    expect(result.checks.filter((check) => !check.ok)).toEqual([]);
    expect(result.rush).toMatchObject({ viewers: 40, attempts: 45, granted: 10 });
    expect(result.rush.granted + result.rush.soldOut + result.rush.limitReached).toBe(result.rush.attempts);
    expect(result.rush.latenciesMs).toHaveLength(45);
    expect(result.rush.grantedLatenciesMs).toHaveLength(10);
    expect(result.expiry.left).toBe(10 - result.checkout.redeemed);
    expect(result.expiry.returned).toBe(result.expiry.left);
    expect(result.secondWave.granted).toBe(result.expiry.availableAfter);
    expect(result.final).toMatchObject({
      stock: 10,
      available: 0,
      held: result.secondWave.granted,
      redeemed: result.checkout.redeemed,
    });
    expect(result.invariant).toBe(true);
    expect(succeeded(result)).toBe(true);
    expect(out.text()).toContain('rush');
  });
});
