/**
 * What a viewer does: opens the overlay (the cached live view), claims, retries after a server error (with
 * the same Idempotency-Key when it sent one, as the overlay does; without one, by tapping again), then
 * maybe checks out, and maybe releases at checkout. Every call runs on a container from the pool.
 */
import type { ContainerPool } from './containers.js';
import { causedByThrottle, type Engine, type SimulatedEngines } from './engines.js';
import type { Ledger } from './ledger.js';
import type { DilatedTime } from './sim-time.js';

export interface Sim {
  time: DilatedTime;
  pool: ContainerPool<Engine>;
  engines: SimulatedEngines;
  ledger: Ledger;
  random: () => number;
  /** Simulated instant the rush began. */
  startedAt: number;
  /** perViewerLimit of every deal the simulation created, for the checks. */
  limits: Map<string, number>;
}

export interface ViewerPlan {
  viewerId: string;
  dealId: string;
  /** Simulated instant the viewer taps. */
  arrival: number;
  keyed: boolean;
  /** Claims this many coupons (a deal with perViewerLimit > 1 invites a second). */
  claims: number;
  /** Share of granted coupons checked out, and of those released again. */
  redeemShare: number;
  releaseShare: number;
}

/** The checkout service's principal (functions/shared/domain/roles.ts: the checkout scope). */
const CHECKOUT = { sub: 'checkout-sim', scopes: new Set(['livedrop/checkout']) };
const MAX_TRIES = 4;

const between = (sim: Sim, low: number, high: number) => low + (high - low) * sim.random();

/** One claim as the overlay makes it, with its retries; the granted code, or undefined. */
export const claimWithRetries = async (
  sim: Sim,
  dealId: string,
  viewerId: string,
  key: string | undefined,
  retries = true,
): Promise<string | undefined> => {
  const { ledger, time, engines } = sim;
  for (let tries = 1; tries <= MAX_TRIES; tries++) {
    ledger.claims++;
    try {
      const result = await sim.pool.serve((engine) => engine.claim(dealId, viewerId, key));
      ledger.granted(
        {
          dealId,
          viewerId,
          code: result.coupon.code,
          ...(key === undefined ? {} : { key }),
          replayed: result.replayed,
          at: time.now(),
        },
        sim.startedAt,
      );
      return result.coupon.code;
    } catch (error) {
      if (engines.isDomainError(error)) {
        ledger.refused(error.code, time.now(), sim.startedAt);
        if (error.code !== 'CLAIM_IN_PROGRESS' || !retries) return undefined;
        await time.sleep(between(sim, 500, 1_500));
        continue;
      }
      ledger.errorKind(error);
      const entry = { dealId, viewerId, throttled: causedByThrottle(error), at: time.now() };
      ledger.failed(key === undefined ? entry : { ...entry, key }, sim.startedAt);
      // A keyed overlay retries with the same key; a viewer without one taps again half the time.
      if (!retries || (key === undefined && sim.random() < 0.5)) return undefined;
      await time.sleep(between(sim, 500, 2_000));
    }
  }
  return undefined;
};

const checkout = async (sim: Sim, code: string, viewerId: string, plan: ViewerPlan): Promise<void> => {
  const { time, ledger, engines } = sim;
  if (sim.random() >= plan.redeemShare) return;
  await time.sleep(between(sim, 2_000, 15_000));
  const input = { viewerId, orderId: `order-${code.slice(0, 9)}` };
  const call = async (action: 'redeem' | 'release') => {
    try {
      await sim.pool.serve((engine) =>
        action === 'redeem' ? engine.redeem(code, input, CHECKOUT) : engine.release(code, input, CHECKOUT),
      );
      ledger.checkout[action === 'redeem' ? 'redeemed' : 'released']++;
      return true;
    } catch (error) {
      if (engines.isDomainError(error)) ledger.checkout.refused++;
      else {
        ledger.errorKind(error);
        ledger.checkout.serverErrors++;
        if (causedByThrottle(error)) ledger.checkout.throttled++;
      }
      return false;
    }
  };
  if (!(await call('redeem')) || sim.random() >= plan.releaseShare) return;
  await time.sleep(between(sim, 1_000, 5_000));
  await call('release');
};

export const runViewer = async (sim: Sim, plan: ViewerPlan): Promise<void> => {
  await sim.time.until(plan.arrival);
  await sim.pool.serve((engine) => engine.liveDeal(plan.dealId)).catch(() => undefined);
  const codes: string[] = [];
  for (let n = 1; n <= plan.claims; n++) {
    const key = plan.keyed ? `key-${plan.viewerId}-${n}` : undefined;
    const code = await claimWithRetries(sim, plan.dealId, plan.viewerId, key);
    if (code !== undefined) codes.push(code);
  }
  await Promise.all(codes.map((code) => checkout(sim, code, plan.viewerId, plan)));
};
