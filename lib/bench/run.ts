import { cpus, totalmem } from 'node:os';
import { startEmbeddedStore } from '../local/embedded-store.js';
import { modelCapacity } from './capacity.js';
import { runClaims } from './claims.js';
import { type BenchOptions, DEFAULT_OPTIONS } from './options.js';
import { runBaseline, runReadThenWrite, runSingleCounter } from './raw-store.js';
import type { BenchResult, Check, HttpResult, Target } from './result.js';

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
