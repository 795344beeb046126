/**
 * The gala: three deals on three streams of one gala, a rush of viewers within `rushSeconds`, and the host's
 * cues in the middle of it (pause, resume and end on the flash deal, a restock of the headline deal), the
 * sweep every few seconds, then the holds left to expire (the clock skips ahead while nothing is in flight)
 * and a final sweep.
 */
import type { SimulationOptions } from './options.js';
import { runViewer, type Sim, type ViewerPlan } from './viewers.js';

/** The host's principal (functions/shared/domain/roles.ts: the host scope). */
export const HOST = { sub: 'host-sim', scopes: new Set(['livedrop/host']) };
const GALA_ID = 'gala-13';

export interface GalaDeals {
  /** The headline deal: `bigStock` units, restocked by as much again mid-rush. */
  big: string;
  /** Paused, resumed and ended mid-rush; two coupons per viewer. */
  flash: string;
  side: string;
  /** perViewerLimit of each deal. */
  limits: Map<string, number>;
}

export const createGalaDeals = async (sim: Sim, options: SimulationOptions): Promise<GalaDeals> => {
  const create = (streamId: string, title: string, stock: number, perViewerLimit: number) =>
    sim.pool.serve(async (engine) => {
      const deal = await engine.createDeal(
        {
          title,
          sku: `SKU-${streamId}`,
          streamId,
          galaId: GALA_ID,
          currency: 'EUR',
          listPrice: 10_000,
          dealPrice: 4_900,
          stock,
          perViewerLimit,
          claimTtlSeconds: options.claimTtlSeconds,
        },
        HOST.sub,
      );
      await engine.cue(deal.dealId, { action: 'start', cueId: `start-${deal.dealId}` }, HOST);
      return deal.dealId;
    });
  const flashStock = Math.max(1, Math.round(options.bigStock / 12));
  const sideStock = Math.max(1, Math.round(options.bigStock / 16));
  const [big, flash, side] = await Promise.all([
    create('gala-stream-1', 'Headline jacket', options.bigStock, 1),
    create('gala-stream-2', 'Flash sneakers', flashStock, 2),
    create('gala-stream-3', 'Side scarf', sideStock, 1),
  ]);
  return {
    big,
    flash,
    side,
    limits: new Map([
      [big, 1],
      [flash, 2],
      [side, 1],
    ]),
  };
};

/** Who arrives when, and for which deal: most viewers early in the rush (a front-loaded arrival curve). */
export const planViewers = (sim: Sim, options: SimulationOptions, deals: GalaDeals): ViewerPlan[] =>
  Array.from({ length: options.viewers }, (_, i) => {
    const pick = sim.random();
    const dealId = pick < 0.75 ? deals.big : pick < 0.9 ? deals.flash : deals.side;
    return {
      viewerId: `viewer-${i}`,
      dealId,
      arrival: sim.startedAt + options.rushSeconds * 1000 * sim.random() ** 2,
      keyed: sim.random() < options.keyedShare,
      claims: dealId === deals.flash && sim.random() < 0.3 ? 2 : 1,
      redeemShare: 0.4,
      releaseShare: 0.15,
    };
  });

/** The host's cues during the rush, each recorded with when it was sent and answered. */
const hostScript = async (sim: Sim, options: SimulationOptions, deals: GalaDeals): Promise<void> => {
  const rush = options.rushSeconds * 1000;
  const cue = async (at: number, dealId: string, action: 'pause' | 'resume' | 'end' | 'restock') => {
    await sim.time.until(sim.startedAt + at);
    const sentAt = sim.time.now();
    const input =
      action === 'restock'
        ? { action, quantity: options.bigStock, cueId: `restock-${dealId}` }
        : { action, cueId: `${action}-${dealId}` };
    // The studio retries a cue until it is answered (a cue with the same cueId changes nothing twice).
    for (let tries = 0; tries < 10; tries++) {
      try {
        await sim.pool.serve((engine) => engine.cue(dealId, input, HOST));
        sim.ledger.cues.push({ dealId, action, sentAt, answeredAt: sim.time.now() });
        return;
      } catch (error) {
        if (sim.engines.isDomainError(error)) return;
        await sim.time.sleep(500);
      }
    }
  };
  await Promise.all([
    (async () => {
      await cue(rush * 0.3, deals.flash, 'pause');
      await cue(rush * 0.5, deals.flash, 'resume');
      await cue(rush * 0.8, deals.flash, 'end');
    })(),
    cue(rush * 0.6, deals.big, 'restock'),
  ]);
};

/** The scheduled sweep: every `sweepEverySeconds` while `running()`. */
const sweeper = async (sim: Sim, options: SimulationOptions, running: () => boolean): Promise<void> => {
  while (running()) {
    await sim.time.sleep(options.sweepEverySeconds * 1000);
    await sweepOnce(sim);
  }
};

export const sweepOnce = async (sim: Sim): Promise<void> => {
  try {
    const report = await sim.pool.serve((engine) => engine.sweep());
    sim.ledger.sweeps++;
    sim.ledger.sweepErrors += report.errors;
  } catch {
    sim.ledger.sweepErrors++;
  }
};

/** Runs the rush until every viewer is done, with `progress` called about once a simulated second. */
export const runRush = async (
  sim: Sim,
  options: SimulationOptions,
  deals: GalaDeals,
  progress: (done: number, total: number) => void,
): Promise<void> => {
  const plans = planViewers(sim, options, deals);
  let done = 0;
  let running = true;
  // About once a simulated second while the clock is dilated; every 5 wall seconds when it is discrete.
  const everyMs = sim.time.discrete ? 5_000 : 1000 * Math.min(sim.time.dilation, 5);
  const ticker = setInterval(() => progress(done, plans.length), everyMs);
  const sweeping = sweeper(sim, options, () => running);
  try {
    await Promise.all([
      hostScript(sim, options, deals),
      ...plans.map((plan) => runViewer(sim, plan).finally(() => done++)),
    ]);
  } finally {
    running = false;
    clearInterval(ticker);
  }
  await sweeping;
  progress(done, plans.length);
};

/** The engine's claimGraceMs: a unit whose claim died is the reconciler's only after it (context.ts). */
const CLAIM_GRACE_MS = 30_000;

/**
 * Lets every hold run out and every abandoned claim's unit come back: skip past the claim TTL and the claim
 * grace while nothing is in flight, then sweep until it is all done.
 */
export const expireAndSettle = async (sim: Sim, options: SimulationOptions): Promise<void> => {
  sim.time.skip(Math.max(options.claimTtlSeconds * 1000, CLAIM_GRACE_MS) + 1_000);
  // Several sweeps a grace apart: a sweep only settles what was past the grace when it began, and an
  // abandoned claim's unit comes back in the sweep after its ticket is taken over.
  for (let round = 0; round < 4; round++) {
    await sweepOnce(sim);
    sim.time.skip(CLAIM_GRACE_MS);
  }
};
