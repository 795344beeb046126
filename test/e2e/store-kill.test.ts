import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClaimCouponHandler } from '../../functions/claim-coupon/app.js';
import { FUNCTIONS } from '../../functions/shared/contract/wiring.js';
import { createDocumentClient } from '../../functions/shared/data/client.js';
import { createStore } from '../../functions/shared/data/store.js';
import { normalizeCode } from '../../functions/shared/domain/code.js';
import type { HttpHandler } from '../../functions/shared/http/http-handler.js';
import { productionDeps } from '../../functions/shared/runtime.js';
import { claim } from '../../functions/shared/use-cases/claim.js';
import { createDeal } from '../../functions/shared/use-cases/create-deal.js';
import { cue } from '../../functions/shared/use-cases/cue.js';
import { DEFAULT_ENGINE_OPTIONS, Engine } from '../../functions/shared/use-cases/engine.js';
import { TestClock } from '../support/clock.js';
import { dealInput, HOST_ID, hostActor } from '../support/fixtures.js';
import { asCaller, dealEvent, withHeader } from '../support/http-events.js';
import { freePort, type StoreProcess, startStoreProcess } from '../support/store-process.js';
import { lambdaContext, silentLogger } from '../unit/http/support.js';

/**
 * The embedded store killed with SIGKILL mid-spike and started again on the same data directory and port.
 * The store is its own process (`bin/store.ts`, as `npm run store` runs it); the claim handler and the engine
 * run here, as two warm Lambda containers talking to it over HTTP. Viewers retry every 503 with the same
 * Idempotency-Key after the Retry-After it names. Afterwards the sweep reconciles, and the table itself
 * (scanned, not the engine's figures) must show: stock = available + held + redeemed, every coupon a viewer
 * was given still there and theirs, nobody above the limit, every ticket settled.
 */

const VIEWERS = 400;
const STOCK = 200;
const SHARDS = 4;
/** The store dies once this many coupons were handed out: mid-spike, with claims in every step. */
const KILL_AFTER_GIVEN = 50;
const MAX_ATTEMPTS = 40;
const MAX_IN_PROGRESS = 3;
const CLAIM_GRACE_MS = DEFAULT_ENGINE_OPTIONS.claimGraceMs;

let dataDir: string;
let port: number;
let storeProcess: StoreProcess;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'livedrop-store-kill-'));
  port = await freePort();
  storeProcess = await startStoreProcess(dataDir, port);
});

afterAll(async () => {
  await storeProcess?.kill();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  retryAfter: string | null;
  code?: string;
  body: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every item of the table, read straight from the store. */
const scanAll = async (client: ReturnType<typeof createDocumentClient>) => {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page: ScanCommandOutput = await client.send(
      new ScanCommand({ TableName: 'livedrop', ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
};

describe('the store killed with SIGKILL mid-spike', () => {
  it('answers 503 with Retry-After while it is down, loses no coupon it handed out, and reconcile restores the invariant', async () => {
    const clock = new TestClock();
    const endpoint = storeProcess.endpoint;
    // Two warm containers, each with its own client, as Lambda would run them.
    const containers = [0, 1].map(() => {
      const client = createDocumentClient({ endpoint, maxSockets: 128 });
      const engine = new Engine({
        store: createStore(client, 'livedrop'),
        clock,
        logger: { error: () => {} },
        options: { claimGraceMs: CLAIM_GRACE_MS, replayWaitMs: 300 },
      });
      return { client, engine, claim: createClaimCouponHandler({ engine, logger: silentLogger() }) };
    });
    const [main] = containers as [(typeof containers)[number], ...typeof containers];
    const deal = await main.engine.createDeal(
      dealInput({ stock: STOCK, shards: SHARDS, perViewerLimit: 1, claimTtlSeconds: 3_600 }),
      HOST_ID,
    );
    await main.engine.cue(deal.dealId, { action: 'start' }, hostActor);

    const given = new Map<string, string>();
    const statuses = new Map<string, number>();
    const outageAnswers: Answer[] = [];
    const serverErrors: Answer[] = [];
    let attempts = 0;
    let phase: 'before' | 'down' | 'restarting' | 'after' = 'before';

    const claimOnce = async (claim: HttpHandler, viewerId: string, key: string): Promise<Answer> => {
      attempts++;
      const event = withHeader(
        asCaller(dealEvent('claim-coupon.valid', deal.dealId), viewerId),
        'idempotency-key',
        key,
      );
      const response = await claim(event, lambdaContext());
      const body = JSON.parse(response.body ?? '{}') as Record<string, unknown>;
      const answer: Answer = {
        status: response.statusCode ?? 0,
        retryAfter: response.headers?.['retry-after']?.toString() ?? null,
        body,
      };
      const code = (body.error as { code?: string } | undefined)?.code;
      if (code !== undefined) answer.code = code;
      const label = `${answer.status}${code ? ` ${code}` : ''}`;
      statuses.set(label, (statuses.get(label) ?? 0) + 1);
      if (phase === 'down' || phase === 'restarting') outageAnswers.push(answer);
      if (answer.status >= 500) serverErrors.push(answer);
      return answer;
    };

    /** One viewer's tap, retried like a client would: 503 after Retry-After, CLAIM_IN_PROGRESS shortly. */
    const viewer = async (v: number): Promise<'coupon' | 'refused' | 'undecided'> => {
      const viewerId = `viewer-${v}`;
      let inProgress = 0;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const { claim } = containers[(v + attempt) % containers.length] as (typeof containers)[number];
        const answer = await claimOnce(claim, viewerId, `tap-${v}`);
        if (answer.status === 200 || answer.status === 201) {
          // Stored without the dashes it is shown with.
          const code = normalizeCode(answer.body.code as string) as string;
          const before = given.get(viewerId);
          // The same key must always name the same coupon.
          if (before !== undefined) expect(code).toBe(before);
          given.set(viewerId, code);
          if (given.size === KILL_AFTER_GIVEN) void killAndRestart();
          return 'coupon';
        }
        if (answer.code === 'SOLD_OUT' || answer.code === 'LIMIT_REACHED') return 'refused';
        if (answer.status === 503) {
          await sleep(Number(answer.retryAfter ?? '1') * 1000 * (0.5 + Math.random()));
        } else if (answer.code === 'CLAIM_IN_PROGRESS') {
          // An attempt the outage cut short holds the key until the claim grace has passed; the client
          // gives up for now and comes back later.
          if (++inProgress >= MAX_IN_PROGRESS) return 'undecided';
          await sleep(100 + Math.random() * 200);
        } else {
          return 'undecided';
        }
      }
      return 'undecided';
    };

    // Once enough coupons went out: SIGKILL, a short outage, then the same store on the same data and port.
    let killer: Promise<void> | undefined;
    let givenAtKill = 0;
    const killAndRestart = () => {
      killer ??= (async () => {
        phase = 'down';
        givenAtKill = given.size;
        await storeProcess.kill();
        await sleep(500);
        phase = 'restarting';
        storeProcess = await startStoreProcess(dataDir, port);
        phase = 'after';
      })();
      return killer;
    };

    const outcomes = await Promise.all(
      Array.from({ length: VIEWERS }, async (_, v) => {
        // Viewers arrive over about two seconds, as a rush reaches the API.
        await sleep(Math.random() * 2_000);
        return viewer(v);
      }),
    );
    expect(killer, 'the store was never killed').toBeDefined();
    await killer;

    const givenInSpike = given.size;

    // Time passes beyond the claim grace and the sweep reconciles, as the schedule runs it: units that claims
    // cut short by the outage had taken (no coupon, or a ticket only) go back on sale.
    const sweepRounds = async () => {
      for (let round = 0; round < 3; round++) {
        clock.advance(CLAIM_GRACE_MS + 1);
        await main.engine.sweep();
      }
    };
    await sweepRounds();
    const backOnSale = (await main.engine.getDeal(deal.dealId)).available;

    // Every viewer without a coupon taps again with the same key (the overlay shows stock again). Attempts
    // the outage cut short are past the grace now, so the engine voids them and runs new ones.
    const late = await Promise.all(
      outcomes.map(async (outcome, v) => (outcome === 'coupon' ? outcome : viewer(v))),
    );
    await sweepRounds();

    const items = await scanAll(main.client);
    const ofDeal = items.filter((item) => item.dealId === deal.dealId);
    const shards = ofDeal.filter((item) => item.type === 'SHARD');
    const coupons = ofDeal.filter((item) => item.type === 'COUPON');
    const tickets = ofDeal.filter((item) => item.type === 'TICKET');
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const stock = sum(shards.map((shard) => shard.added as number));
    const available = sum(shards.map((shard) => shard.available as number));
    const held = coupons.filter((coupon) => coupon.status === 'ISSUED').length;
    const redeemed = coupons.filter((coupon) => coupon.status === 'REDEEMED').length;
    const figures = await main.engine.getDeal(deal.dealId);

    console.info(
      [
        `store killed after ${givenAtKill} coupons; ${attempts} claim requests from ${VIEWERS} viewers`,
        `answers: ${JSON.stringify(Object.fromEntries(statuses))}`,
        `during the outage: ${outageAnswers.length} answers, statuses ${JSON.stringify(
          Object.fromEntries(
            [...new Set(outageAnswers.map((a) => a.status))].map((s) => [
              s,
              outageAnswers.filter((a) => a.status === s).length,
            ]),
          ),
        )}`,
        `spike: ${givenInSpike} coupons given, ${outcomes.filter((o) => o === 'undecided').length} viewers left waiting on a cut-short attempt; after reconcile ${backOnSale} units on sale`,
        `second wave: ${given.size} coupons given in all, ${late.filter((o) => o === 'refused').length} refused, ${late.filter((o) => o === 'undecided').length} undecided`,
        `table: stock ${stock} = available ${available} + held ${held} + redeemed ${redeemed}; ${tickets.length} tickets; engine figures ${figures.stock} = ${figures.available} + ${figures.held} + ${figures.redeemed}`,
      ].join('\n'),
    );

    // While the store was down, clients were told to come back: 503 with Retry-After, never a 500.
    expect(serverErrors.length).toBeGreaterThan(0);
    for (const answer of serverErrors) {
      expect(answer.status).toBe(503);
      expect(answer.retryAfter).toMatch(/^\d+$/);
      expect(answer.code).toBe('SERVICE_UNAVAILABLE');
    }
    expect(late.filter((o) => o === 'undecided')).toEqual([]);

    // The invariant, from the table itself, and the engine's figures (which count through an index) agree.
    expect(stock).toBe(STOCK);
    expect(available + held + redeemed).toBe(stock);
    expect({ ...figures }).toMatchObject({ stock, available, held, redeemed });

    // Every coupon a viewer was given still exists, is theirs and live; nobody holds more than the limit.
    const byCode = new Map(coupons.map((coupon) => [coupon.code as string, coupon]));
    for (const [viewerId, code] of given) {
      expect(byCode.get(code), `coupon ${code} of ${viewerId}`).toMatchObject({ viewerId, status: 'ISSUED' });
    }
    const liveByViewer = new Map<string, number>();
    for (const coupon of coupons.filter((c) => c.status === 'ISSUED' || c.status === 'REDEEMED')) {
      const viewerId = coupon.viewerId as string;
      liveByViewer.set(viewerId, (liveByViewer.get(viewerId) ?? 0) + 1);
    }
    expect(Math.max(0, ...liveByViewer.values())).toBeLessThanOrEqual(deal.perViewerLimit);
    // A coupon nobody was told about would be a unit held for nothing; and no unit was lost: all were sold.
    expect(held).toBe(given.size);
    expect(given.size).toBe(STOCK);

    // Every ticket is settled: owned by a live coupon of its own unit, or its unit went back.
    for (const shard of shards) expect(shard.checkedThrough).toBe(shard.issued);
    for (const ticket of tickets) {
      if (ticket.state === 'RETURNED') continue;
      expect(ticket.state).toBe('CLAIMED');
      expect(byCode.get(ticket.code as string)).toMatchObject({ shard: ticket.shard, seq: ticket.seq });
    }
    for (const { client } of containers) client.destroy();
  });

  it('answers 503 with Retry-After within the claim function’s timeout while the store hangs', async () => {
    // The production wiring (config from the environment), as a deployed claim function builds it.
    const deps = productionDeps(
      { claim, createDeal, cue },
      {},
      {
        TABLE_NAME: 'livedrop',
        DYNAMODB_ENDPOINT: storeProcess.endpoint,
      },
    );
    const claimHandler = createClaimCouponHandler({ engine: deps.engine, logger: silentLogger() });
    const deal = await deps.engine.createDeal(dealInput({ stock: 5 }), HOST_ID);
    await deps.engine.cue(deal.dealId, { action: 'start' }, hostActor);
    const event = withHeader(
      asCaller(dealEvent('claim-coupon.valid', deal.dealId), 'patient-viewer'),
      'idempotency-key',
      'tap-hung',
    );
    const timeoutMs =
      (FUNCTIONS.find((declaration) => declaration.name === 'claim-coupon')?.timeoutSeconds ?? 0) * 1000;
    let timer: NodeJS.Timeout | undefined;
    // Lambda ends an invocation at its timeout and API Gateway then answers 500: the function must answer first.
    const lambdaTimeout = new Promise<'timed out'>((resolve) => {
      timer = setTimeout(() => resolve('timed out'), timeoutMs);
    });

    storeProcess.freeze();
    const answer = await Promise.race([claimHandler(event, lambdaContext()), lambdaTimeout]).finally(() => {
      clearTimeout(timer);
      storeProcess.thaw();
    });

    expect(answer).toMatchObject({ statusCode: 503, headers: { 'retry-after': '1' } });
    // Once the store answers again, the same key gets its coupon.
    const retried = await claimHandler(event, lambdaContext());
    expect([200, 201]).toContain(retried.statusCode);
  });
});
