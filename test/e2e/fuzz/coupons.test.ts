/**
 * Fuzzing the coupon routes of the local runtime: a viewer's claims and coupons, checkout's redemptions and
 * releases (in one runtime, as in AWS: they count against the same rate-limit windows). The invariants,
 * LIVEDROP_FUZZ_RUNS and how to replay a family with LIVEDROP_FUZZ_SEED: see harness.ts.
 */
import { describe, it } from 'vitest';
import { fuzzRun, timeoutOf } from './harness.js';
import { fuzzRoute, routesOf } from './plans.js';

const run = fuzzRun('coupons');

describe('fuzzing the local runtime: refused requests answer a documented 4xx and change nothing', () => {
  for (const route of routesOf('coupons')) {
    it(route.key, () => fuzzRoute(run, route), timeoutOf(route.key));
  }
});
