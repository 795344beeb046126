/**
 * Fuzzing the gala price-drop routes of the local runtime: scheduling, listing and cancelling drops. The
 * invariants, LIVEDROP_FUZZ_RUNS and how to replay a family with LIVEDROP_FUZZ_SEED: see harness.ts.
 */
import { describe, it } from 'vitest';
import { fuzzRun, timeoutOf } from './harness.js';
import { fuzzRoute, routesOf } from './plans.js';

const run = fuzzRun('price-drops');

describe('fuzzing the local runtime: refused requests answer a documented 4xx and change nothing', () => {
  for (const route of routesOf('price-drops')) {
    it(route.key, () => fuzzRoute(run, route), timeoutOf(route.key));
  }
});
