/**
 * One simulation run: the embedded store, the modelled client and the containers, the gala's rush, the
 * one-deal ramp, the holds left to expire, then the checks against the store and the capacity figures.
 */
import { startEmbeddedStoreThread } from '../local/store-thread.js';
import { type Checks, checkStore } from './checks.js';
import { ContainerPool } from './containers.js';
import { type Engine, openEngines } from './engines.js';
import { createGalaDeals, expireAndSettle, runRush, sweepOnce } from './gala.js';
import { Ledger } from './ledger.js';
import {
  type FiguresReads,
  figuresReads,
  type HotPartition,
  hotShardWcuPerClaim,
  hottestPartitions,
  totals,
} from './measures.js';
import { type SimulationOptions, seededRandom } from './options.js';
import type { CommandCounters } from './partition-capacity.js';
import { type RampResult, runRamp } from './ramp.js';
import { DilatedTime } from './sim-time.js';
import type { Sim } from './viewers.js';

export interface SimulationResult {
  tool: 'livedrop-simulate';
  version: 1;
  startedAt: string;
  wallSeconds: number;
  simulatedSeconds: number;
  viewersRepresented: number;
  containers: number;
  containersUsed: number;
  peakBusyContainers: number;
  requestsQueuedForAContainer: number;
  scale: {
    approach: 'virtual-time';
    dilation: number;
    /** The highest dilation the governor needed to keep the simulator's own slowness out of simulated time. */
    peakDilation: number;
    note: string;
    retryBackoffInSimulatedTime: boolean;
  };
  parameters: SimulationOptions;
  /** Where the wall time went: each phase's wall and simulated seconds. */
  phases: { phase: string; wallSeconds: number; simulatedSeconds: number }[];
  oversell: number;
  perViewerBreaches: number;
  grantedThen5xx: number;
  grantedAfterEnd: number;
  couponsNeverAnswered: number;
  throttledCalls: number;
  viewerVisibleThrottles: number;
  figuresReadsPerSecond: { atCoupons1k: number | null; atCoupons10k: number | null };
  hotPartitionWcuPerClaim: number | null;
  hotShardPartition: string | null;
  capacityUnitsPerClaim: number | null;
  claimsPerSecondOneDeal: number | null;
  throttlesStartAtClaimsPerSecond: number | null;
  hottestPartitions: HotPartition[];
  totals: { wcu: number; rcu: number; throttles: number; grantedClaims: number; claimCalls: number };
  answers: {
    refusals: Record<string, number>;
    serverErrors: number;
    checkout: Ledger['checkout'];
    sweeps: number;
    sweepErrors: number;
    eventsPublished: number;
    serverErrorKinds: Record<string, number>;
  };
  commands: Record<string, CommandCounters>;
  deals: Checks['deals'];
  cues: Ledger['cues'];
  figures: FiguresReads;
  ramp: RampResult | null;
  claimsPerSecond: {
    second: number;
    granted: number;
    refused: number;
    serverErrors: number;
    throttled: number;
  }[];
}

export const simulate = async (
  options: SimulationOptions,
  log: (line: string) => void = () => {},
): Promise<SimulationResult> => {
  const wallStart = performance.now();
  // The store in its own thread: the engines and the SDK on one core, dynalite on the other.
  const embedded = await startEmbeddedStoreThread();
  const time = new DilatedTime(options.dilation);
  const random = seededRandom(options.seed);
  let eventsPublished = 0;
  const engines = await openEngines({
    endpoint: embedded.endpoint,
    tableName: embedded.tableName,
    time,
    settings: options.partitions,
    // Something must consume events, or the engine skips the stock figures' reads (see announce.ts).
    events: {
      publish: async (events) => {
        eventsPublished += events.length;
      },
    },
    random,
  });
  const pool = new ContainerPool<Engine>(options.containers, engines.container);
  const ledger = new Ledger();
  const sim: Sim = { time, pool, engines, ledger, random, startedAt: time.now(), limits: new Map() };
  const stopSkipping = pool.skipIdle(time, engines.model);
  const stopGoverning = time.govern({ maxDilation: Math.max(options.dilation, 500) });
  const phases: SimulationResult['phases'] = [];
  let phaseWall = performance.now();
  let phaseSim = time.now();
  const phaseDone = (phase: string) => {
    const wall = performance.now();
    const now = time.now();
    phases.push({
      phase,
      wallSeconds: Math.round((wall - phaseWall) / 100) / 10,
      simulatedSeconds: Math.round((now - phaseSim) / 100) / 10,
    });
    log(
      `${phase}: ${((wall - phaseWall) / 1000).toFixed(1)} s wall, ${((now - phaseSim) / 1000).toFixed(1)} s simulated`,
    );
    phaseWall = wall;
    phaseSim = now;
  };
  try {
    const deals = await createGalaDeals(sim, options);
    for (const [dealId, limit] of deals.limits) sim.limits.set(dealId, limit);
    sim.startedAt = time.now();
    phaseDone('setup');
    log(
      `rush: ${options.viewers} viewers over ${options.rushSeconds} s simulated, ` +
        (time.discrete ? 'discrete-event clock' : `dilation ${options.dilation}`),
    );
    await runRush(sim, options, deals, (done, total) =>
      log(
        `  t=${(time.elapsed() / 1000).toFixed(1)}s sim  viewers done ${done}/${total}  granted ${ledger.grants.length}` +
          `  5xx ${ledger.serverErrors.length}  throttles ${totals(engines.model).throttles}  containers ${pool.created}` +
          (time.discrete ? '' : `  dilation ${time.dilation.toFixed(0)}`),
      ),
    );
    const rushEnded = time.now();
    phaseDone('rush');
    const ramp = await runRamp(sim, options, (step) =>
      log(
        `ramp: ${step.rate}/s for ${options.rampStepSeconds} s → granted ${step.granted} (sustained ${step.claimsPerSecond}/s,` +
          ` claim p50 ${step.claimMs.p50} ms, p99 ${step.claimMs.p99} ms),` +
          ` throttled attempts ${step.throttledAttempts}, viewer-visible throttles ${step.visibleThrottles},` +
          ` peak busy containers ${step.peakBusyContainers}`,
      ),
    );
    phaseDone('ramp');
    log('holds expire: skipping past the claim TTL and grace, then sweeping');
    // Only sweeps run from here, and no figure depends on their pace: run them at wall speed without the
    // modelled latency or slow answers (units, throttles and lost answers still count).
    time.setDilation(1);
    engines.model.settings.latencyMs = 0;
    engines.model.settings.slowShare = 0;
    await expireAndSettle(sim, options);
    await sweepOnce(sim);
    phaseDone('expiry and settling sweeps');
    const checks = await checkStore(engines, embedded.tableName, ledger, sim.limits);
    phaseDone('checks');
    const granted = ledger.grants.filter((grant) => !grant.replayed).length;
    const all = totals(engines.model);
    const hot = hotShardWcuPerClaim(engines.model, checks);
    const figures = figuresReads(engines.model, ledger, deals.big, sim.startedAt, rushEnded);
    return {
      tool: 'livedrop-simulate',
      version: 1,
      startedAt: new Date().toISOString(),
      wallSeconds: Math.round((performance.now() - wallStart) / 100) / 10,
      simulatedSeconds: Math.round(time.elapsed() / 100) / 10,
      viewersRepresented: options.viewers + (ramp?.viewers ?? 0),
      containers: options.containers,
      containersUsed: pool.created,
      peakBusyContainers: pool.peakBusy,
      requestsQueuedForAContainer: pool.queued,
      scale: {
        approach: 'virtual-time',
        dilation: options.dilation,
        peakDilation: Math.round(time.peakDilation * 10) / 10,
        note: time.discrete
          ? 'Full scale (every viewer, full partition capacity), in discrete-event simulated time: the clock stands ' +
            'still while the store and the engines work and jumps to the next wake-up once every call under way ' +
            `waits in simulated time, so a store call costs exactly the modelled ${options.partitions.latencyMs} ms ` +
            "(DynamoDB's latency), plus any slow answer or retry backoff, whatever the simulator's own pace."
          : `Full scale (every viewer, full partition capacity), in simulated time running ${options.dilation}x slower ` +
            'than the wall clock or more while the simulator lags (up to ' +
            `${Math.round(time.peakDilation)}x); idle stretches are skipped. The store answers in wall time, so its own latency ` +
            `counts 1/${options.dilation}; a modelled ${options.partitions.latencyMs} ms per call stands in for DynamoDB's.`,
        retryBackoffInSimulatedTime: engines.backoffStretched,
      },
      parameters: options,
      phases,
      oversell: checks.oversell,
      perViewerBreaches: checks.perViewerBreaches,
      grantedThen5xx: checks.grantedThen5xx,
      grantedAfterEnd: checks.grantedAfterEnd,
      couponsNeverAnswered: checks.couponsNeverAnswered,
      throttledCalls: all.throttles,
      viewerVisibleThrottles: ledger.visibleThrottles,
      figuresReadsPerSecond: { atCoupons1k: figures.atCoupons1k, atCoupons10k: figures.atCoupons10k },
      hotPartitionWcuPerClaim: hot?.wcuPerClaim ?? null,
      hotShardPartition: hot?.partition ?? null,
      capacityUnitsPerClaim: granted === 0 ? null : (all.wcu + all.rcu) / granted,
      claimsPerSecondOneDeal: ramp?.claimsPerSecondOneDeal ?? null,
      throttlesStartAtClaimsPerSecond: ramp?.throttlesStartAt ?? null,
      hottestPartitions: hottestPartitions(engines.model),
      totals: { ...all, grantedClaims: granted, claimCalls: ledger.claims },
      answers: {
        refusals: Object.fromEntries(ledger.refusals),
        serverErrors: ledger.serverErrors.length,
        checkout: ledger.checkout,
        sweeps: ledger.sweeps,
        sweepErrors: ledger.sweepErrors,
        eventsPublished,
        serverErrorKinds: Object.fromEntries(ledger.errorKinds),
      },
      commands: Object.fromEntries(engines.model.commands),
      deals: checks.deals,
      cues: ledger.cues,
      figures,
      ramp: ramp ?? null,
      claimsPerSecond: [...ledger.perSecond.entries()]
        .sort(([a], [b]) => a - b)
        .map(([second, point]) => ({ second, ...point })),
    };
  } finally {
    stopSkipping();
    stopGoverning();
    engines.close();
    await embedded.close();
  }
};

/** The figures that must be 0 for the run to pass. */
export const failedChecks = (result: SimulationResult): string[] =>
  (['oversell', 'perViewerBreaches', 'grantedThen5xx', 'grantedAfterEnd'] as const).filter(
    (name) => result[name] !== 0,
  );
