/**
 * Fuzzing the local bus: PutEvents at POST /local/events with Deal Cue and IVS Stream End entries (both event
 * rules) that are malformed, match no rule, or are delivered and must be refused by their handler. The
 * invariants, LIVEDROP_FUZZ_RUNS and how to replay a family with LIVEDROP_FUZZ_SEED: see harness.ts.
 */
import { describe, it } from 'vitest';
import { eventsArbitrary, judgeEvents } from './events.js';
import { eventExamples } from './examples.js';
import { EVENTS_TIMEOUT_MS, fuzzRun, timeoutOf } from './harness.js';

const run = fuzzRun('events');

describe('fuzzing the local runtime: refused requests answer a documented 4xx and change nothing', () => {
  it(
    'POST /local/events (Deal Cue and IVS Stream End entries)',
    async () => {
      await run.fuzz('POST /local/events', eventsArbitrary(run.fixture), judgeEvents(run.tally), {
        timeoutMs: EVENTS_TIMEOUT_MS,
        settleMs: 3_500,
        examples: eventExamples(),
      });
    },
    timeoutOf('POST /local/events'),
  );
});
