import { cpus, totalmem } from 'node:os';
import { startEmbeddedStore } from '../local/embedded-store.js';
import { startEmbeddedStoreThread } from '../local/store-thread.js';
import { runClaims } from './claims.js';
import { type BenchOptions, DEFAULT_OPTIONS } from './options.js';
import { runBaseline, runReadThenWrite, runSingleCounter } from './raw-store.js';
import type { BenchResult, Check, HttpResult, Target } from './result.js';
import { readSimulationFigures } from './simulation-figures.js';

const machine = () => ({
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
});

/**
 * One benchmark run on one embedded store: baseline, the claim path, naive designs, optionally the same
 * spike over HTTP and cold starts, then the correctness checks and the targets. Capacity on DynamoDB is not
 * computed here: the bench carries the gala simulation's last measured figures (simulation-figures.ts).
 */
export const runBench = async (
  partial: Partial<BenchOptions> = {},
  extras: {
    http?: (options: BenchOptions) => Promise<HttpResult>;
    coldStart?: () => Promise<BenchResult['coldStart']>;
  } = {},
): Promise<BenchResult> => {
  // Containers follow the concurrency unless given: every attempt in flight has a container of its own.
  const options = {
    ...DEFAULT_OPTIONS,
    containers: partial.concurrency ?? DEFAULT_OPTIONS.containers,
    ...partial,
  };
  const startedAt = new Date().toISOString();
  const store = options.storeThread ? await startEmbeddedStoreThread() : await startEmbeddedStore();
  try {
    const baseline = await runBaseline(store, options);
    const { result: claims } = await runClaims(store, options);
    options.onProgress?.('naive designs', 0, 2);
    const naive = [await runReadThenWrite(store, options), await runSingleCounter(store, options)];
    const http = options.http && extras.http ? await extras.http(options) : undefined;
    const coldStart = options.coldStart && extras.coldStart ? await extras.coldStart() : undefined;
    const simulation = readSimulationFigures();
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
    const oneDeal = simulation?.claimsPerSecondOneDeal ?? null;
    const claimImportRatio = coldStart?.functions.find((fn) => fn.name === 'claim-coupon')?.ratioToBare;
    const targets: Target[] = [
      {
        name: 'claims/s vs baseline',
        target: '>= 0.25x',
        actual: `${(claims.claimsPerSecond / baseline.opsPerSecond).toFixed(2)}x`,
        met: claims.claimsPerSecond >= 0.25 * baseline.opsPerSecond,
      },
      {
        name: 'claims/s on one deal (gala simulation)',
        target: '>= 10,000',
        actual:
          oneDeal === null
            ? simulation === null
              ? 'not measured: npm run simulate'
              : 'none clean'
            : `${oneDeal.toLocaleString('en-US')} (simulated ${simulation?.startedAt.slice(0, 10)})`,
        met: oneDeal !== null && oneDeal >= 10_000,
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
      ...(claimImportRatio !== undefined
        ? [
            {
              name: 'claim handler cold import vs bare bundle',
              target: '<= 1.25x',
              actual: `${claimImportRatio.toFixed(2)}x`,
              met: claimImportRatio <= 1.25,
            },
          ]
        : []),
    ];
    return {
      startedAt,
      machine: machine(),
      options: {
        concurrency: options.concurrency,
        stock: options.stock,
        viewers: options.viewers,
        storeThread: options.storeThread,
      },
      baseline,
      claims,
      naive,
      ...(http ? { http } : {}),
      simulation,
      ...(coldStart ? { coldStart } : {}),
      checks,
      targets,
    };
  } finally {
    await store.close();
  }
};
