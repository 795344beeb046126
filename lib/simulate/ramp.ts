/**
 * The one-deal ramp: a fresh deal with stock for every claim, claims arriving at each rate in turn for one
 * simulated second, unkeyed and without retries, so a throttle the SDK could not absorb shows as is. The
 * sustained rate is the granted claims per second of the highest step before any viewer saw a throttle.
 */

import { HOST } from './gala.js';
import type { SimulationOptions } from './options.js';
import { claimWithRetries, type Sim } from './viewers.js';

export interface RampStep {
  rate: number;
  granted: number;
  visibleThrottles: number;
  serverErrors: number;
  /** Simulated seconds from the step's first arrival to its last answer. */
  seconds: number;
}

export interface RampResult {
  dealId: string;
  steps: RampStep[];
  /** Granted claims per simulated second of the last step with no viewer-visible throttle (null: none clean). */
  claimsPerSecondOneDeal: number | null;
  /** The first rate at which a viewer saw a throttle (null: none up to the top rate). */
  throttlesStartAt: number | null;
}

export const runRamp = async (
  sim: Sim,
  options: SimulationOptions,
  progress: (step: RampStep) => void,
): Promise<RampResult | undefined> => {
  if (options.rampRates.length === 0) return undefined;
  const stock = options.rampRates.reduce((sum, rate) => sum + rate, 0);
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
    const before = { granted: sim.ledger.grants.length, errors: sim.ledger.serverErrors.length };
    await Promise.all(
      Array.from({ length: rate }, async (_, i) => {
        const viewerId = `ramp-viewer-${viewer++}`;
        await sim.time.until(begin + (i * 1000) / rate);
        await claimWithRetries(sim, dealId, viewerId, undefined, false);
      }),
    );
    const errors = sim.ledger.serverErrors.slice(before.errors).filter((error) => error.dealId === dealId);
    const step: RampStep = {
      rate,
      granted: sim.ledger.grants.length - before.granted,
      visibleThrottles: errors.filter((error) => error.throttled).length,
      serverErrors: errors.length,
      seconds: (sim.time.now() - begin) / 1000,
    };
    steps.push(step);
    progress(step);
    // Let the partitions refill between steps, so each step starts as the first did.
    sim.time.skip(5_000);
  }
  const firstThrottled = steps.find((step) => step.visibleThrottles > 0);
  const clean = steps
    .filter((step) => firstThrottled === undefined || step.rate < firstThrottled.rate)
    .at(-1);
  return {
    dealId,
    steps,
    claimsPerSecondOneDeal: clean ? Math.round(clean.granted / Math.max(1, clean.seconds)) : null,
    throttlesStartAt: firstThrottled?.rate ?? null,
  };
};
