/**
 * Fuzzing what the local runtime answers besides the API routes and the bus: its gateway (unknown routes,
 * methods a path lacks, invalid local token requests, rebound host names) and its local AWS APIs (Scheduler,
 * PutEvents), which need no token; that it listens on the loopback interface only; and that every route and
 * event rule of the wiring has its fuzz test. The invariants, LIVEDROP_FUZZ_RUNS and how to replay a family
 * with LIVEDROP_FUZZ_SEED: see harness.ts.
 */
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { eventRules, GALA_DROP_TARGET, httpRoutes } from '../../../functions/shared/contract/wiring.js';
import { EXAMPLES } from './examples.js';
import { gatewayArbitrary } from './gateway.js';
import { fuzzRun, timeoutOf } from './harness.js';
import { judgeLocalAws, localAwsArbitrary } from './local-aws.js';
import { judgeRouteReply } from './oracle.js';
import { PLANS, ROUTE_FILES } from './plans.js';

const run = fuzzRun('gateway');

describe('fuzzing the local runtime: refused requests answer a documented 4xx and change nothing', () => {
  it('has a fuzz plan for every HTTP route of the wiring and an event family for every rule', () => {
    const routes = httpRoutes().map(({ trigger }) => `${trigger.method} ${trigger.path}`);
    expect(routes.filter((route) => PLANS[route] === undefined)).toEqual([]);
    // Each route in exactly one test file, and each of those files there: no route left unfuzzed by the split.
    expect(
      Object.values(ROUTE_FILES)
        .flatMap((plans) => Object.keys(plans))
        .sort(),
    ).toEqual([...routes].sort());
    expect(
      Object.keys(ROUTE_FILES).filter((file) => !existsSync(new URL(`./${file}.test.ts`, import.meta.url))),
    ).toEqual([]);
    expect(
      eventRules()
        .map(({ trigger }) => trigger.id)
        .sort(),
    ).toEqual(['DealCueRule', 'IvsStreamEndRule']);
  });

  it('listens on the loopback interface only: no other address of this machine reaches it', async () => {
    const fixture = run.fixture;
    expect(fixture.runtime.url).toBe(`http://127.0.0.1:${fixture.port}`);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address !== undefined && !address.internal)
      .map((address) => address?.address as string);
    const reached = await Promise.all(
      others.map(
        (address) =>
          new Promise<string | undefined>((resolve) => {
            const socket = connect({ host: address, port: fixture.port, timeout: 2_000 });
            socket.once('connect', () => {
              socket.destroy();
              resolve(address);
            });
            socket.once('timeout', () => {
              socket.destroy();
              resolve(undefined);
            });
            socket.once('error', () => resolve(undefined));
          }),
      ),
    );
    expect(reached.filter((address) => address !== undefined)).toEqual([]);
  });

  it(
    'the gateway: unknown routes, methods a path lacks, invalid token requests',
    async () => {
      await run.fuzz(
        'gateway',
        gatewayArbitrary(run.fixture),
        (c, reply) => judgeRouteReply(c.request, reply),
        {
          examples: EXAMPLES.gateway?.(run.fixture) ?? [],
        },
      );
    },
    timeoutOf('gateway'),
  );

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
