/**
 * The one-deal ramp: a fresh deal with stock for every claim, claims arriving at each rate in turn for
 * `rampStepSeconds` simulated seconds each, unkeyed and without retries, so a throttle the SDK could not
 * absorb shows as is. Each step starts with the deal's partitions' banked capacity drained (the gala's burst
 * is not what a step should measure), so a step of one second already shows the sustained rate. The ramp
 * stops at the first step in which a viewer saw a throttle: the steps above it would change neither figure.
 */

import { HOST } from './gala.js';
import { totals } from './measures.js';
import type { SimulationOptions } from './options.js';
import { claimWithRetries, type Sim } from './viewers.js';

export interface RampStep {
  /** Claims arriving per simulated second. */
  rate: number;
  arrivals: number;
  granted: number;
  /**
   * Granted claims per simulated second the deal sustained: grants answered in a window as long as the
   * arrivals, shifted by the step's median claim time (when a claim that arrived first is answered). A deal
   * that keeps up answers `rate` a second in it; one that falls behind answers fewer.
   */
  claimsPerSecond: number;
  /** Simulated ms from a claim's arrival to its answer: median and 99th percentile. */
  claimMs: { p50: number; p99: number };
  /** Attempts the model refused on any partition during the step (the SDK retries them). */
  throttledAttempts: number;
  visibleThrottles: number;
  serverErrors: number;
  /** Simulated seconds from the step's first arrival to its last answer. */
  seconds: number;
  /** The most containers busy at once during the step. */
  peakBusyContainers: number;
}

export interface RampResult {
  dealId: string;
  shards: number;
  stepSeconds: number;
  steps: RampStep[];
  /** Granted claims per simulated second of the last step with no viewer-visible throttle (null: none clean). */
  claimsPerSecondOneDeal: number | null;
  /** The first rate at which a viewer saw a throttle (null: none up to the top rate). */
  throttlesStartAt: number | null;
  /** Claims sent in the ramp (every step that ran). */
  viewers: number;
}

const percentile = (values: number[], share: number): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] as number;
};

export const runRamp = async (
  sim: Sim,
  options: SimulationOptions,
  progress: (step: RampStep) => void,
): Promise<RampResult | undefined> => {
  if (options.rampRates.length === 0) return undefined;
  const stepSeconds = options.rampStepSeconds;
  const arrivalsOf = (rate: number) => Math.round(rate * stepSeconds);
  const stock = options.rampRates.reduce((sum, rate) => sum + arrivalsOf(rate), 0);
  const shards = Math.min(options.rampShards, stock);
  const dealId = await sim.pool.serve(async (engine) => {
    const deal = await engine.createDeal(
      {
        title: 'Ramp deal',
        sku: 'SKU-RAMP',
        streamId: 'ramp-stream',
        currency: 'EUR',
        listPrice: 10_000,
        dealPrice: 4_900,
        stock,
        shards,
        perViewerLimit: 1,
        claimTtlSeconds: 3_600,
      },
      HOST.sub,
    );
    await engine.cue(deal.dealId, { action: 'start' }, HOST);
    return deal.dealId;
  });
  sim.limits.set(dealId, 1);
  const steps: RampStep[] = [];
  let viewer = 0;
  for (const rate of options.rampRates) {
    const begin = sim.time.now() + 100;
    // Drained when the first claim arrives: capacity refilled before it would flatter the step.
    await sim.time.until(begin);
    sim.engines.model.drainBanks(dealId);
    const arrivals = arrivalsOf(rate);
    const before = {
      granted: sim.ledger.grants.length,
      errors: sim.ledger.serverErrors.length,
      throttles: totals(sim.engines.model).throttles,
    };
    const peakBefore = sim.pool.peakBusy;
    sim.pool.peakBusy = 0;
    let last = begin;
    const claimMs: number[] = [];
    const grantedAt: number[] = [];
    await Promise.all(
      Array.from({ length: arrivals }, async (_, i) => {
        const viewerId = `ramp-viewer-${viewer++}`;
        const arrival = begin + (i * 1000) / rate;
        await sim.time.until(arrival);
        const code = await claimWithRetries(sim, dealId, viewerId, undefined, false);
        const answered = sim.time.now();
        claimMs.push(answered - arrival);
        if (code !== undefined) grantedAt.push(answered);
        last = Math.max(last, answered);
      }),
    );
    const errors = sim.ledger.serverErrors.slice(before.errors).filter((error) => error.dealId === dealId);
    const granted = sim.ledger.grants.length - before.granted;
    const seconds = (last - begin) / 1000;
    const p50 = percentile(claimMs, 0.5);
    const windowStart = begin + p50;
    const windowEnd = windowStart + stepSeconds * 1000;
    const inWindow = grantedAt.filter((at) => at >= windowStart && at < windowEnd).length;
    const step: RampStep = {
      rate,
      arrivals,
      granted,
      claimsPerSecond: Math.round(inWindow / stepSeconds),
      claimMs: { p50: Math.round(p50 * 10) / 10, p99: Math.round(percentile(claimMs, 0.99) * 10) / 10 },
      throttledAttempts: totals(sim.engines.model).throttles - before.throttles,
      visibleThrottles: errors.filter((error) => error.throttled).length,
      serverErrors: errors.length,
      seconds,
      peakBusyContainers: sim.pool.peakBusy,
    };
    sim.pool.peakBusy = Math.max(peakBefore, sim.pool.peakBusy);
    steps.push(step);
    progress(step);
    if (step.visibleThrottles > 0) break;
  }
  const firstThrottled = steps.find((step) => step.visibleThrottles > 0);
  const clean = steps.filter((step) => step.visibleThrottles === 0).at(-1);
  return {
    dealId,
    shards,
    stepSeconds,
    steps,
    claimsPerSecondOneDeal: clean?.claimsPerSecond ?? null,
    throttlesStartAt: firstThrottled?.rate ?? null,
    viewers: steps.reduce((sum, step) => sum + step.arrivals, 0),
  };
};
