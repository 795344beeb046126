/**
 * What the bench shows about capacity on DynamoDB: no formula, but the figures the gala simulation measured
 * (`npm run simulate`, docs/simulation.md), read from its last result file when there is one, with its date.
 */
import { existsSync, readFileSync } from 'node:fs';

export const SIMULATION_RESULT = '.livedrop/simulate/latest.json';

export interface SimulationFigures {
  source: string;
  startedAt: string;
  wallSeconds: number;
  viewersRepresented: number;
  containers: number;
  claimsPerSecondOneDeal: number | null;
  throttlesStartAtClaimsPerSecond: number | null;
  throttledCalls: number;
  hotPartitionWcuPerClaim: number | null;
  figuresReadsPerSecond: { atCoupons1k: number | null; atCoupons10k: number | null };
  /** The correctness figures that were not 0 in that run. */
  failedChecks: string[];
}

const CHECKS = ['oversell', 'perViewerBreaches', 'grantedThen5xx', 'grantedAfterEnd'] as const;

/** The last simulation's figures, or null when it has not been run here (or its file is not readable). */
export const readSimulationFigures = (path = SIMULATION_RESULT): SimulationFigures | null => {
  if (!existsSync(path)) return null;
  try {
    const run = JSON.parse(readFileSync(path, 'utf8')) as Omit<SimulationFigures, 'source' | 'failedChecks'> &
      Record<(typeof CHECKS)[number], number>;
    if (run.startedAt === undefined || run.figuresReadsPerSecond === undefined) return null;
    return {
      source: path,
      startedAt: run.startedAt,
      wallSeconds: run.wallSeconds,
      viewersRepresented: run.viewersRepresented,
      containers: run.containers,
      claimsPerSecondOneDeal: run.claimsPerSecondOneDeal ?? null,
      throttlesStartAtClaimsPerSecond: run.throttlesStartAtClaimsPerSecond ?? null,
      throttledCalls: run.throttledCalls,
      hotPartitionWcuPerClaim: run.hotPartitionWcuPerClaim ?? null,
      figuresReadsPerSecond: run.figuresReadsPerSecond,
      failedChecks: CHECKS.filter((name) => run[name] !== 0),
    };
  } catch {
    return null;
  }
};
