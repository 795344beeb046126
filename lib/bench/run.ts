import { AsyncLocalStorage } from 'node:async_hooks';
import { cpus, totalmem } from 'node:os';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import * as hdr from 'hdr-histogram-js';
import type { createClaimCouponHandler as ClaimHandlerFactory } from '../../functions/claim-coupon/app.js';
import type { createDocumentClient as DocumentClientFactory } from '../../functions/shared/data/client.js';
import type { createStore as createStoreFn } from '../../functions/shared/data/store.js';
import type { Engine as EngineClass } from '../../functions/shared/use-cases/engine.js';
import { type EmbeddedStore, startEmbeddedStore } from '../local/embedded-store.js';
import { modelCapacity, type WriteCounts } from './capacity.js';
import type {
  BaselineResult,
  BenchResult,
  Check,
  ClaimRunResult,
  HttpResult,
  LatencySummary,
  NaiveResult,
  Target,
  TimelinePoint,
} from './result.js';

export interface BenchOptions {
  concurrency: number;
  stock: number;
  viewers: number;
  baselineOps: number;
  /** Lambda containers the claim path is spread over (each its own engine and caches). */
  containers: number;
  http: boolean;
  coldStart: boolean;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  concurrency: 64,
  stock: 5_000,
  viewers: 20_000,
  baselineOps: 6_000,
  containers: 4,
  http: true,
  coldStart: true,
};

/**
 * The engine and the claim handler, loaded by entry path like the local runtime loads functions (lib/ does
 * not import functions/ code): the very code Lambda runs.
 */
const loadEngine = async () => {
  const at = (path: string) => new URL(`../../functions/${path}`, import.meta.url).href;
  const [{ createClaimCouponHandler }, { createDocumentClient }, { createStore }, { Engine }] =
    await Promise.all([
      import(at('claim-coupon/app.ts')) as Promise<{ createClaimCouponHandler: typeof ClaimHandlerFactory }>,
      import(at('shared/data/client.ts')) as Promise<{ createDocumentClient: typeof DocumentClientFactory }>,
      import(at('shared/data/store.ts')) as Promise<{ createStore: typeof createStoreFn }>,
      import(at('shared/use-cases/engine.ts')) as Promise<{ Engine: typeof EngineClass }>,
    ]);
  return { createClaimCouponHandler, createDocumentClient, createStore, Engine };
};

const silentLogger = () => new Logger({ serviceName: 'livedrop-bench', logLevel: 'SILENT' });

const histogram = () =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });

type Histogram = ReturnType<typeof histogram>;

const summary = (h: Histogram): LatencySummary => ({
  p50Ms: h.getValueAtPercentile(50) / 1000,
  p95Ms: h.getValueAtPercentile(95) / 1000,
  p99Ms: h.getValueAtPercentile(99) / 1000,
  maxMs: h.maxValue / 1000,
});

/** Runs `count` tasks with at most `concurrency` in flight (a closed loop, like C clients). */
const pool = async (count: number, concurrency: number, task: (i: number) => Promise<void>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
};

const rawClient = (endpoint: string) =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler: { httpAgent: { keepAlive: true, maxSockets: 256 } as never },
    }),
  );

/** 1. The store's limit for one hot key here: single conditional updates of one item. */
const runBaseline = async (store: EmbeddedStore, options: BenchOptions): Promise<BaselineResult> => {
  const client = rawClient(store.endpoint);
  const Key = { PK: 'BENCH#baseline', SK: 'ITEM' };
  await client.send(new PutCommand({ TableName: store.tableName, Item: { ...Key, n: 0 } }));
  const latency = histogram();
  const started = performance.now();
  await pool(options.baselineOps, options.concurrency, async (i) => {
    const t = performance.now();
    await client.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key,
        UpdateExpression: 'ADD n :one',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
    latency.recordValue(Math.max(1, Math.round((performance.now() - t) * 1000)));
    if (i % 200 === 0) options.onProgress?.('baseline', i, options.baselineOps);
  });
  const durationMs = performance.now() - started;
  client.destroy();
  return {
    concurrency: options.concurrency,
    operations: options.baselineOps,
    durationMs,
    opsPerSecond: (options.baselineOps / durationMs) * 1000,
    latency: summary(latency),
  };
};

interface Attempt {
  viewerId: string;
  idempotencyKey?: string;
}

/** V viewers each claim once; 10% repeat with their Idempotency-Key, 5% claim again over the limit of 1. */
const attemptsFor = (viewers: number): Attempt[] => {
  const attempts: Attempt[] = [];
  for (let v = 0; v < viewers; v++) {
    const viewerId = `bench-viewer-${v}`;
    const keyed = v % 10 === 0;
    attempts.push(keyed ? { viewerId, idempotencyKey: `tap-${v}` } : { viewerId });
  }
  const extra: Attempt[] = [];
  for (let v = 0; v < viewers; v += 10)
    extra.push({ viewerId: `bench-viewer-${v}`, idempotencyKey: `tap-${v}` });
  for (let v = 5; v < viewers; v += 20) extra.push({ viewerId: `bench-viewer-${v}` });
  // Repeats arrive during the rush, spread through it, as impatient thumbs do.
  extra.forEach((attempt, i) => {
    attempts.splice(
      Math.min(attempts.length, (i + 1) * Math.floor(attempts.length / (extra.length + 1))),
      0,
      attempt,
    );
  });
  return attempts;
};

const claimEvent = (dealId: string, attempt: Attempt): APIGatewayProxyEventV2WithJWTAuthorizer =>
  ({
    version: '2.0',
    routeKey: 'POST /deals/{dealId}/claims',
    rawPath: `/deals/${dealId}/claims`,
    rawQueryString: '',
    headers: attempt.idempotencyKey === undefined ? {} : { 'idempotency-key': attempt.idempotencyKey },
    pathParameters: { dealId },
    isBase64Encoded: false,
    requestContext: {
      authorizer: {
        jwt: { claims: { sub: attempt.viewerId, scope: 'livedrop/viewer' }, scopes: ['livedrop/viewer'] },
      },
      http: {
        method: 'POST',
        path: `/deals/${dealId}/claims`,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'bench',
      },
      requestId: `bench-${attempt.viewerId}`,
      routeKey: 'POST /deals/{dealId}/claims',
      stage: '$default',
      timeEpoch: Date.now(),
    },
  }) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

const lambdaContext = { awsRequestId: 'bench', functionName: 'claim-coupon' } as Context;

/** Counts every command sent and, per attempt (AsyncLocalStorage), whether it reached the store at all. */
const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

const instrument = (
  client: DynamoDBDocumentClient,
  perAttempt: AsyncLocalStorage<{ calls: number; writes: number }>,
) => {
  const counts = { calls: 0, writesByKey: new Map<string, number>() };
  client.middlewareStack.add(
    (next, context) => (args) => {
      counts.calls++;
      const current = perAttempt.getStore();
      const input = args.input as { Key?: { PK?: string }; Item?: { PK?: string } };
      const command = context.commandName ?? '';
      if (current) {
        current.calls++;
        if (WRITE_COMMANDS.has(command)) current.writes++;
      }
      if (WRITE_COMMANDS.has(command)) {
        const pk = input.Key?.PK ?? input.Item?.PK;
        if (pk) counts.writesByKey.set(pk, (counts.writesByKey.get(pk) ?? 0) + 1);
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchCounter' },
  );
  return counts;
};

/** 2. The real claim handler, in-process, on one deal, spread over `containers` engines. */
const runClaims = async (
  store: EmbeddedStore,
  options: BenchOptions,
): Promise<{ result: ClaimRunResult; writes: WriteCounts; shards: number }> => {
  const { createClaimCouponHandler, createDocumentClient, createStore, Engine } = await loadEngine();
  const perAttempt = new AsyncLocalStorage<{ calls: number; writes: number }>();
  const client = createDocumentClient({ endpoint: store.endpoint, maxSockets: 256 });
  const counts = instrument(client, perAttempt);
  const dataStore = createStore(client, store.tableName);
  const engines = Array.from(
    { length: options.containers },
    () => new Engine({ store: dataStore, clock: { now: () => Date.now() }, logger: { error: () => {} } }),
  );
  const setup = engines[0] as EngineClass;
  const deal = await setup.createDeal(
    {
      title: 'Bench jacket',
      sku: 'BENCH-1',
      streamId: 'bench-stream',
      currency: 'EUR',
      listPrice: 10_000,
      dealPrice: 5_000,
      stock: options.stock,
      perViewerLimit: 1,
      claimTtlSeconds: 3_600,
    },
    'bench-host',
  );
  await setup.cue(
    deal.dealId,
    { action: 'start' },
    { sub: 'bench-host', scopes: new Set(['livedrop/host']) },
  );
  const shards = (await dataStore.getDeal(deal.dealId))?.shardCount ?? 0;
  const handlers = engines.map((engine) => createClaimCouponHandler({ engine, logger: silentLogger() }));
  const attempts = attemptsFor(options.viewers);
  counts.calls = 0;
  counts.writesByKey.clear();

  const latency = histogram();
  const grantedLatency = histogram();
  let afterSellOutWithWrites = 0;
  const couponsByViewer = new Map<string, Set<string>>();
  let successes = 0;
  let soldOut = 0;
  let limitReached = 0;
  let replays = 0;
  let otherErrors = 0;
  let soldOutAt: number | undefined;
  let lastSuccessAt = 0;
  let afterSellOutAttempts = 0;
  let afterSellOutWithStore = 0;
  const timeline: TimelinePoint[] = [];
  const started = performance.now();
  let lastSample = { at: started, successes: 0, answered: 0 };
  let answered = 0;
  const sampler = setInterval(() => {
    const now = performance.now();
    timeline.push({
      atMs: Math.round(now - started),
      perSecond: ((successes - lastSample.successes) / (now - lastSample.at)) * 1000,
      available: options.stock - successes,
    });
    lastSample = { at: now, successes, answered };
  }, 250);

  await pool(attempts.length, options.concurrency, async (i) => {
    const attempt = attempts[i] as Attempt;
    const handler = handlers[i % handlers.length] as (typeof handlers)[number];
    const startedAfterSellOut = soldOutAt !== undefined;
    const tracker = { calls: 0, writes: 0 };
    const t = performance.now();
    const response = await perAttempt.run(tracker, () =>
      handler(claimEvent(deal.dealId, attempt), lambdaContext),
    );
    const micros = Math.max(1, Math.round((performance.now() - t) * 1000));
    latency.recordValue(micros);
    if (response.statusCode === 201) grantedLatency.recordValue(micros);
    answered++;
    if (startedAfterSellOut) {
      afterSellOutAttempts++;
      if (tracker.calls > 0) afterSellOutWithStore++;
      if (tracker.writes > 0) afterSellOutWithWrites++;
    }
    const body = JSON.parse(response.body ?? '{}') as { code?: string; error?: { code: string } };
    if (response.statusCode === 201 || response.statusCode === 200) {
      const codes = couponsByViewer.get(attempt.viewerId) ?? new Set<string>();
      codes.add(body.code ?? '');
      couponsByViewer.set(attempt.viewerId, codes);
      if (response.statusCode === 201) {
        successes++;
        lastSuccessAt = performance.now();
      } else {
        replays++;
      }
    } else if (body.error?.code === 'SOLD_OUT') {
      soldOut++;
      soldOutAt ??= performance.now();
    } else if (body.error?.code === 'LIMIT_REACHED' || body.error?.code === 'CLAIM_IN_PROGRESS') {
      limitReached++;
    } else {
      otherErrors++;
    }
    if (i % 250 === 0) options.onProgress?.('claims', i, attempts.length);
  });
  clearInterval(sampler);
  const durationMs = performance.now() - started;

  const figures = await setup.getDeal(deal.dealId);
  const granted = [...couponsByViewer.values()].reduce((sum, codes) => sum + codes.size, 0);
  client.destroy();
  const writes: WriteCounts = { successes, byKey: counts.writesByKey };
  return {
    shards,
    writes,
    result: {
      concurrency: options.concurrency,
      stock: options.stock,
      viewers: options.viewers,
      attempts: attempts.length,
      successes,
      soldOut,
      limitReached,
      replays,
      otherErrors,
      durationMs,
      attemptsPerSecond: (attempts.length / durationMs) * 1000,
      claimsPerSecond: (successes / Math.max(1, lastSuccessAt - started)) * 1000,
      latency: summary(latency),
      grantedLatency: summary(grantedLatency),
      oversell: Math.max(0, figures.held + figures.redeemed - figures.stock, granted - options.stock),
      perViewerBreaches: [...couponsByViewer.values()].filter((codes) => codes.size > 1).length,
      storeCallsPerSuccessfulClaim: counts.calls / Math.max(1, successes),
      afterSellOutStoreShare: afterSellOutAttempts === 0 ? 0 : afterSellOutWithStore / afterSellOutAttempts,
      afterSellOutWriteShare: afterSellOutAttempts === 0 ? 0 : afterSellOutWithWrites / afterSellOutAttempts,
      timeline,
    },
  };
};

/** 3a. Read, then write without a condition: what a careless design does to stock under the same load. */
const runReadThenWrite = async (store: EmbeddedStore, options: BenchOptions): Promise<NaiveResult> => {
  const client = rawClient(store.endpoint);
  const stock = Math.max(1, Math.round(options.stock / 10));
  const attempts = stock * 4;
  const Key = { PK: 'BENCH#naive-read-write', SK: 'ITEM' };
  await client.send(new PutCommand({ TableName: store.tableName, Item: { ...Key, available: stock } }));
  let successes = 0;
  const started = performance.now();
  await pool(attempts, options.concurrency, async () => {
    const { Item } = await client.send(
      new GetCommand({ TableName: store.tableName, Key, ConsistentRead: true }),
    );
    const available = (Item?.available as number | undefined) ?? 0;
    if (available <= 0) return;
    await client.send(
      new PutCommand({ TableName: store.tableName, Item: { ...Key, available: available - 1 } }),
    );
    successes++;
  });
  const durationMs = performance.now() - started;
  client.destroy();
  return {
    design: 'read-then-write',
    attempts,
    successes,
    oversell: Math.max(0, successes - stock),
    durationMs,
    claimsPerSecond: (successes / durationMs) * 1000,
  };
};

/** 3b. One counter item for the whole deal: correct, but every claim writes the same key. */
const runSingleCounter = async (store: EmbeddedStore, options: BenchOptions): Promise<NaiveResult> => {
  const client = rawClient(store.endpoint);
  const stock = Math.max(1, Math.round(options.stock / 10));
  const attempts = stock * 4;
  const Key = { PK: 'BENCH#single-counter', SK: 'ITEM' };
  await client.send(new PutCommand({ TableName: store.tableName, Item: { ...Key, available: stock } }));
  let successes = 0;
  const started = performance.now();
  let lastSuccessAt = started;
  await pool(attempts, options.concurrency, async () => {
    try {
      await client.send(
        new UpdateCommand({
          TableName: store.tableName,
          Key,
          UpdateExpression: 'ADD available :minusOne',
          ConditionExpression: 'available > :zero',
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        }),
      );
      successes++;
      lastSuccessAt = performance.now();
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  });
  const durationMs = performance.now() - started;
  client.destroy();
  return {
    design: 'single-counter',
    attempts,
    successes,
    oversell: Math.max(0, successes - stock),
    durationMs,
    claimsPerSecond: (successes / Math.max(1, lastSuccessAt - started)) * 1000,
  };
};

const machine = () => ({
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
});

/**
 * One benchmark run on one embedded store: baseline, the claim path, naive designs, optionally the same
 * spike over HTTP and cold starts, then the capacity model, the correctness checks and the targets.
 */
export const runBench = async (
  partial: Partial<BenchOptions> = {},
  extras: {
    http?: (options: BenchOptions) => Promise<HttpResult>;
    coldStart?: () => Promise<BenchResult['coldStart']>;
  } = {},
): Promise<BenchResult> => {
  const options = { ...DEFAULT_OPTIONS, ...partial };
  const startedAt = new Date().toISOString();
  const store = await startEmbeddedStore();
  try {
    const baseline = await runBaseline(store, options);
    const { result: claims, writes, shards } = await runClaims(store, options);
    options.onProgress?.('naive designs', 0, 2);
    const naive = [await runReadThenWrite(store, options), await runSingleCounter(store, options)];
    const http = options.http && extras.http ? await extras.http(options) : undefined;
    const coldStart = options.coldStart && extras.coldStart ? await extras.coldStart() : undefined;
    const capacity = modelCapacity(writes, shards);
    const checks: Check[] = [
      {
        name: 'successes equal the stock',
        ok: claims.successes === claims.stock,
        detail: `${claims.successes} of ${claims.stock}`,
      },
      { name: 'no oversell', ok: claims.oversell === 0, detail: `${claims.oversell} units beyond stock` },
      {
        name: 'no viewer over the limit',
        ok: claims.perViewerBreaches === 0,
        detail: `${claims.perViewerBreaches} viewers`,
      },
      { name: 'no unexpected errors', ok: claims.otherErrors === 0, detail: `${claims.otherErrors} answers` },
      ...(http
        ? [
            {
              name: 'HTTP spike granted the stock exactly',
              ok: http.successes === http.stock,
              detail: `${http.successes} of ${http.stock}`,
            },
          ]
        : []),
    ];
    const singleCounter = capacity.singleCounter.claimsPerSecond;
    const bareImport = coldStart?.bare.medianImportMs;
    const claimImport = coldStart?.functions.find((fn) => fn.name === 'claim-coupon')?.medianImportMs;
    const targets: Target[] = [
      {
        name: 'claims/s vs baseline',
        target: '>= 0.45x',
        actual: `${(claims.claimsPerSecond / baseline.opsPerSecond).toFixed(2)}x`,
        met: claims.claimsPerSecond >= 0.45 * baseline.opsPerSecond,
      },
      {
        name: 'modeled claims/s on one deal',
        target: '>= 10,000',
        actual: Math.round(capacity.livedrop.claimsPerSecond).toLocaleString('en-US'),
        met: capacity.livedrop.claimsPerSecond >= 10_000,
      },
      {
        name: 'modeled vs single counter',
        target: '>= 20x',
        actual: `${(capacity.livedrop.claimsPerSecond / singleCounter).toFixed(1)}x`,
        met: capacity.livedrop.claimsPerSecond >= 20 * singleCounter,
      },
      {
        name: 'attempts after sell-out reaching the store',
        target: '<= 1%',
        actual: `${(claims.afterSellOutStoreShare * 100).toFixed(2)}%`,
        met: claims.afterSellOutStoreShare <= 0.01,
      },
      {
        name: 'granted claim p99 vs p50',
        target: '<= 5x',
        actual: `${(claims.grantedLatency.p99Ms / claims.grantedLatency.p50Ms).toFixed(1)}x`,
        met: claims.grantedLatency.p99Ms <= 5 * claims.grantedLatency.p50Ms,
      },
      ...(bareImport !== undefined && claimImport !== undefined
        ? [
            {
              name: 'claim handler cold import vs bare bundle',
              target: '<= 1.25x',
              actual: `${(claimImport / bareImport).toFixed(2)}x`,
              met: claimImport <= 1.25 * bareImport,
            },
          ]
        : []),
    ];
    return {
      startedAt,
      machine: machine(),
      options: { concurrency: options.concurrency, stock: options.stock, viewers: options.viewers },
      baseline,
      claims,
      naive,
      ...(http ? { http } : {}),
      capacity,
      ...(coldStart ? { coldStart } : {}),
      checks,
      targets,
    };
  } finally {
    await store.close();
  }
};
