/**
 * The claim path under a rush: the real claim handler, in-process, on one deal, served by up to `containers`
 * Lambda-like containers, with every store call counted per attempt.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import type { EmbeddedStore } from '../local/embedded-store.js';
import { ContainerPool } from '../simulate/containers.js';
import { type ClaimContainer, openClaimDeal } from './engine.js';
import { histogram, pool, summary } from './measure.js';
import type { BenchOptions } from './options.js';
import type { ClaimRunResult, TimelinePoint } from './result.js';

/** What the claim phase wrote: successful claims, and writes per partition key (from an SDK middleware). */
export interface WriteCounts {
  successes: number;
  byKey: ReadonlyMap<string, number>;
}

interface Attempt {
  viewerId: string;
  idempotencyKey?: string;
}

/** V viewers each claim once; 10% repeat with their Idempotency-Key, 5% claim again over the limit of 1. */
const attemptsFor = (viewers: number, prefix = 'bench-viewer'): Attempt[] => {
  const attempts: Attempt[] = [];
  for (let v = 0; v < viewers; v++) {
    const viewerId = `${prefix}-${v}`;
    const keyed = v % 10 === 0;
    attempts.push(keyed ? { viewerId, idempotencyKey: `tap-${v}` } : { viewerId });
  }
  const extra: Attempt[] = [];
  for (let v = 0; v < viewers; v += 10)
    extra.push({ viewerId: `${prefix}-${v}`, idempotencyKey: `tap-${v}` });
  for (let v = 5; v < viewers; v += 20) extra.push({ viewerId: `${prefix}-${v}` });
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

const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

/** What one container's client sent so far: a request's share is the difference across it. */
interface Sent {
  calls: number;
  writes: number;
}

/**
 * Counts every command a container's client sends, and every write per partition key over all containers. A
 * counter in the client's middleware costs nothing per promise, unlike tracking each attempt's async context.
 */
const storeCallCounter = () => {
  const writesByKey = new Map<string, number>();
  const instrument = (client: DynamoDBDocumentClient, sent: Sent) =>
    client.middlewareStack.add(
      (next, context) => (args) => {
        sent.calls++;
        if (WRITE_COMMANDS.has(context.commandName ?? '')) {
          sent.writes++;
          // The store sends DynamoDB's own commands: keys are attribute values here.
          const input = args.input as { Key?: { PK?: { S?: string } }; Item?: { PK?: { S?: string } } };
          const pk = (input.Key ?? input.Item)?.PK?.S;
          if (pk) writesByKey.set(pk, (writesByKey.get(pk) ?? 0) + 1);
        }
        return next(args);
      },
      { step: 'initialize', name: 'benchCounter' },
    );
  return { writesByKey, instrument };
};

/**
 * A rush a tenth the size on a deal of its own, through the same containers, before the clock starts: the
 * phase then measures warm code (the JIT's and each container's connections), as the baseline does, and as a
 * gala's containers are warm (provisioned concurrency) when the host says "now".
 */
const warmUp = async (
  store: EmbeddedStore,
  options: BenchOptions,
  containers: ContainerPool<ClaimContainer & { sent: Sent }>,
): Promise<void> => {
  const deal = await openClaimDeal(store, { stock: Math.max(1, Math.round(options.stock / 10)) });
  const attempts = attemptsFor(Math.max(1, Math.round(options.viewers / 10)), 'warm-up-viewer');
  await pool(attempts.length, options.concurrency, async (i) => {
    await containers.serve(({ handler }) =>
      handler(claimEvent(deal.dealId, attempts[i] as Attempt), lambdaContext),
    );
  });
  deal.close();
};

/**
 * 2. The real claim handler, in-process, on one deal. Each attempt is served by an idle container, which
 * serves one request at a time as in Lambda; with fewer `containers` than `concurrency`, attempts wait for one
 * (the account's concurrency limit).
 */
export const runClaims = async (
  store: EmbeddedStore,
  options: BenchOptions,
): Promise<{ result: ClaimRunResult; writes: WriteCounts; shards: number }> => {
  const { writesByKey, instrument } = storeCallCounter();
  const deal = await openClaimDeal(store, options);
  // Every container is initialised before the clock starts, as Lambda runs a container's init before its
  // first request (and as provisioned concurrency keeps them ready): the phase measures claims, not inits.
  const ready = Array.from({ length: options.containers }, () => {
    const sent: Sent = { calls: 0, writes: 0 };
    return { ...deal.newContainer((client) => instrument(client, sent)), sent };
  });
  const everySent = ready.map((container) => container.sent);
  const containers = new ContainerPool(options.containers, () => ready.pop() as (typeof ready)[number]);
  await warmUp(store, options, containers);
  for (const sent of everySent) Object.assign(sent, { calls: 0, writes: 0 });
  writesByKey.clear();
  const attempts = attemptsFor(options.viewers);

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
    const startedAfterSellOut = soldOutAt !== undefined;
    const t = performance.now();
    const { response, calls, writes } = await containers.serve(async ({ handler, sent }) => {
      const before = { calls: sent.calls, writes: sent.writes };
      const response = await handler(claimEvent(deal.dealId, attempt), lambdaContext);
      return { response, calls: sent.calls - before.calls, writes: sent.writes - before.writes };
    });
    const micros = Math.max(1, Math.round((performance.now() - t) * 1000));
    latency.recordValue(micros);
    if (response.statusCode === 201) grantedLatency.recordValue(micros);
    answered++;
    if (startedAfterSellOut) {
      afterSellOutAttempts++;
      if (calls > 0) afterSellOutWithStore++;
      if (writes > 0) afterSellOutWithWrites++;
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

  const figures = await deal.figures();
  const granted = [...couponsByViewer.values()].reduce((sum, codes) => sum + codes.size, 0);
  deal.close();
  const storeCalls = everySent.reduce((sum, sent) => sum + sent.calls, 0);
  const writes: WriteCounts = { successes, byKey: writesByKey };
  return {
    shards: deal.shards,
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
      storeCallsPerSuccessfulClaim: storeCalls / Math.max(1, successes),
      afterSellOutStoreShare: afterSellOutAttempts === 0 ? 0 : afterSellOutWithStore / afterSellOutAttempts,
      afterSellOutWriteShare: afterSellOutAttempts === 0 ? 0 : afterSellOutWithWrites / afterSellOutAttempts,
      timeline,
    },
  };
};
