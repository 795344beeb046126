import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventRules,
  FUNCTIONS,
  GALA_DROP_SCHEDULE_GROUP,
  GALA_DROP_TARGET,
  type HttpMethod,
  httpRoutes,
  type Role,
} from '../../functions/shared/contract/wiring.js';
import {
  type AuthChoice,
  type Body,
  type BodySchema,
  badAuditQuery,
  badAuth,
  badCodeSegment,
  badCouponQuery,
  badIdempotencyKey,
  badIdentifier,
  badIdentifierSegment,
  badInt,
  badUlidSegment,
  bodyBreak,
  bodyBytes,
  CUE_ACTIONS,
  type CueAction,
  checkoutSchema,
  codeSpellings,
  createDealSchema,
  cueBody,
  cueSchema,
  DOCUMENTED_CODES,
  diffSnapshots,
  encodeSegment,
  type Fixture,
  type FuzzReply,
  type FuzzRequest,
  goodAuth,
  isoAt,
  JSON_TYPES,
  jsonText,
  judgeErrorBody,
  judgeRouteReply,
  LogTap,
  noiseHeaders,
  noiseQuery,
  oddSegment,
  type Principal,
  type Problem,
  priceDropSchema,
  printable,
  type Reach,
  type RealDeal,
  rateWindows,
  reach,
  type Snapshot,
  send,
  snapshotStore,
  startFixture,
  storeClient,
  Tally,
  tokenRequestSchema,
} from './fuzz-support.js';

/**
 * Issue 7 §1: every HTTP route and event handler of the local runtime, fed generated invalid requests (wrong
 * types, missing and unknown fields, huge/negative/fractional numbers, unicode, broken JSON, wrong media types,
 * bodies over 16 KiB, odd path segments, bad Idempotency-Keys, bad tokens, malformed EventBridge entries,
 * host names and origins the local stand-ins must refuse, schedules the local Scheduler must refuse).
 * Every request is invalid in at least one way, so for every one of them:
 *  - no 5xx and no missing answer;
 *  - every 4xx is `{ error: { code, message, details? } }` with a documented code and its status (the local
 *    AWS stand-ins answer their own refusals in AWS's shape, which their SDK clients read);
 *  - where the oracle knows the one right answer (an EventBridge entry delivered, unmatched or refused; 403
 *    for a foreign host or origin; 415 for a media type), it is that answer;
 *  - the store holds exactly what it held before (checked after every request, and again once deliveries and
 *    schedules that fire later have settled).
 *
 * Runs: LIVEDROP_FUZZ_RUNS in total over all families (default 1,500, as in `npm test` and CI; 10,000 for the
 * full run); LIVEDROP_FUZZ_SEED replays a run. Problems are collected rather than stopping at the first, so
 * one run reports every kind it found, each with its shortest request.
 */

const whole = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${name} must be a whole number, got "${raw}"`);
  return value;
};
const TOTAL_RUNS = whole('LIVEDROP_FUZZ_RUNS', 1_500);
const SEED = process.env.LIVEDROP_FUZZ_SEED === undefined ? undefined : whole('LIVEDROP_FUZZ_SEED', 0);
/**
 * An HTTP route answers within this, or the request counts as unanswered. Generous, because `npm test` runs
 * the other test files alongside on the same cores; a hang still shows.
 */
const REQUEST_TIMEOUT_MS = 10_000;
/** PutEvents with ?wait=true waits for deliveries, and a delivery that throws is retried after 1 s and 2 s. */
const EVENTS_TIMEOUT_MS = 15_000;

let fixture: Fixture;
let store: DynamoDBClient;
let before: Snapshot;
const tally = new Tally();
const logs = new LogTap();
const seeds: string[] = [];
const startedAt = performance.now();

beforeAll(async () => {
  // Only errors, and off stdout: see LogTap.
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  delete process.env.POWERTOOLS_DEV;
  logs.start();
  fixture = await startFixture();
  store = storeClient(fixture);
  before = await snapshotStore(store, fixture.tableName);
}, 120_000);

afterAll(async () => {
  const codes = [...tally.codes].sort(([, a], [, b]) => b - a).map(([code, n]) => `${code}: ${n}`);
  console.info(
    `fuzz: ${tally.requests} requests fuzzed in ${Math.round((performance.now() - startedAt) / 1000)} s ` +
      `(LIVEDROP_FUZZ_RUNS=${TOTAL_RUNS}), 5xx seen: ${tally.fiveHundreds}, store changes seen: ${tally.storeChanges} (rate-limit windows counted: ${rateWindows.size}), problem kinds: ${tally.problems.size}; ` +
      `codes seen: ${codes.join(', ')}; seeds: ${seeds.join(', ')}`,
  );
  await fixture?.runtime.close();
  store?.destroy();
  logs.stop();
});

// ------------------------------------------------------------------------------------------------ runner

interface Case {
  request: FuzzRequest;
  /** The one status this request must get, where the oracle knows it (otherwise any documented 4xx). */
  expectStatus?: number;
  /** Wait this long after the answer before looking at the store (work the answer did not wait for). */
  settleMs?: number;
}

/** Share of TOTAL_RUNS per family. */
const WEIGHTS: Record<string, number> = {
  'POST /deals': 2,
  'GET /deals/{dealId}': 1,
  'GET /deals/{dealId}/live': 1,
  'GET /deals/{dealId}/audit': 1,
  'GET /streams/{streamId}/deals': 1,
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
const runsOf = (family: string) => Math.max(5, Math.ceil((TOTAL_RUNS * (WEIGHTS[family] ?? 1)) / WEIGHT_SUM));
const timeoutOf = (family: string) => 120_000 + runsOf(family) * 300;

/**
 * Sends every generated case, judges its answer, compares the whole store with the snapshot taken before,
 * and at the end fails with every kind of problem found (each with its shortest request).
 */
const fuzz = async <C extends Case>(
  family: string,
  arbitrary: fc.Arbitrary<C>,
  judge: (c: C, reply: FuzzReply) => Problem[],
  options: { timeoutMs?: number; settleMs?: number; examples?: C[] } = {},
): Promise<void> => {
  const { timeoutMs = REQUEST_TIMEOUT_MS, settleMs = 0, examples = [] } = options;
  const seed = SEED ?? Math.floor(Math.random() * 2 ** 31);
  seeds.push(`${family}=${seed}`);
  await fc.assert(
    fc.asyncProperty(arbitrary, async (c) => {
      const mark = logs.errors.length;
      const reply = await send(fixture.port, c.request, timeoutMs);
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
      const after = await snapshotStore(store, fixture.tableName);
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
    const changes = diffSnapshots(before, await snapshotStore(store, fixture.tableName));
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

// ---------------------------------------------------------------------------------------- HTTP route plans

/** A request being put together: parts are replaced by breakers, then written out by `build`. */
interface Shape {
  method: string;
  template: string;
  /** Path parameters as sent (already percent-encoded). */
  params: Record<string, string>;
  query: string;
  auth: AuthChoice;
  headers: Record<string, string>;
  /** The valid body before any break, for body breakers. */
  valid?: Record<string, unknown>;
  body?: Body;
  contentType?: string;
  breaks: string[];
}

interface Base {
  shape: Omit<Shape, 'method' | 'template' | 'breaks' | 'query' | 'headers'> & {
    query?: string;
    headers?: Record<string, string>;
  };
  /** Why the engine refuses this request as it is; undefined when only a break makes it invalid. */
  refused?: string;
}

interface Breaker {
  name: string;
  apply: (shape: Shape) => fc.Arbitrary<Shape>;
}

const breakWith = (shape: Shape, what: string, change: Partial<Shape>): Shape => ({
  ...shape,
  ...change,
  breaks: [...shape.breaks, what],
});

const authBreaker = (roles: readonly Role[]): Breaker => ({
  name: 'auth',
  apply: (shape) => badAuth(fixture, roles).map((auth) => breakWith(shape, `auth ${auth.label}`, { auth })),
});

const pathBreaker = (param: string, segment: fc.Arbitrary<string>): Breaker => ({
  name: `path.${param}`,
  apply: (shape) =>
    segment.map((wire) =>
      breakWith(shape, `path.${param} ${JSON.stringify(wire.slice(0, 60))}`, {
        params: { ...shape.params, [param]: wire },
      }),
    ),
});

const bodyBreaker = (schema: (valid: Record<string, unknown>) => BodySchema): Breaker => ({
  name: 'body',
  apply: (shape) => {
    const valid = shape.valid ?? {};
    return bodyBreak(schema(valid), valid).map((broken) => {
      const { contentType: _, ...rest } = shape;
      const contentType = broken.media ? broken.media.contentType : (shape.contentType ?? 'application/json');
      return breakWith(rest, broken.what, {
        body: broken.body,
        ...(contentType === undefined ? {} : { contentType }),
      });
    });
  },
});

/** A schema whose valid bodies are this one (body breakers only need its invalid parts). */
const fixedSchema =
  (schema: BodySchema) =>
  (valid: Record<string, unknown>): BodySchema => ({ ...schema, valid: fc.constant(valid) });

const jsonBody = (valid: Record<string, unknown>) =>
  JSON_TYPES.map((contentType) => ({ valid, body: { json: valid } as Body, contentType }));

/** Writes a shape out as the bytes that go on the wire. */
const build = (shape: Shape, noise: Noise): FuzzRequest => {
  let path = shape.template;
  for (const [name, wire] of Object.entries(shape.params)) path = path.replace(`{${name}}`, wire);
  const query = shape.query !== '' ? shape.query : noise.query;
  const headers: Record<string, string> = { ...noise.headers, ...shape.headers };
  if (shape.auth.header !== undefined) headers.authorization = shape.auth.header;
  let body = shape.body;
  let contentType = shape.contentType;
  if (body === undefined && noise.ignoredBody !== undefined) {
    body = noise.ignoredBody.body;
    contentType = noise.ignoredBody.contentType;
  }
  if (contentType !== undefined) headers['content-type'] = contentType;
  return {
    method: shape.method,
    target: query === '' ? path : `${path}?${query}`,
    headers,
    ...(body === undefined ? {} : { body: bodyBytes(body) }),
    ...(noise.chunked && body !== undefined ? { chunked: true } : {}),
    breaks: shape.breaks,
    authLabel: shape.auth.label,
  };
};

interface Noise {
  headers: Record<string, string>;
  query: string;
  chunked: boolean;
  ignoredBody?: { body: Body; contentType?: string };
}

/** What changes nothing: extra headers, a query where none is read, a body where none is read, chunking. */
const noise = (readsQuery: boolean, readsBody: boolean): fc.Arbitrary<Noise> =>
  fc.record({
    headers: noiseHeaders,
    query: readsQuery ? fc.constant('') : noiseQuery,
    chunked: fc.boolean().map((b) => b && Math.random() < 0.25),
    ignoredBody: readsBody
      ? fc.constant(undefined)
      : fc.option(
          fc.record({
            body: fc.oneof(
              fc.jsonValue({ maxDepth: 2 }).map((json) => ({ json }) as Body),
              fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ raw: Buffer.from(bytes) }) as Body),
            ),
            contentType: fc.constantFrom('application/json', 'text/plain', 'application/octet-stream'),
          }),
          { nil: undefined, freq: 3 },
        ),
  });

interface RoutePlan {
  /** Engine-refused or valid-shaped requests to start from. */
  base: fc.Arbitrary<Base>;
  breakers: Breaker[];
  readsQuery?: boolean;
  readsBody?: boolean;
}

const routeArbitrary = (method: HttpMethod, template: string, plan: RoutePlan): fc.Arbitrary<Case> =>
  plan.base
    .chain((base) =>
      fc.subarray(plan.breakers, { minLength: base.refused === undefined ? 1 : 0 }).chain((chosen) => {
        const start: Shape = {
          method,
          template,
          query: '',
          headers: {},
          ...base.shape,
          breaks: base.refused === undefined ? [] : [`refused: ${base.refused}`],
        };
        return chosen.reduce<fc.Arbitrary<Shape>>(
          (shape, breaker) => shape.chain((s) => breaker.apply(s)),
          fc.constant(start),
        );
      }),
    )
    .chain((shape) =>
      noise(plan.readsQuery === true, plan.readsBody === true).map((n) => ({ request: build(shape, n) })),
    );

const wireOf = (values: fc.Arbitrary<string>) =>
  fc.tuple(values, fc.constantFrom(0, 0, 0, 1, 2)).map(([value, mode]) => encodeSegment(value, mode));

const realDeals = (): RealDeal[] => Object.values(fixture.deals);
const realIds = (): string[] => [...realDeals().map((d) => d.dealId), ...Object.values(fixture.drops)];
const unknownId = () => fc.ulid().filter((id) => !realIds().includes(id));
const ALL: readonly Principal[] = ['viewer-1', 'host-1', 'checkout-1', 'admin-1'];

/** Ids only the principal of the base may hold (viewers, orders): never the real ones where they would work. */
const otherThan = (...taken: string[]) => printable(1, 64).filter((id) => !taken.includes(id));

const dealReadPlan = (): RoutePlan => ({
  base: fc.oneof(
    fc
      .record({
        auth: goodAuth(fixture, ALL),
        dealId: wireOf(fc.constantFrom(...realDeals().map((d) => d.dealId))),
      })
      .map(({ auth, dealId }) => ({ shape: { auth, params: { dealId } } })),
    fc.record({ auth: goodAuth(fixture, ALL), dealId: unknownId() }).map(({ auth, dealId }) => ({
      shape: { auth, params: { dealId } },
      refused: 'unknown deal',
    })),
  ),
  breakers: [
    authBreaker(['viewer', 'host', 'checkout', 'admin']),
    pathBreaker('dealId', badUlidSegment(realIds())),
  ],
});

const identifierReadPlan = (
  param: string,
  real: string,
  roles: readonly Role[],
  who: readonly Principal[],
) => ({
  base: fc
    .record({ auth: goodAuth(fixture, who), id: wireOf(fc.oneof(fc.constant(real), printable(1, 128))) })
    .map(({ auth, id }) => ({ shape: { auth, params: { [param]: id } } })),
  breakers: [authBreaker(roles), pathBreaker(param, badIdentifierSegment(128))],
});

/** Cue requests the engine refuses as they are, and valid-shaped ones that only a break makes invalid. */
const cuePlan = (): RoutePlan => {
  const { live, scheduled, ended, soldOut, lapsed } = fixture.deals;
  const running = [live, soldOut, lapsed];
  const owner: Principal[] = ['host-1', 'admin-1'];
  const combo = (
    deals: RealDeal[] | 'unknown',
    who: Principal[],
    actions: readonly CueAction[],
    refused?: string,
  ) =>
    fc
      .record({
        dealId: deals === 'unknown' ? unknownId() : wireOf(fc.constantFrom(...deals.map((d) => d.dealId))),
        auth: goodAuth(fixture, who),
        valid: fc.constantFrom(...actions).chain(cueBody),
      })
      .chain(({ dealId, auth, valid }) =>
        jsonBody(valid).map((body) => ({ shape: { auth, params: { dealId }, ...body }, refused })),
      );
  return {
    base: fc.oneof(
      combo('unknown', ['host-1', 'host-2', 'admin-1'], CUE_ACTIONS, 'unknown deal'),
      combo(realDeals(), ['host-2'], CUE_ACTIONS, "another host's deal"),
      combo(running, owner, ['start', 'resume', 'extend'], 'transition a LIVE deal does not allow'),
      combo(
        [scheduled],
        owner,
        ['pause', 'resume', 'extend', 'restock'],
        'transition a SCHEDULED deal does not allow',
      ),
      combo([ended], owner, CUE_ACTIONS, 'the deal ENDED'),
      combo(running, owner, ['pause', 'end', 'restock']),
      combo([scheduled], owner, ['start', 'end']),
    ),
    breakers: [
      authBreaker(['host', 'admin']),
      pathBreaker('dealId', badUlidSegment(realIds())),
      bodyBreaker(fixedSchema(cueSchema(fc.constant({})))),
    ],
  };
};

const claimPlan = (): RoutePlan => {
  const { live, scheduled, ended, soldOut } = fixture.deals;
  const key = fc.option(
    printable(1, 128)
      .filter((k) => k !== fixture.setupIdempotencyKey)
      .chain((k) => fc.constantFrom(k, ` ${k}`, `${k}\t`)),
    { nil: undefined },
  );
  const combos: [fc.Arbitrary<string>, string][] = [
    [wireOf(fc.constant(live.dealId)), "viewer-1 already holds the deal's one coupon"],
    [wireOf(fc.constantFrom(scheduled.dealId, ended.dealId)), 'deal not live'],
    [wireOf(fc.constant(soldOut.dealId)), 'sold out'],
    [unknownId(), 'unknown deal'],
  ];
  return {
    base: fc
      .tuple(fc.constantFrom(...combos), goodAuth(fixture, ['viewer-1']), key)
      .chain(([[dealId, refused], auth, k]) =>
        dealId.map((id) => ({
          shape: {
            auth,
            params: { dealId: id },
            headers: (k === undefined ? {} : { 'idempotency-key': k }) as Record<string, string>,
          },
          refused,
        })),
      ),
    breakers: [
      authBreaker(['viewer']),
      pathBreaker('dealId', badUlidSegment(realIds())),
      {
        name: 'header',
        apply: (shape) =>
          badIdempotencyKey.map((k) =>
            breakWith(shape, `idempotency-key ${JSON.stringify(k.slice(0, 40))}`, {
              headers: { ...shape.headers, 'idempotency-key': k },
            }),
          ),
      },
    ],
  };
};

/** The audit trail: the deal's host and admins only; refused as another host, for an unknown deal, or broken. */
const auditPlan = (): RoutePlan => {
  const deals = wireOf(fc.constantFrom(...realDeals().map((d) => d.dealId)));
  return {
    base: fc.oneof(
      fc
        .record({ auth: goodAuth(fixture, ['host-1', 'admin-1']), dealId: deals })
        .map(({ auth, dealId }) => ({ shape: { auth, params: { dealId } } })),
      fc.record({ auth: goodAuth(fixture, ['host-2']), dealId: deals }).map(({ auth, dealId }) => ({
        shape: { auth, params: { dealId } },
        refused: "another host's deal",
      })),
      fc
        .record({ auth: goodAuth(fixture, ['host-1', 'admin-1']), dealId: unknownId() })
        .map(({ auth, dealId }) => ({ shape: { auth, params: { dealId } }, refused: 'unknown deal' })),
    ),
    breakers: [
      authBreaker(['host', 'admin']),
      pathBreaker('dealId', badUlidSegment(realIds())),
      {
        name: 'query',
        apply: (shape) =>
          badAuditQuery().map(({ query, what }) => breakWith(shape, `query ${what}`, { query })),
      },
    ],
    readsQuery: true,
  };
};

const myCouponsPlan = (): RoutePlan => ({
  base: fc
    .record({
      auth: goodAuth(fixture, ['viewer-1']),
      query: fc.oneof(
        fc.constant(''),
        fc.integer({ min: 1, max: 100 }).map((n) => `limit=${n}`),
      ),
    })
    .map(({ auth, query }) => ({ shape: { auth, params: {}, query } })),
  breakers: [
    authBreaker(['viewer']),
    {
      name: 'query',
      apply: (shape) =>
        badCouponQuery('viewer-1').map(({ query, what }) => breakWith(shape, `query ${what}`, { query })),
    },
  ],
  readsQuery: true,
});

/** Checkout requests: the engine's refusals, and valid ones (held coupon, its viewer) only a break spoils. */
const checkoutPlan = (kind: 'redeem' | 'release'): RoutePlan => {
  const { held, redeemed, lapsed } = fixture.coupons;
  const codes = [held.code, redeemed.code, lapsed.code];
  const combo = (
    code: fc.Arbitrary<string>,
    viewerId: fc.Arbitrary<string>,
    orderId: fc.Arbitrary<string>,
    refused?: string,
  ) =>
    fc
      .record({ code: wireOf(code), auth: goodAuth(fixture, ['checkout-1']), viewerId, orderId })
      .chain(({ code, auth, viewerId, orderId }) =>
        jsonBody({ viewerId, orderId }).map((body) => ({
          shape: { auth, params: { code }, ...body },
          refused,
        })),
      );
  const anyOrder = printable(1, 128);
  const otherOrder = otherThan(redeemed.orderId);
  const unknownCode = badCodeSegment(codes).filter(
    (code) => !code.includes('%') && code !== '' && !code.startsWith('.'),
  );
  const common = [
    combo(codeSpellings(held.code), otherThan(held.viewerId), anyOrder, "someone else's coupon"),
    combo(unknownCode, printable(1, 256), anyOrder, 'unknown code'),
  ];
  const base =
    kind === 'redeem'
      ? fc.oneof(
          ...common,
          combo(
            codeSpellings(redeemed.code),
            fc.constant(redeemed.viewerId),
            otherOrder,
            'redeemed for another order',
          ),
          combo(codeSpellings(lapsed.code), fc.constant(lapsed.viewerId), anyOrder, 'coupon expired'),
          combo(codeSpellings(held.code), fc.constant(held.viewerId), anyOrder),
          combo(codeSpellings(redeemed.code), fc.constant(redeemed.viewerId), fc.constant(redeemed.orderId)),
        )
      : fc.oneof(
          ...common,
          combo(codeSpellings(held.code), fc.constant(held.viewerId), anyOrder, 'coupon not redeemed'),
          combo(
            codeSpellings(redeemed.code),
            fc.constant(redeemed.viewerId),
            otherOrder,
            'redeemed for another order',
          ),
          combo(
            codeSpellings(lapsed.code),
            fc.constant(lapsed.viewerId),
            anyOrder,
            'coupon not redeemed (lapsed)',
          ),
          combo(codeSpellings(redeemed.code), fc.constant(redeemed.viewerId), fc.constant(redeemed.orderId)),
        );
  return {
    base,
    breakers: [
      authBreaker(['checkout']),
      pathBreaker('code', badCodeSegment(codes)),
      bodyBreaker(fixedSchema(checkoutSchema(fc.constant({})))),
    ],
  };
};

const createDropPlan = (): RoutePlan => {
  const schema = priceDropSchema(realDeals().map((d) => d.dealId));
  const past = fc
    .tuple(
      fc.integer({ min: Date.parse('1990-01-01T00:00:00Z'), max: Date.now() - 3_600_000 }),
      fc.constantFrom(0, 60, -300),
    )
    .map(([ms, offset]) => isoAt(ms, offset));
  const gala = wireOf(fc.oneof(fc.constant(fixture.galaId), printable(1, 128)));
  return {
    base: fc.oneof(
      fc
        .record({ auth: goodAuth(fixture, ['admin-1']), galaId: gala, valid: schema.valid })
        .chain(({ auth, galaId, valid }) =>
          jsonBody(valid).map((body) => ({ shape: { auth, params: { galaId }, ...body } })),
        ),
      fc
        .record({ auth: goodAuth(fixture, ['admin-1']), galaId: gala, valid: schema.valid, at: past })
        .chain(({ auth, galaId, valid, at }) =>
          jsonBody({ ...valid, at }).map((body) => ({
            shape: { auth, params: { galaId }, ...body },
            refused: 'at in the past',
          })),
        ),
    ),
    breakers: [
      authBreaker(['admin']),
      pathBreaker('galaId', badIdentifierSegment(128)),
      bodyBreaker(fixedSchema(schema)),
    ],
  };
};

const cancelDropPlan = (): RoutePlan => {
  const gala = wireOf(fc.constant(fixture.galaId));
  const combo = (galaId: fc.Arbitrary<string>, dropId: fc.Arbitrary<string>, refused?: string) =>
    fc
      .record({ auth: goodAuth(fixture, ['admin-1']), galaId, dropId })
      .map(({ auth, galaId, dropId }) => ({ shape: { auth, params: { galaId, dropId } }, refused }));
  return {
    base: fc.oneof(
      combo(gala, unknownId(), 'unknown drop'),
      combo(
        wireOf(otherThan(fixture.galaId)),
        wireOf(fc.constant(fixture.drops.scheduled)),
        "another gala's drop",
      ),
      // Cancelling is idempotent (a repeat answers 200), so the cancelled drop is only a base for breaks.
      combo(gala, wireOf(fc.constantFrom(fixture.drops.scheduled, fixture.drops.cancelled))),
    ),
    breakers: [
      authBreaker(['admin']),
      pathBreaker('galaId', badIdentifierSegment(128)),
      pathBreaker('dropId', badUlidSegment(realIds())),
    ],
  };
};

/** One plan per wiring route; a route added to the wiring without one fails the coverage test. */
const PLANS: Record<string, () => RoutePlan> = {
  'POST /deals': () => ({
    base: fc
      .record({ auth: goodAuth(fixture, ['host-1', 'admin-1']), valid: createDealSchema.valid })
      .chain(({ auth, valid }) => jsonBody(valid).map((body) => ({ shape: { auth, params: {}, ...body } }))),
    breakers: [authBreaker(['host', 'admin']), bodyBreaker(fixedSchema(createDealSchema))],
  }),
  'GET /deals/{dealId}': dealReadPlan,
  'GET /deals/{dealId}/live': dealReadPlan,
  'GET /deals/{dealId}/audit': auditPlan,
  'GET /streams/{streamId}/deals': () =>
    identifierReadPlan('streamId', fixture.deals.live.streamId, ['viewer', 'host', 'checkout', 'admin'], ALL),
  'POST /deals/{dealId}/cues': cuePlan,
  'POST /deals/{dealId}/claims': claimPlan,
  'GET /me/coupons': myCouponsPlan,
  'POST /coupons/{code}/redemptions': () => checkoutPlan('redeem'),
  'POST /coupons/{code}/releases': () => checkoutPlan('release'),
  'POST /galas/{galaId}/price-drops': createDropPlan,
  'GET /galas/{galaId}/price-drops': () =>
    identifierReadPlan('galaId', fixture.galaId, ['admin'], ['admin-1']),
  'DELETE /galas/{galaId}/price-drops/{dropId}': cancelDropPlan,
};
const BODY_ROUTES = new Set([
  'POST /deals',
  'POST /deals/{dealId}/cues',
  'POST /coupons/{code}/redemptions',
  'POST /coupons/{code}/releases',
  'POST /galas/{galaId}/price-drops',
]);

// ------------------------------------------------------------------------------------------- events in

interface EntryPlan {
  entry: Record<string, unknown>;
  expect: 'malformed' | 'unmatched' | 'delivered';
  what: string;
}

interface EventsCase extends Case {
  /** Absent when the request as a whole is refused. */
  entries?: EntryPlan[];
  wait: boolean;
  expectStatus: number;
}

/** EventBridge entries that can never succeed: malformed, matching no rule, or refused by their handler. */
const eventEntries = (): fc.Arbitrary<EntryPlan> => {
  const { live, scheduled, ended, soldOut, lapsed } = fixture.deals;
  const all = realDeals();
  const cued = [live, ended, soldOut, lapsed];
  const at = fc
    .oneof(
      fc.integer({ min: Date.parse('2021-01-01T00:00:00Z'), max: Date.parse('2025-01-01T00:00:00Z') }),
      fc.integer({ min: Date.now() + 60_000, max: Date.now() + 86_400_000 }),
    )
    .map((ms) => isoAt(ms, 0));
  const stale = fc
    .integer({ min: Date.parse('2021-01-01T00:00:00Z'), max: Date.parse('2025-01-01T00:00:00Z') })
    .map((ms) => isoAt(ms, 60));
  const detail = (
    deals: fc.Arbitrary<{ dealId: string; streamId: string }>,
    hostId: fc.Arbitrary<string>,
    actions: readonly CueAction[],
    when: fc.Arbitrary<string>,
    streamOverride?: fc.Arbitrary<string>,
  ) =>
    fc
      .record({
        deal: deals,
        hostId,
        action: fc.constantFrom(...actions),
        at: when,
        cueId: printable(1, 128),
        stream: streamOverride ?? fc.constant(undefined),
        quantity: fc.integer({ min: 1, max: 1_000 }),
        durationSeconds: fc.integer({ min: 1, max: 3_600 }),
      })
      .map(({ deal, stream, quantity, durationSeconds, ...rest }) => ({
        ...rest,
        dealId: deal.dealId,
        streamId: stream ?? deal.streamId,
        ...(rest.action === 'restock' ? { quantity } : {}),
        ...(rest.action === 'extend' ? { durationSeconds } : {}),
      }));
  const real = (deals: RealDeal[]) => fc.constantFrom(...deals);
  const unknownDeal = fc.record({ dealId: unknownId(), streamId: printable(1, 128) });
  const host = fc.constant('host-1');
  const refusedCues: [fc.Arbitrary<Record<string, unknown>>, string][] = [
    [detail(unknownDeal, printable(1, 256), CUE_ACTIONS, at), 'cue: unknown deal'],
    [detail(real(all), otherThan('host-1'), CUE_ACTIONS, at), 'cue: not the host'],
    [
      detail(
        real(all),
        host,
        CUE_ACTIONS,
        at,
        printable(1, 128).filter((s) => !all.some((d) => d.streamId === s)),
      ),
      'cue: another stream',
    ],
    [detail(real(cued), host, ['start', 'pause', 'resume', 'end'], stale), 'cue: stale'],
    [detail(real(all), host, ['extend'], at), 'cue: extend without duration'],
    [detail(real([ended]), host, ['restock', 'extend'], at), 'cue: ENDED deal'],
    [detail(real([ended]), host, ['start', 'pause', 'resume', 'end'], at), 'cue: ENDED deal'],
  ];
  // Valid-shaped cues that would apply: sent only with a broken detail field.
  const applicable = fc.oneof(
    detail(real([live, soldOut, lapsed]), host, ['pause', 'end', 'restock'], at),
    detail(real([scheduled]), host, ['start', 'end'], at),
  );
  const cueFields: Record<string, fc.Arbitrary<unknown>> = {
    cueId: badIdentifier(128),
    dealId: fc.oneof(notStringOrBad(realIds())),
    streamId: badIdentifier(128),
    hostId: badIdentifier(256),
    action: fc.oneof(fc.constantFrom('START', 'Pause', '', 'stop', 'end '), badIdentifier(10)),
    quantity: badInt(1, 10_000_000),
    durationSeconds: badInt(1, 7 * 86_400),
    at: fc.oneof(
      fc.constantFrom(
        '2027-02-30T10:00:00Z',
        '2027-01-01T00:00:00',
        '2027-01-01',
        'now',
        '',
        '2027-01-01T00:00:60Z',
      ),
      fc.integer().map((n) => n as unknown),
    ),
  };
  const brokenCue = fc
    .tuple(
      fc.oneof(applicable, ...refusedCues.map(([arb]) => arb)),
      fc.constantFrom(...Object.keys(cueFields)),
      fc.boolean(),
    )
    .chain(([d, field, drop]) =>
      drop && ['cueId', 'dealId', 'streamId', 'hostId', 'action', 'at'].includes(field)
        ? fc.constant({ detail: withoutKey(d, field), what: `cue: detail.${field} missing` })
        : (cueFields[field] as fc.Arbitrary<unknown>).map((value) => ({
            detail: { ...d, [field]: value },
            what: `cue: detail.${field} invalid`,
          })),
    );
  const cueEntry = (d: Record<string, unknown>, bus: unknown) => ({
    Source: 'livestream.studio',
    DetailType: 'Deal Cue',
    Detail: JSON.stringify(d),
    ...(bus === undefined ? {} : { EventBusName: bus }),
  });
  const cueBus = fc.constantFrom('livedrop', 'arn:aws:events:us-east-1:000000000000:event-bus/livedrop');
  const ivsDetail = fc
    .record({
      event_name: fc.constant<unknown>('Stream End'),
      channel_name: fc.option(badIdentifier(128), { nil: undefined }),
      stream_id: fc.option(fc.oneof(fc.string(), notStringValue()), { nil: undefined }),
    })
    // channel_name missing or invalid: never a valid detail.
    .map((d) => compactRecord(d));
  const ivsEntry = (d: Record<string, unknown>, bus?: unknown) => ({
    Source: 'aws.ivs',
    DetailType: 'IVS Stream State Change',
    Detail: JSON.stringify(d),
    ...(bus === undefined ? {} : { EventBusName: bus }),
  });
  const delivered: fc.Arbitrary<EntryPlan> = fc.oneof(
    ...refusedCues.map(([arb, what]) =>
      fc
        .tuple(arb, cueBus)
        .map(([d, bus]) => ({ entry: cueEntry(d, bus), expect: 'delivered' as const, what })),
    ),
    fc.tuple(brokenCue, cueBus).map(([{ detail: d, what }, bus]) => ({
      entry: cueEntry(d, bus),
      expect: 'delivered' as const,
      what,
    })),
    fc.tuple(ivsDetail, fc.constantFrom(undefined, 'default')).map(([d, bus]) => ({
      entry: ivsEntry(d, bus),
      expect: 'delivered' as const,
      what: 'ivs: bad detail',
    })),
    fc.tuple(fc.string({ maxLength: 20 }), badIdentifier(128)).map(([name, channel]) => ({
      entry: ivsEntry({ event_name: ['Stream End', name], channel_name: channel }),
      expect: 'delivered' as const,
      what: 'ivs: event_name a list, bad channel',
    })),
  );
  const unmatched: fc.Arbitrary<EntryPlan> = fc.oneof(
    fc
      .tuple(fc.oneof(applicable, ...refusedCues.map(([a]) => a)), fc.constantFrom(undefined, 'default'))
      .map(([d, bus]) => ({
        entry: cueEntry(d, bus),
        expect: 'unmatched' as const,
        what: 'cue on the default bus',
      })),
    fc
      .tuple(applicable, fc.constantFrom('livestream.Studio', 'livestream.studio ', 'aws.ivs', 'livedrop'))
      .map(([d, source]) => ({
        entry: { ...cueEntry(d, 'livedrop'), Source: source },
        expect: 'unmatched' as const,
        what: `cue from ${source}`,
      })),
    fc
      .tuple(applicable, fc.constantFrom('Deal cue', 'Deal Cue ', 'DealCue', 'Deal Started'))
      .map(([d, type]) => ({
        entry: { ...cueEntry(d, 'livedrop'), DetailType: type },
        expect: 'unmatched' as const,
        what: `detail-type ${type}`,
      })),
    fc
      .tuple(
        fc.constantFrom<unknown>('Stream Start', 'stream end', 'Stream End ', 42, null, []),
        printable(1, 128),
      )
      .map(([name, channel]) => ({
        entry: ivsEntry({ event_name: name, channel_name: channel }),
        expect: 'unmatched' as const,
        what: `ivs event_name ${JSON.stringify(name)}`,
      })),
    fc.tuple(ivsDetail).map(([d]) => ({
      entry: ivsEntry(d, 'livedrop'),
      expect: 'unmatched' as const,
      what: 'ivs on the livedrop bus',
    })),
  );
  const entryBreaks: [string, (e: Record<string, unknown>) => fc.Arbitrary<Record<string, unknown>>][] = [
    [
      'Source',
      (e) =>
        fc.oneof(
          fc.constant(withoutKey(e, 'Source')),
          notEmptyStringValue().map((v) => ({ ...e, Source: v })),
        ),
    ],
    [
      'DetailType',
      (e) =>
        fc.oneof(
          fc.constant(withoutKey(e, 'DetailType')),
          notEmptyStringValue().map((v) => ({ ...e, DetailType: v })),
        ),
    ],
    [
      'Detail',
      (e) =>
        fc.oneof(
          fc.constant(withoutKey(e, 'Detail')),
          fc
            .constantFrom<unknown>(
              '',
              'not json',
              '[1]',
              'null',
              '"x"',
              '42',
              '{',
              '{"a":1}}',
              7,
              null,
              { a: 1 },
              ['{}'],
            )
            .map((v) => ({ ...e, Detail: v })),
        ),
    ],
    [
      'EventBusName',
      (e) =>
        fc
          .constantFrom<unknown>(
            '',
            'other',
            'Livedrop',
            'arn:aws:events:us-east-1:0:event-bus/other',
            'arn:',
            5,
            null,
            {},
          )
          .map((v) => ({ ...e, EventBusName: v })),
    ],
  ];
  const malformed: fc.Arbitrary<EntryPlan> = fc.oneof(
    fc
      .tuple(fc.oneof(delivered, unmatched), fc.constantFrom(...entryBreaks))
      .chain(([plan, [field, breakIt]]) =>
        breakIt(plan.entry).map((entry) => ({
          entry,
          expect: 'malformed' as const,
          what: `entry.${field} malformed`,
        })),
      ),
    fc.constantFrom<unknown>(null, 1, 'entry', [], true).map((entry) => ({
      entry: entry as Record<string, unknown>,
      expect: 'malformed' as const,
      what: 'entry not an object',
    })),
  );
  // Optional fields of an entry: Resources, a list of ARNs (strings), and Time, an ISO 8601 instant with its
  // offset or epoch seconds (the SDK's wire form). An entry with either one malformed is refused as a whole.
  const extra = (good: fc.Arbitrary<unknown>, bad: fc.Arbitrary<unknown>) =>
    fc.option(
      fc.oneof(
        { weight: 3, arbitrary: good.map((value) => ({ value, ok: true })) },
        { weight: 1, arbitrary: bad.map((value) => ({ value, ok: false })) },
      ),
      { nil: undefined },
    );
  const resources = extra(
    fc.oneof(
      { weight: 3, arbitrary: fc.array(fc.string({ maxLength: 40 }), { maxLength: 3 }) },
      { weight: 1, arbitrary: fc.constant(['arn:aws:ivs:us-east-1:123456789012:channel/fuzzchannel']) },
    ),
    fc.oneof(
      fc
        .tuple(
          fc.array(fc.string({ maxLength: 20 }), { maxLength: 2 }),
          fc.jsonValue({ maxDepth: 1 }).filter((v) => typeof v !== 'string'),
        )
        .map(([strings, odd]) => [...strings, odd]),
      fc.constantFrom<unknown>(
        'not-a-list',
        7,
        null,
        { a: 1 },
        [{ toString: 1 }],
        [{ valueOf: 'x', toString: null }],
      ),
    ),
  );
  const time = extra(
    fc.oneof(
      fc
        .tuple(
          fc.integer({ min: 0, max: Date.parse('2100-01-01T00:00:00Z') }),
          fc.constantFrom(0, 60, -300, 330),
        )
        .map(([ms, offset]) => isoAt(ms, offset)),
      fc.integer({ min: 0, max: 4_102_444_800 }),
    ),
    fc.oneof(
      fc.constantFrom<unknown>(
        '2027-02-30T10:00:00Z',
        '2027-01-01T00:00:00',
        '2027-01-01',
        '2027-01-01T00:00:60Z',
        'now',
        '',
        '1',
        '2020',
        'Jan 1 2027',
        null,
        true,
        [],
        {},
      ),
      fc.integer({ max: -1 }),
      fc.string({ maxLength: 30 }).map((text) => `x${text}`),
    ),
  );
  return fc
    .tuple(
      fc.oneof(
        { weight: 5, arbitrary: delivered },
        { weight: 2, arbitrary: unmatched },
        { weight: 2, arbitrary: malformed },
      ),
      resources,
      time,
    )
    .map(([plan, r, t]): EntryPlan => {
      if (plan.entry === null || typeof plan.entry !== 'object' || Array.isArray(plan.entry)) return plan;
      const entry = compactRecord({ ...plan.entry, Resources: r?.value, Time: t?.value });
      const odd = [r?.ok === false ? 'Resources' : '', t?.ok === false ? 'Time' : ''].filter(Boolean);
      if (odd.length === 0 || plan.expect === 'malformed') return { ...plan, entry };
      return { entry, expect: 'malformed', what: `entry.${odd.join(' and ')} malformed` };
    });
};

const withoutKey = (object: Record<string, unknown>, key: string) => {
  const { [key]: _, ...rest } = object;
  return rest;
};
const compactRecord = (object: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
const notStringValue = () =>
  fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }));
const notEmptyStringValue = () => fc.oneof(fc.constant<unknown>(''), notStringValue());
const notStringOrBad = (reals: string[]) =>
  fc.oneof(
    notStringValue(),
    fc.constantFrom<unknown>('', 'x', ...reals.map((id) => id.toLowerCase())),
    printable(1, 40).filter((s) => !/^[0-9A-HJKMNP-TV-Z]{26}$/.test(s)),
  );

const eventsArbitrary = (): fc.Arbitrary<EventsCase> => {
  const query = fc.oneof(
    { weight: 8, arbitrary: fc.constant({ query: 'wait=true', wait: true }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        { query: '', wait: false },
        { query: 'wait=TRUE', wait: false },
        { query: 'wait=1', wait: false },
      ),
    },
  );
  // JSON only: a page of another origin may send text/plain or a form without a CORS preflight.
  const contentType = fc.oneof(
    { weight: 6, arbitrary: JSON_TYPES.map((type) => ({ type, ok: true })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          undefined,
          'text/plain',
          'application/x-amz-json-1.1',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/json; charset=iso-8859-1',
        )
        .map((type) => ({ type, ok: false })),
    },
  );
  const request = (
    q: { query: string },
    type: string | undefined,
    body: Buffer,
    breaks: string[],
    headers: Record<string, string>,
  ) => ({
    method: 'POST',
    target: q.query === '' ? '/local/events' : `/local/events?${q.query}`,
    headers: { ...headers, ...(type === undefined ? {} : { 'content-type': type }) },
    body,
    breaks,
    authLabel: '(none)',
  });
  /** What the gateway answers before reading the body: 403 for who asks, 415 for the media type. */
  const gatekeeper = (who: Reach, media: { type: string | undefined; ok: boolean }) =>
    who.refused !== undefined
      ? { status: 403 as const, why: who.refused }
      : media.ok
        ? undefined
        : { status: 415 as const, why: `content-type ${JSON.stringify(media.type)}` };
  const valid = fc
    .tuple(
      fc.array(eventEntries(), { minLength: 1, maxLength: 10 }),
      query,
      contentType,
      noiseHeaders,
      reach({ origins: true }),
    )
    .map(([entries, q, media, headers, who]) => {
      const refused = gatekeeper(who, media);
      const body = Buffer.from(jsonText({ Entries: entries.map((e) => e.entry) }));
      return {
        ...(refused ? {} : { entries }),
        wait: q.wait,
        ...(q.wait ? {} : { settleMs: 200 }),
        expectStatus: refused?.status ?? 200,
        request: request(q, media.type, body, refused ? [refused.why] : entries.map((e) => e.what), {
          ...headers,
          ...who.headers,
        }),
      };
    });
  const refused = fc
    .tuple(
      fc.oneof(
        fc.constant({ text: '{"Entries":[]}', what: 'no entries', status: 400 as const }),
        fc.array(eventEntries(), { minLength: 11, maxLength: 14 }).map((entries) => ({
          text: jsonText({ Entries: entries.map((e) => e.entry) }),
          what: `${entries.length} entries`,
          status: 400 as const,
        })),
        fc
          .jsonValue({ maxDepth: 1 })
          .map((value) => ({
            text: jsonText({ Entries: value }),
            what: 'Entries not a list',
            status: 400 as const,
          }))
          .filter((c) => !c.text.startsWith('{"Entries":[')),
        fc
          .constantFrom('null', '[]', '"x"', '1', '{}', '{"entries":[]}', '{', '', 'Entries', '\ufeff{}')
          .map((text) => ({
            text,
            what: `body ${JSON.stringify(text)}`,
            status: 400 as const,
          })),
        fc.constant({
          text: `{"Entries":[${'1,'.repeat(600_000)}1]}`,
          what: 'body over 1 MiB',
          status: 413 as const,
        }),
      ),
      query,
      contentType,
      noiseHeaders,
      reach({ origins: true }),
    )
    .map(([c, q, media, headers, who]) => {
      // The size is checked while reading, before anything else.
      const refused = c.status === 413 ? undefined : gatekeeper(who, media);
      return {
        wait: q.wait,
        ...(q.wait ? {} : { settleMs: 200 }),
        expectStatus: refused?.status ?? c.status,
        request: request(q, media.type, Buffer.from(c.text), [refused?.why ?? c.what], {
          ...headers,
          ...who.headers,
        }),
      };
    });
  return fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: refused });
};

const judgeEvents = (c: EventsCase, reply: FuzzReply): Problem[] => {
  if (reply.failure) return [{ kind: 'no answer', detail: reply.failure }];
  if (reply.status >= 500) return [{ kind: `${reply.status}`, detail: reply.text.slice(0, 300) }];
  // A status other than the expected one is reported by `fuzz` itself.
  if (reply.status !== 200) return judgeErrorBody(reply);
  if (c.entries === undefined) return [];
  const problems: Problem[] = [];
  let body: {
    FailedEntryCount?: unknown;
    Entries?: { EventId?: string; ErrorCode?: string }[];
    Unmatched?: number[];
    Deliveries?: {
      entry: number;
      ok: boolean;
      error?: string;
      result?: { outcome?: string; code?: string };
    }[];
  };
  try {
    body = JSON.parse(reply.text);
  } catch {
    return [{ kind: 'PutEvents answer not JSON', detail: reply.text.slice(0, 300) }];
  }
  const entries = body.Entries ?? [];
  if (entries.length !== c.entries.length) {
    problems.push({
      kind: 'PutEvents answered for a different number of entries',
      detail: reply.text.slice(0, 300),
    });
  }
  for (const [i, plan] of c.entries.entries()) {
    const failed = entries[i]?.ErrorCode !== undefined;
    const isUnmatched = body.Unmatched?.includes(i) === true;
    if (failed) tally.count(`event entry ${entries[i]?.ErrorCode}`);
    else if (isUnmatched) tally.count('event unmatched');
    const got = failed ? 'malformed' : isUnmatched ? 'unmatched' : 'delivered';
    if (got !== plan.expect) {
      problems.push({
        kind: `${plan.what}: ${got}, expected ${plan.expect}`,
        detail: JSON.stringify(plan.entry).slice(0, 300),
      });
    }
  }
  for (const delivery of body.Deliveries ?? []) {
    const plan = c.entries[delivery.entry];
    if (!delivery.ok) {
      problems.push({
        kind: `delivery failed (the handler threw): ${String(delivery.error).slice(0, 120)}`,
        detail: JSON.stringify(plan?.entry).slice(0, 300),
      });
      continue;
    }
    const outcome = delivery.result?.outcome;
    const code = delivery.result?.code ?? '';
    tally.count(`event ${outcome} ${code}`.trim());
    if (outcome !== 'rejected') {
      problems.push({
        kind: `event that should be refused was ${outcome}`,
        detail: JSON.stringify(plan?.entry).slice(0, 300),
      });
    } else if (DOCUMENTED_CODES[code] === undefined) {
      problems.push({
        kind: `event refused with undocumented code ${code}`,
        detail: JSON.stringify(delivery.result),
      });
    }
  }
  return problems;
};

// ------------------------------------------------------------------------------------------- the gateway

const PUBLIC = new Set([
  '/health',
  '/openapi.json',
  '/.well-known/jwks.json',
  '/local/token',
  '/local/events',
  '/',
]);

/** Unknown routes, known paths with a method they do not have, and invalid token requests. */
const gatewayArbitrary = (): fc.Arbitrary<Case> => {
  const methods = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'] as const;
  const words = fc.constantFrom(
    'deals',
    'coupons',
    'galas',
    'me',
    'streams',
    'price-drops',
    'live',
    'cues',
    'claims',
    'local',
    'events',
    'token',
    'x',
    'schedules2',
  );
  const segment = fc.oneof(
    { weight: 4, arbitrary: words },
    { weight: 2, arbitrary: fc.ulid() },
    { weight: 2, arbitrary: oddSegment },
    { weight: 1, arbitrary: wireOf(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 })) },
  );
  const normalized = (target: string): string | undefined => {
    try {
      return new URL(target, 'http://localhost').pathname;
    } catch {
      return undefined;
    }
  };
  const unknownRoute = fc
    .tuple(
      fc.constantFrom(...methods),
      fc.array(segment, { minLength: 1, maxLength: 5 }),
      badAuth(fixture, ['viewer', 'host', 'checkout', 'admin']),
    )
    .map(([method, segments, auth]) => ({ method, target: `/${segments.join('/')}`, auth }))
    .filter(({ target }) => {
      const path = normalized(target);
      return path === undefined || (!PUBLIC.has(path) && !path.startsWith('/schedules/'));
    })
    .map(({ method, target, auth }) => ({
      request: {
        method,
        target,
        headers: (auth.header === undefined ? {} : { authorization: auth.header }) as Record<string, string>,
        breaks: ['no such route'],
        authLabel: auth.label,
      },
    }));
  const templates = new Map<string, Set<string>>();
  for (const { trigger } of httpRoutes()) {
    templates.set(trigger.path, (templates.get(trigger.path) ?? new Set()).add(trigger.method));
  }
  const ids: Record<string, string> = {
    dealId: fixture.deals.live.dealId,
    streamId: fixture.deals.live.streamId,
    code: fixture.coupons.held.code,
    galaId: fixture.galaId,
    dropId: fixture.drops.scheduled,
  };
  const wrongMethod = fc
    .constantFrom(...templates.keys())
    .chain((template) =>
      fc.record({
        template: fc.constant(template),
        method: fc.constantFrom(...methods.filter((m) => !templates.get(template)?.has(m))),
        auth: goodAuth(fixture, ['viewer-1', 'host-1', 'checkout-1', 'admin-1']),
      }),
    )
    .map(({ template, method, auth }) => ({
      request: {
        method,
        target: template.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? name),
        headers: { authorization: auth.header ?? '' },
        breaks: [`no ${method} route`],
        authLabel: auth.label,
      },
    }));
  const token = fc
    .tuple(
      tokenRequestSchema.valid.chain((valid) =>
        bodyBreak(tokenRequestSchema, valid)
          // The token endpoint reads bodies up to the gateway's 1 MiB, not the functions' 16 KiB.
          .filter((b) => !b.what.includes('-byte body')),
      ),
      reach({ origins: true }),
    )
    .map(([b, who]) => {
      const contentType = b.media ? b.media.contentType : 'application/json';
      // Who asks is checked first, then the media type, then the body.
      const expectStatus = who.refused !== undefined ? 403 : b.media ? 415 : undefined;
      return {
        ...(expectStatus === undefined ? {} : { expectStatus }),
        request: {
          method: 'POST',
          target: '/local/token',
          headers: {
            ...(contentType === undefined ? {} : { 'content-type': contentType }),
            ...who.headers,
          },
          body: bodyBytes(b.body),
          breaks: [b.what, ...(who.refused ? [who.refused] : [])],
          authLabel: '(none)',
        },
      };
    });
  // Any path, even a valid request of a valid token, addressed to a name a page could rebind to 127.0.0.1.
  const rebound = fc
    .tuple(
      fc.oneof(
        fc
          .constantFrom(...templates.keys())
          .map((t) => t.replace(/\{(\w+)\}/g, (_, n: string) => ids[n] ?? n)),
        fc.constantFrom(...PUBLIC),
      ),
      goodAuth(fixture, ['viewer-1', 'host-1', 'checkout-1', 'admin-1']),
      reach({ origins: false }).filter((who) => who.refused !== undefined),
      fc.constantFrom('GET', 'POST', 'DELETE'),
    )
    .map(([target, auth, who, method]) => ({
      expectStatus: 403,
      request: {
        method,
        target,
        headers: { authorization: auth.header ?? '', ...who.headers },
        breaks: [who.refused ?? ''],
        authLabel: auth.label,
      },
    }));
  // A target starting with `//` reads as scheme-relative `//host/path`: some hosts are not valid URL hosts.
  const schemeRelative = fc
    .tuple(
      fc.oneof(
        printable(1, 24).filter((s) => !s.includes('/')),
        fc.constantFrom('x:y', 'a:b@c', '[', '[::1', 'h:99999', '%zz', 'deals:1', '@', ':'),
      ),
      fc.constantFrom('', '/deals', '/me/coupons'),
      badAuth(fixture, ['viewer', 'host', 'checkout', 'admin']),
    )
    .map(([authority, path, auth]) => ({
      request: {
        method: 'GET',
        target: `//${authority}${path}`,
        headers: (auth.header === undefined ? {} : { authorization: auth.header }) as Record<string, string>,
        breaks: ['scheme-relative target'],
        authLabel: auth.label,
      },
    }));
  return fc.oneof(
    { weight: 20, arbitrary: unknownRoute },
    { weight: 10, arbitrary: wrongMethod },
    { weight: 15, arbitrary: token },
    { weight: 4, arbitrary: rebound },
    { weight: 1, arbitrary: schemeRelative },
  );
};

/**
 * The AWS APIs the runtime answers for its own functions' SDK clients (Scheduler CreateSchedule /
 * DeleteSchedule at /schedules/{name}, EventBridge PutEvents at POST / with x-amz-target). They need no
 * token, so the gateway refuses them to other origins (403) and to media types a page may send (415), in
 * its own error shape; what they refuse themselves they answer in AWS's shape (x-amzn-errortype), as the SDK
 * expects. A schedule may invoke only the price-drop function, as the schedules' role in AWS; a malformed
 * one that fires is refused by that function and changes nothing.
 */
const localAwsArbitrary = (): fc.Arbitrary<Case> => {
  const name = fc.oneof(
    printable(1, 40).map(encodeURIComponent),
    // Not a dot segment, percent-encoded or not: it would re-route the request away from /schedules/.
    oddSegment.filter((s) => s !== '' && !/^(?:\.|%2e){1,2}$/i.test(s)),
  );
  const junkScheduleBody = fc.oneof(
    fc.constantFrom('', '{', 'null', '[]', '"x"', '{}', '{"ScheduleExpression":"rate(1 minute)"}'),
    fc.jsonValue({ maxDepth: 2 }).map((v) => jsonText(v)),
    fc
      .record({
        ScheduleExpression: fc.oneof(fc.constant('at(2020-01-01T00:00:00)'), fc.string()),
        Target: fc.oneof(fc.constant<unknown>(null), fc.record({ Arn: fc.string(), Input: fc.string() })),
      })
      .map((v) => jsonText(v)),
  );
  const arnOf = (fn: string) => `arn:aws:lambda:local:000000000000:function:${fn}`;
  const dropInput = { galaId: fixture.galaId, dropId: fixture.drops.scheduled };
  // Due now, so it fires during the run: every one names nothing the price-drop function may apply.
  const firingNow = (input: string) =>
    jsonText({
      GroupName: GALA_DROP_SCHEDULE_GROUP,
      ScheduleExpression: 'at(2020-01-01T00:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      Target: { Arn: arnOf(GALA_DROP_TARGET), Input: input },
    });
  const badDropInput = fc.oneof(
    fc.constantFrom('{}', 'null', '5', '[]', '"x"', jsonText({ galaId: fixture.galaId })),
    fc.jsonValue({ maxDepth: 2 }).map((v) => jsonText(v)),
    unknownId().map((dropId) => jsonText({ galaId: fixture.galaId, dropId })),
    otherThan(fixture.galaId).map((galaId) => jsonText({ ...dropInput, galaId })),
    fc.constant(jsonText({ ...dropInput, dropId: fixture.drops.cancelled })),
    badIdentifier(128).map((galaId) => jsonText({ ...dropInput, galaId })),
  );
  const otherTargets = FUNCTIONS.map((fn) => fn.name).filter((fn) => fn !== GALA_DROP_TARGET);
  type Call = { method: string; path: string; type?: string; body?: string; what: string; expect?: number };
  const call = fc.oneof(
    fc.tuple(name, junkScheduleBody).map(
      ([n, body]): Call => ({
        method: 'POST',
        path: `/schedules/${n}`,
        type: 'application/json',
        body,
        what: 'invalid CreateSchedule',
      }),
    ),
    fc.tuple(fc.uuid(), fc.constantFrom(...otherTargets)).map(
      ([n, fn]): Call => ({
        method: 'POST',
        path: `/schedules/fuzz-${n}`,
        type: 'application/json',
        body: jsonText({
          ScheduleExpression: 'at(2020-01-01T00:00:00)',
          Target: { Arn: arnOf(fn), Input: jsonText(dropInput) },
        }),
        what: `a schedule of ${fn}`,
        expect: 400,
      }),
    ),
    fc.tuple(fc.uuid(), badDropInput).map(
      ([n, input]): Call => ({
        method: 'POST',
        path: `/schedules/fuzz-${n}`,
        type: 'application/json',
        body: firingNow(input),
        what: `a price drop firing now with input ${input.slice(0, 60)}`,
        expect: 200,
      }),
    ),
    name.map(
      (n): Call => ({
        method: 'DELETE',
        path: `/schedules/${n}?groupName=no-such-group`,
        what: 'DeleteSchedule of nothing',
      }),
    ),
    fc
      .oneof(
        fc.constantFrom('null', '{"Entries":[]}', '{}', '[]', '{', '1', '{"Entries":"x"}'),
        fc.jsonValue({ maxDepth: 2 }).map((v) => jsonText(v)),
      )
      .map(
        (body): Call => ({
          method: 'POST',
          path: '/',
          type: 'application/x-amz-json-1.1',
          body,
          what: 'invalid PutEvents',
        }),
      ),
  );
  // The SDK's own media types only: anything a page could send without a preflight is refused.
  const media = fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<string | null>(
        null,
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
      ),
    },
  );
  return fc.tuple(call, reach({ origins: true }), media).map(([c, who, override]) => {
    const withBody = c.body !== undefined;
    const badMedia = withBody && override !== undefined;
    const type = override === undefined ? c.type : (override ?? undefined);
    // A target Node cannot parse (raw bytes beyond ASCII) or over the header limit is refused (400, 431)
    // before anyone looks at who asks; any documented 4xx is right for it then.
    const parsable = /^[\x21-\x7e]*$/.test(c.path) && c.path.length < 8_000;
    const expectStatus = !parsable ? undefined : who.refused !== undefined ? 403 : badMedia ? 415 : c.expect;
    return {
      ...(expectStatus === undefined ? {} : { expectStatus }),
      request: {
        method: c.method,
        target: c.path,
        headers: {
          ...(c.path === '/' ? { 'x-amz-target': 'AWSEvents.PutEvents' } : {}),
          ...(type === undefined ? {} : { 'content-type': type }),
          ...who.headers,
        },
        ...(withBody ? { body: Buffer.from(c.body as string) } : {}),
        breaks: [
          c.what,
          ...(who.refused ? [who.refused] : []),
          ...(badMedia ? [`content-type ${type}`] : []),
        ],
        authLabel: '(none)',
      },
    };
  });
};

/** No 5xx; the gateway's own refusals in its error shape, the stand-ins' in AWS's (x-amzn-errortype). */
const judgeLocalAws = (_: Case, reply: FuzzReply): Problem[] => {
  if (reply.failure) return [{ kind: 'no answer', detail: reply.failure }];
  if (reply.status >= 500) return [{ kind: `${reply.status}`, detail: reply.text.slice(0, 300) }];
  if (reply.status < 400) return [];
  if (reply.headers['x-amzn-errortype'] !== undefined) {
    return reply.status === 400 || reply.status === 404 || reply.status === 409
      ? []
      : [{ kind: `AWS-shaped ${reply.status}`, detail: reply.text.slice(0, 300) }];
  }
  return judgeErrorBody(reply);
};

// ------------------------------------------------------------------------------------- known triggers

/** A request as a fuzz case, for the examples below. */
const example = (
  request: Partial<FuzzRequest> & Pick<FuzzRequest, 'method' | 'target'>,
  expectStatus?: number,
): Case => ({
  request: { headers: {}, breaks: ['known trigger'], authLabel: '(none)', ...request },
  ...(expectStatus === undefined ? {} : { expectStatus }),
});

/** The unauthenticated stand-ins as a page of another site would call them, and as a rebound host name. */
const crossSite = (
  method: string,
  target: string,
  headers: Record<string, string>,
  body?: string,
): Case[] => {
  const request = { method, target, ...(body === undefined ? {} : { body: Buffer.from(body) }) };
  return [
    // The preflight a page would need first: refused like any unknown route, and without CORS headers.
    example(
      {
        method: 'OPTIONS',
        target,
        headers: {
          origin: 'https://evil.example',
          'access-control-request-method': method,
          'access-control-request-headers': 'content-type',
        },
      },
      404,
    ),
    example({ ...request, headers: { ...headers, origin: 'https://evil.example' } }, 403),
    example({ ...request, headers: { ...headers, host: 'rebound.evil.example:3000' } }, 403),
    ...(body === undefined
      ? []
      : [example({ ...request, headers: { ...headers, 'content-type': 'text/plain' } }, 415)]),
  ];
};
const as = (principal: Principal) => ({
  headers: { authorization: `Bearer ${fixture.tokens[principal]}` },
  authLabel: `Bearer <${principal}>`,
});

/**
 * Requests that showed a problem in an earlier run: every run sends them first (fast-check `examples`), so
 * each stays fixed once fixed. Per family; every wiring route also gets the gateway's framing cases.
 */
const EXAMPLES: Record<string, () => Case[]> = {
  'GET /deals/{dealId}': () => [
    // Raw UTF-8 bytes in the path (as curl sends an unencoded path): Node's parser answers 400 with no body.
    example({ method: 'GET', target: `/deals/${Buffer.from('é').toString('latin1')}`, ...as('viewer-1') }),
    // A request line over Node's 16 KiB header limit: 431 with no body.
    example({ method: 'GET', target: `/deals/${'A'.repeat(17_000)}`, ...as('viewer-1') }),
  ],
  'GET /me/coupons': () => [
    // An unknown query parameter named __proto__: the runtime's event builder drops it (plain-object
    // assignment), so the strict query schema never sees it; in AWS the event is parsed JSON and it is refused.
    example({ method: 'GET', target: '/me/coupons?__proto__=1', ...as('viewer-1') }),
    // A cursor naming the right viewer but not a whole key: the store refuses the start key.
    example({
      method: 'GET',
      target: `/me/coupons?cursor=${Buffer.from('{"GSI1PK":"VIEWER#viewer-1"}').toString('base64url')}`,
      ...as('viewer-1'),
    }),
    example({
      method: 'GET',
      target: `/me/coupons?cursor=${Buffer.from('{"PK":"","SK":"","GSI1PK":"VIEWER#viewer-1","GSI1SK":""}').toString('base64url')}`,
      ...as('viewer-1'),
    }),
  ],
  gateway: () => [
    // Refused by Node's parser (raw bytes, a request line over the limit): no body may follow an answer to HEAD.
    example({ method: 'HEAD', target: `/deals/${Buffer.from('é').toString('latin1')}` }),
    example({ method: 'HEAD', target: `/deals/${'A'.repeat(10_300)}` }, 431),
    ...crossSite(
      'POST',
      '/local/token',
      { 'content-type': 'application/json' },
      '{"sub":"x","role":"admin"}',
    ),
    // Request line and headers over API Gateway's 10 KiB (Node's own limit is 16 KiB).
    example({ method: 'GET', target: `/deals/${'A'.repeat(10_300)}` }, 431),
    // Scheme-relative targets whose "host" is not a valid URL host: new URL() throws outside serve's try.
    example({ method: 'GET', target: '//x:y' }),
    example({ method: 'GET', target: '//[/deals' }),
  ],
  'local AWS APIs': () => [
    ...crossSite(
      'POST',
      '/',
      { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1' },
      '{"Entries":[]}',
    ),
    ...crossSite('DELETE', '/schedules/x?groupName=livedrop-gala-drops', {}),
    // A schedule of any function but the price drop's: the schedules' role may invoke only that one.
    ...FUNCTIONS.filter((fn) => fn.name !== GALA_DROP_TARGET).map((fn) =>
      example(
        {
          method: 'POST',
          target: `/schedules/fuzz-example-${fn.name}`,
          headers: { 'content-type': 'application/json' },
          body: Buffer.from(
            JSON.stringify({
              ScheduleExpression: 'at(2020-01-01T00:00:00)',
              Target: { Arn: `arn:aws:lambda:local:000000000000:function:${fn.name}`, Input: '{}' },
            }),
          ),
        },
        400,
      ),
    ),
    example({ method: 'DELETE', target: '/schedules/%' }),
    example({
      method: 'POST',
      target: '/schedules/x',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{'),
    }),
    ...['null', '{"Entries":[]}', '{"Entries":"x"}'].map((body) =>
      example({
        method: 'POST',
        target: '/',
        headers: { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1' },
        body: Buffer.from(body),
      }),
    ),
  ],
};

/** Entries and requests of /local/events whose answer an earlier run got wrong or that crashed the bus. */
const eventExamples = (): EventsCase[] => {
  const ivs = (extra: Record<string, unknown>) => ({
    Source: 'aws.ivs',
    DetailType: 'IVS Stream State Change',
    Detail: JSON.stringify({ event_name: 'Stream End', channel_name: '' }),
    ...extra,
  });
  const one = (
    entry: Record<string, unknown>,
    expect: EntryPlan['expect'],
    what: string,
    headers: Record<string, string> = { 'content-type': 'application/json' },
    expectStatus = 200,
  ): EventsCase => ({
    ...(expectStatus === 200 ? { entries: [{ entry, expect, what }] } : {}),
    wait: true,
    expectStatus,
    request: {
      method: 'POST',
      target: '/local/events?wait=true',
      headers,
      body: Buffer.from(JSON.stringify({ Entries: [entry] })),
      breaks: ['known trigger', what],
      authLabel: '(none)',
    },
  });
  return [
    // Resources String() cannot convert: once a crash of the bus, now a refused entry.
    one(ivs({ Resources: [{ toString: 1 }] }), 'malformed', 'Resources [{"toString":1}]'),
    // Time as the AWS SDK writes a Date (epoch seconds): delivered, then refused by the handler.
    one(ivs({ Time: 1_735_689_600 }), 'delivered', 'Time in epoch seconds'),
    // Date.parse reads "1" as the year 2001: not an ISO 8601 instant.
    one(ivs({ Time: '1' }), 'malformed', 'Time "1"'),
    // What a page of another site may send without a CORS preflight.
    one(ivs({}), 'delivered', 'text/plain', { 'content-type': 'text/plain' }, 415),
    one(
      ivs({}),
      'delivered',
      'a page of another origin',
      { 'content-type': 'application/json', origin: 'https://evil.example' },
      403,
    ),
    one(
      ivs({}),
      'delivered',
      'a rebound host name',
      { 'content-type': 'application/json', host: 'evil.example:3000' },
      403,
    ),
  ];
};

// ------------------------------------------------------------------------------------------------ tests

describe('fuzzing the local runtime: refused requests answer a documented 4xx and change nothing', () => {
  it('has a fuzz plan for every HTTP route of the wiring and an event family for every rule', () => {
    const routes = httpRoutes().map(({ trigger }) => `${trigger.method} ${trigger.path}`);
    expect(routes.filter((route) => PLANS[route] === undefined)).toEqual([]);
    expect(
      eventRules()
        .map(({ trigger }) => trigger.id)
        .sort(),
    ).toEqual(['DealCueRule', 'IvsStreamEndRule']);
  });

  it('listens on the loopback interface only: no other address of this machine reaches it', async () => {
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

  for (const { trigger } of httpRoutes()) {
    const routeKey = `${trigger.method} ${trigger.path}`;
    it(
      routeKey,
      async () => {
        const plan = (PLANS[routeKey] as () => RoutePlan)();
        const arbitrary = routeArbitrary(trigger.method, trigger.path, {
          ...plan,
          readsBody: plan.readsBody ?? BODY_ROUTES.has(routeKey),
        });
        const documented = fixture.documentedStatuses.get(routeKey);
        await fuzz(routeKey, arbitrary, (c, reply) => judgeRouteReply(c.request, reply, documented), {
          examples: EXAMPLES[routeKey]?.() ?? [],
        });
      },
      timeoutOf(routeKey),
    );
  }

  it(
    'POST /local/events (Deal Cue and IVS Stream End entries)',
    async () => {
      await fuzz('POST /local/events', eventsArbitrary(), judgeEvents, {
        timeoutMs: EVENTS_TIMEOUT_MS,
        settleMs: 3_500,
        examples: eventExamples(),
      });
    },
    timeoutOf('POST /local/events'),
  );

  it(
    'the gateway: unknown routes, methods a path lacks, invalid token requests',
    async () => {
      await fuzz('gateway', gatewayArbitrary(), (c, reply) => judgeRouteReply(c.request, reply), {
        examples: EXAMPLES.gateway?.() ?? [],
      });
    },
    timeoutOf('gateway'),
  );

  it(
    "the runtime's local AWS APIs (Scheduler, PutEvents): no 5xx, nothing changed",
    async () => {
      await fuzz('local AWS APIs', localAwsArbitrary(), judgeLocalAws, {
        // Schedules that fired are retried after 1 s and 2 s before they are dropped.
        settleMs: 3_500,
        examples: EXAMPLES['local AWS APIs']?.() ?? [],
      });
      // Pending ones are the fixture's drop and future ones of the drop function: nothing else was taken.
      const targets = new Set(fixture.runtime.scheduler.list().map((schedule) => schedule.target));
      expect([...targets].filter((target) => target !== GALA_DROP_TARGET)).toEqual([]);
    },
    timeoutOf('local AWS APIs'),
  );
});
