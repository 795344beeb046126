/**
 * The shape of one `npm run bench` result: written as JSON under .livedrop/bench/, rendered as the terminal
 * table and the self-contained HTML report. Every number in it is measured in that run, but the gala
 * simulation's figures, which it carries from the last `npm run simulate` with that run's date.
 */
import type { SimulationFigures } from './simulation-figures.js';

export interface LatencySummary {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** One point per sampling interval during a run. */
export interface TimelinePoint {
  /** Milliseconds since the phase started. */
  atMs: number;
  /** Operations (or claims) completed per second over the interval. */
  perSecond: number;
  /** Units still available on the deal at that moment (claim phases only). */
  available?: number;
}

export interface BaselineResult {
  concurrency: number;
  operations: number;
  durationMs: number;
  opsPerSecond: number;
  latency: LatencySummary;
}

export interface ClaimRunResult {
  concurrency: number;
  stock: number;
  viewers: number;
  attempts: number;
  successes: number;
  soldOut: number;
  limitReached: number;
  replays: number;
  otherErrors: number;
  durationMs: number;
  /** Attempts answered per second (granted or refused). */
  attemptsPerSecond: number;
  /** Granted claims per second while stock lasted. */
  claimsPerSecond: number;
  /** Every attempt, refusals answered from a container's sold-out fact included. */
  latency: LatencySummary;
  /** Granted claims only (201). */
  grantedLatency: LatencySummary;
  oversell: number;
  perViewerBreaches: number;
  storeCallsPerSuccessfulClaim: number;
  /** Of the attempts that started after the deal sold out, the share that sent anything to the store. */
  afterSellOutStoreShare: number;
  /** Of those, the share that wrote anything (the rest only read, e.g. an Idempotency-Key lookup). */
  afterSellOutWriteShare: number;
  timeline: TimelinePoint[];
}

export interface NaiveResult {
  design: 'read-then-write' | 'single-counter';
  attempts: number;
  successes: number;
  /** Units granted beyond the stock. */
  oversell: number;
  durationMs: number;
  claimsPerSecond: number;
}

export interface HttpResult {
  connections: number;
  stock: number;
  requests: number;
  durationMs: number;
  requestsPerSecond: number;
  latency: LatencySummary;
  statusCounts: Record<string, number>;
  successes: number;
}

export interface ColdStartResult {
  runs: number;
  /** `ratioToBare`: the median over rounds of the function's import over the same round's bare import. */
  functions: {
    name: string;
    bytes: number;
    medianImportMs: number;
    medianCpuMs: number;
    ratioToBare: number;
  }[];
  bare: { bytes: number; medianImportMs: number; medianCpuMs: number };
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Target {
  name: string;
  met: boolean;
  actual: string;
  target: string;
}

export interface BenchResult {
  startedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  options: { concurrency: number; stock: number; viewers: number; storeThread?: boolean };
  baseline: BaselineResult;
  claims: ClaimRunResult;
  naive: NaiveResult[];
  http?: HttpResult;
  /** Capacity on DynamoDB as the gala simulation measured it (null: `npm run simulate` not run here). */
  simulation: SimulationFigures | null;
  coldStart?: ColdStartResult;
  checks: Check[];
  targets: Target[];
}
