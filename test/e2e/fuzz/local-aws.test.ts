/**
 * Fuzzing the runtime's local AWS APIs (Scheduler CreateSchedule / DeleteSchedule, EventBridge PutEvents),
 * which its functions' SDK clients call without a token. The invariants, LIVEDROP_FUZZ_RUNS and how to
 * replay a family with LIVEDROP_FUZZ_SEED: see harness.ts.
 */
import { describe, expect, it } from 'vitest';
import { GALA_DROP_TARGET } from '../../../functions/shared/contract/wiring.js';
import { EXAMPLES } from './examples.js';
import { fuzzRun, timeoutOf } from './harness.js';
import { judgeLocalAws, localAwsArbitrary } from './local-aws.js';

const run = fuzzRun('local-aws');

describe('fuzzing the local runtime: refused requests answer a documented 4xx and change nothing', () => {
  it(
    "the runtime's local AWS APIs (Scheduler, PutEvents): no 5xx, nothing changed",
    async () => {
      await run.fuzz('local AWS APIs', localAwsArbitrary(run.fixture), judgeLocalAws, {
        // Schedules that fired are retried after 1 s and 2 s before they are dropped.
        settleMs: 3_500,
        examples: EXAMPLES['local AWS APIs']?.(run.fixture) ?? [],
      });
      // Pending ones are the fixture's drop and future ones of the drop function: nothing else was taken.
      const targets = new Set(run.fixture.runtime.scheduler.list().map((schedule) => schedule.target));
      expect([...targets].filter((target) => target !== GALA_DROP_TARGET)).toEqual([]);
    },
    timeoutOf('local AWS APIs'),
  );
});
