/**
 * Fuzzing the deal routes of the local runtime: creating a deal, reading it, its live view, a stream's deals,
 * the audit trail and the host's cues; and the deals' gala price drops (scheduling, listing, cancelling).
 * The invariants, LIVEDROP_FUZZ_RUNS and how to replay a family with LIVEDROP_FUZZ_SEED: see harness.ts.
 */
import { describe, it } from 'vitest';
import { fuzzRun, timeoutOf } from './harness.js';
import { fuzzRoute, routesOf } from './plans.js';

const run = fuzzRun('deals');

describe('fuzzing the local runtime: refused requests answer a documented 4xx and change nothing', () => {
  for (const route of routesOf('deals')) {
    it(route.key, () => fuzzRoute(run, route), timeoutOf(route.key));
  }
});
