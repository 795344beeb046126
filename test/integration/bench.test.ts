import { describe, expect, it } from 'vitest';
import { runHttpSpike } from '../../lib/bench/http.js';
import { runBench } from '../../lib/bench/run.js';

/**
 * A smoke test of `npm run bench` at a tiny size: it exercises every phase and its correctness checks.
 * Figures are not asserted (no timing assertions); the benchmark itself reports them.
 */
describe('the benchmark at a tiny size', () => {
  it('sells exactly the stock on every path, counts what it measures and computes no capacity formula', async () => {
    const result = await runBench(
      {
        concurrency: 16,
        stock: 60,
        viewers: 300,
        baselineOps: 200,
        containers: 2,
        http: true,
        coldStart: false,
      },
      { http: (o) => runHttpSpike({ concurrency: o.concurrency, stock: 20, viewers: 60 }) },
    );

    expect(result.checks.filter((check) => !check.ok)).toEqual([]);
    expect(result.claims).toMatchObject({
      stock: 60,
      successes: 60,
      oversell: 0,
      perViewerBreaches: 0,
      otherErrors: 0,
    });
    expect(result.claims.attempts).toBeGreaterThan(result.claims.viewers);
    expect(result.claims.storeCallsPerSuccessfulClaim).toBeGreaterThan(0);
    expect(result.http?.successes).toBe(20);
    expect(result.naive.find((n) => n.design === 'single-counter')?.oversell).toBe(0);
    // Capacity on DynamoDB is the simulation's to measure: the bench carries its last figures or none.
    expect(result).toHaveProperty('simulation');
    expect(result).not.toHaveProperty('capacity');
    expect(result.targets.length).toBeGreaterThanOrEqual(4);
  });
});
