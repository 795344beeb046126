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
  /** Granted claims per simulated second, from the step's first arrival to its last answer. */
  claimsPerSecond: number;
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
    sim.engines.model.drainBanks(dealId);
    const begin = sim.time.now() + 100;
    const arrivals = arrivalsOf(rate);
    const before = {
      granted: sim.ledger.grants.length,
      errors: sim.ledger.serverErrors.length,
      throttles: totals(sim.engines.model).throttles,
    };
    const peakBefore = sim.pool.peakBusy;
    sim.pool.peakBusy = 0;
    let last = begin;
    await Promise.all(
      Array.from({ length: arrivals }, async (_, i) => {
        const viewerId = `ramp-viewer-${viewer++}`;
        await sim.time.until(begin + (i * 1000) / rate);
        await claimWithRetries(sim, dealId, viewerId, undefined, false);
        last = Math.max(last, sim.time.now());
      }),
    );
    const errors = sim.ledger.serverErrors.slice(before.errors).filter((error) => error.dealId === dealId);
    const granted = sim.ledger.grants.length - before.granted;
    const seconds = (last - begin) / 1000;
    const step: RampStep = {
      rate,
      arrivals,
      granted,
      claimsPerSecond: Math.round(granted / Math.max(stepSeconds, seconds)),
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
