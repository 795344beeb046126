/**
 * The fuzz tests' harness (issue 7 §1): every HTTP route and event handler of the local runtime, and its
 * local AWS stand-ins, fed generated invalid requests (wrong types, missing and unknown fields,
 * huge/negative/fractional numbers, unicode, broken JSON, wrong media types, bodies over 16 KiB, odd path
 * segments, bad Idempotency-Keys, bad tokens, malformed EventBridge entries, host names and origins the local
 * stand-ins must refuse, schedules the local Scheduler must refuse).
 * Every request is invalid in at least one way, so for every one of them:
 *  - no 5xx and no missing answer;
 *  - every 4xx is `{ error: { code, message, details? } }` with a documented code and its status (the local
 *    AWS stand-ins answer their own refusals in AWS's shape, which their SDK clients read);
 *  - where the oracle knows the one right answer (an EventBridge entry delivered, unmatched or refused; 403
 *    for a foreign host or origin; 415 for a media type), it is that answer;
 *  - the store holds exactly what it held before (checked after every request, and again once deliveries and
 *    schedules that fire later have settled).
 *
 * The test files in test/e2e/fuzz/: deals.test.ts (the deal and price-drop routes), coupons.test.ts (claims,
 * a viewer's coupons, checkout), events.test.ts (the local bus) and gateway.test.ts (the gateway, the local
 * AWS APIs, loopback only, coverage). Each starts its own runtime and fixture (`fuzzRun`) and prints one
 * summary line: the requests it sent, the 5xx and store changes seen, the codes seen and each family's seed.
 * A family is one test: a route (`POST /deals`), `POST /local/events`, `gateway` or `local AWS APIs`.
 *
 * Runs: LIVEDROP_FUZZ_RUNS in total over all families of all files (default 1,500, as in `npm test` and CI;
 * 10,000 for the full run); each family sends its weighted share of the total, rounded up (at least 5),
 * whichever files run, so the files together send at least LIVEDROP_FUZZ_RUNS requests.
 * LIVEDROP_FUZZ_SEED replays the generated choices of a run (the fixture's ids are new each time); pass the
 * same LIVEDROP_FUZZ_RUNS, as a family's number of runs is part of its seed's choices. One family again, with
 * the seed its file's summary line printed:
 *
 *   LIVEDROP_FUZZ_SEED=<seed> npx vitest run test/e2e/fuzz/<file>.test.ts -t '<family>'
 *   e.g. LIVEDROP_FUZZ_SEED=124449657 npx vitest run test/e2e/fuzz/deals.test.ts -t 'POST /deals/{dealId}/cues'
 *
 * Problems are collected rather than stopping at the first, so one run reports every kind it found, each
 * with its shortest request.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, expect } from 'vitest';
import { type FuzzReply, type FuzzRequest, send } from './client.js';
import { type Fixture, startFixture } from './fixture.js';
import type { Problem } from './oracle.js';
import { LogTap, summaryLine, Tally } from './report.js';
import { diffSnapshots, type Snapshot, snapshotStore, storeClient } from './store.js';

const whole = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${name} must be a whole number, got "${raw}"`);
  return value;
};
export const TOTAL_RUNS = whole('LIVEDROP_FUZZ_RUNS', 1_500);
const SEED = process.env.LIVEDROP_FUZZ_SEED === undefined ? undefined : whole('LIVEDROP_FUZZ_SEED', 0);
/**
 * An HTTP route answers within this, or the request counts as unanswered. Generous, because `npm test` runs
 * the other test files alongside on the same cores; a hang still shows.
 */
const REQUEST_TIMEOUT_MS = 10_000;
/** PutEvents with ?wait=true waits for deliveries, and a delivery that throws is retried after 1 s and 2 s. */
export const EVENTS_TIMEOUT_MS = 15_000;

export interface Case {
  request: FuzzRequest;
  /** The one status this request must get, where the oracle knows it (otherwise any documented 4xx). */
  expectStatus?: number;
  /** Wait this long after the answer before looking at the store (work the answer did not wait for). */
  settleMs?: number;
}

/** Share of TOTAL_RUNS per family, over all fuzz test files. */
export const WEIGHTS: Readonly<Record<string, number>> = {
  'POST /deals': 2,
  'GET /deals/{dealId}': 1,
  'GET /deals/{dealId}/live': 1,
  'GET /deals/{dealId}/audit': 1,
  'GET /streams/{streamId}/deals': 1,
  'GET /streams/{streamId}/live': 1,
  'POST /deals/{dealId}/cues': 2,
  'POST /deals/{dealId}/claims': 1.5,
  'GET /me/coupons': 1,
  'POST /coupons/{code}/redemptions': 1.5,
  'POST /coupons/{code}/releases': 1.5,
  'POST /galas/{galaId}/price-drops': 2,
  'GET /galas/{galaId}/price-drops': 1,
  'DELETE /galas/{galaId}/price-drops/{dropId}': 1,
  'POST /local/events': 2.5,
  gateway: 1.5,
  'local AWS APIs': 1,
};
const WEIGHT_SUM = Object.values(WEIGHTS).reduce((a, b) => a + b, 0);
export const runsOf = (family: string) =>
  Math.max(5, Math.ceil((TOTAL_RUNS * (WEIGHTS[family] ?? 1)) / WEIGHT_SUM));
export const timeoutOf = (family: string) => 120_000 + runsOf(family) * 300;

export interface FuzzOptions<C extends Case> {
  timeoutMs?: number;
  settleMs?: number;
  examples?: C[];
}

/** One fuzz test file's runtime, fixture, store snapshot and tally. */
export interface FuzzRun {
  /** The fixture (set once the file's beforeAll has run). */
  readonly fixture: Fixture;
  readonly tally: Tally;
  /**
   * Sends every generated case, judges its answer, compares the whole store with the snapshot taken before,
   * and at the end fails with every kind of problem found (each with its shortest request).
   */
  fuzz<C extends Case>(
    family: string,
    arbitrary: fc.Arbitrary<C>,
    judge: (c: C, reply: FuzzReply) => Problem[],
    options?: FuzzOptions<C>,
  ): Promise<void>;
}

/**
 * Starts the runtime and its fixture before the tests of the calling file (beforeAll), and closes it after
 * them, printing the file's summary line (afterAll). `name` names the file in that line.
 */
export const fuzzRun = (name: string): FuzzRun => {
  let fixture: Fixture | undefined;
  let store: DynamoDBClient;
  let before: Snapshot;
  const tally = new Tally();
  const logs = new LogTap();
  const seeds: string[] = [];
  const startedAt = performance.now();

  beforeAll(async () => {
    // Only errors, and off stdout: see LogTap.
    process.env.LIVEDROP_LOG_LEVEL = 'ERROR';
    delete process.env.LIVEDROP_LOG_PRETTY;
    logs.start();
    fixture = await startFixture();
    store = storeClient(fixture);
    before = await snapshotStore(store, fixture.tableName);
  }, 120_000);

  afterAll(async () => {
    console.info(
      summaryLine({
        name,
        tally,
        totalRuns: TOTAL_RUNS,
        seconds: Math.round((performance.now() - startedAt) / 1000),
        seeds,
      }),
    );
    await fixture?.runtime.close();
    store?.destroy();
    logs.stop();
  });

  const started = (): Fixture => {
    if (fixture === undefined) throw new Error('the fuzz fixture is not started (beforeAll failed?)');
    return fixture;
  };

  const fuzz = async <C extends Case>(
    family: string,
    arbitrary: fc.Arbitrary<C>,
    judge: (c: C, reply: FuzzReply) => Problem[],
    options: FuzzOptions<C> = {},
  ): Promise<void> => {
    const { timeoutMs = REQUEST_TIMEOUT_MS, settleMs = 0, examples = [] } = options;
    const { port, tableName } = started();
    const seed = SEED ?? Math.floor(Math.random() * 2 ** 31);
    seeds.push(`${family}=${seed}`);
    await fc.assert(
      fc.asyncProperty(arbitrary, async (c) => {
        const mark = logs.errors.length;
        const reply = await send(port, c.request, timeoutMs);
        tally.countReply(reply);
        const problems = judge(c, reply);
        // The stand-ins' safety from web pages rests on never granting a cross-origin read or preflight.
        const cors = Object.keys(reply.headers).filter((name) => name.startsWith('access-control-'));
        if (cors.length > 0)
          problems.push({ kind: `CORS granted (${cors.join(', ')})`, detail: reply.text.slice(0, 100) });
        if (c.expectStatus !== undefined && !reply.failure && reply.status !== c.expectStatus) {
          problems.push({
            kind: `${reply.status} where ${c.expectStatus} was expected`,
            detail: reply.text.slice(0, 300),
          });
        }
        if (c.settleMs) await new Promise((resolve) => setTimeout(resolve, c.settleMs));
        const after = await snapshotStore(store, tableName);
        const changes = diffSnapshots(before, after);
        if (changes.length > 0) {
          tally.storeChanges++;
          problems.push({
            kind: 'store changed by a refused request',
            detail: changes.slice(0, 6).join('\n             '),
          });
          before = after;
        }
        // A 5xx is told apart by the error the runtime logged for it.
        const logged = logs.since(mark);
        for (const problem of problems) {
          if (/^5\d\d$/.test(problem.kind) && logged[0] !== undefined) problem.kind += `: ${logged[0]}`;
        }
        tally.add(family, problems, c.request, logged);
      }),
      // Known triggers of problems found before run first, so a fix is checked on every run.
      { numRuns: runsOf(family), seed, examples: examples.map((example) => [example]) },
    );
    if (settleMs > 0) {
      // Deliveries answered before they ran (no ?wait) and their retries.
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      const changes = diffSnapshots(before, await snapshotStore(store, tableName));
      if (changes.length > 0) {
        tally.storeChanges++;
        tally.add(
          family,
          [{ kind: 'store changed after the run settled', detail: changes.slice(0, 6).join('\n') }],
          {
            method: '-',
            target: '(some request of this family without ?wait=true)',
            headers: {},
            breaks: [],
            authLabel: '',
          },
          [],
        );
      }
    }
    const report = tally.report(family);
    expect(report, `seed ${seed}\n\n${report.join('\n\n')}`).toEqual([]);
  };

  return {
    get fixture() {
      return started();
    },
    tally,
    fuzz,
  };
};
