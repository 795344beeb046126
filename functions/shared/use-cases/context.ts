import type { DealItem } from '../data/deal.js';
import { type Clock, iso } from '../domain/clock.js';
import {
  discardEvents,
  type EventPublisher,
  type MetadataPublisher,
  type SchedulerPort,
  type Seam,
} from '../domain/ports.js';
import type { LiveDealView } from '../domain/schemas.js';
import type { StorePort } from '../domain/store-port.js';
import { Facts } from './facts.js';
import { ClaimWatch, DEFAULT_RATE_LIMITS, type RateLimits } from './rate-limits.js';
import type { StreamLiveEntry } from './stream-live.js';

export interface EngineOptions {
  /**
   * How long a claim may be in flight. Must exceed the claim function's timeout: after it, the reconciler
   * may take over a unit or code the claim left behind (arbiter writes keep even a slower claimer safe).
   */
  claimGraceMs: number;
  /**
   * How long a `returns` entry stays on a shard after its record is RETURNED. Must exceed the longest
   * function timeout (Lambda's maximum is 15 minutes): a return still in flight is never pruned under it.
   */
  returnPruneGraceMs: number;
  /** Two sweeps this far apart must both find an ended deal idle before it leaves the sweep list. */
  settleDelayMs: number;
  /** How long after a take's lost answer its claim settles the unit that take may have left (lost-take.ts). */
  lostTakeSettleMs: number;
  /** Lifetime of per-container sold-out / empty-shard / not-live facts. */
  factTtlMs: number;
  /** How long an idempotent retry waits for the first attempt to finish before answering CLAIM_IN_PROGRESS. */
  replayWaitMs: number;
  /** First pause between polls of the earlier attempt; doubles each time. */
  replayPollMs: number;
  /**
   * How long a request sent with an Idempotency-Key (deals, drops, cues) holds its key while it runs. Must
   * exceed those functions' timeout: only after it may a retry take over a first attempt that died.
   */
  requestLeaseMs: number;
  /** Deals swept in parallel. */
  sweepConcurrency: number;
  /** Tickets examined per shard per sweep. */
  reconcileBatch: number;
  rateLimits: RateLimits;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  claimGraceMs: 30_000,
  returnPruneGraceMs: 20 * 60_000,
  settleDelayMs: 120_000,
  lostTakeSettleMs: 5_000,
  factTtlMs: 1_000,
  replayWaitMs: 1_500,
  replayPollMs: 25,
  requestLeaseMs: 30_000,
  sweepConcurrency: 4,
  reconcileBatch: 1_000,
  rateLimits: DEFAULT_RATE_LIMITS,
};

/** The little the engine logs itself (sweep failures); livedrop's Logger (logger.ts) fits. */
export interface EngineLogger {
  error(message: string, extra: Record<string, unknown>): void;
}

export interface EngineDeps {
  store: StorePort;
  clock: Clock;
  /** Where one-time schedules (gala price drops) go. Required only to schedule or cancel drops. */
  scheduler?: SchedulerPort;
  /** Where the engine's events go; adapters never throw. Default: nowhere. */
  events?: EventPublisher;
  /** Where streams' live states go as timed metadata (IVS). Required only to put them. */
  metadata?: MetadataPublisher;
  logger?: EngineLogger;
  options?: Partial<Omit<EngineOptions, 'rateLimits'>> & { rateLimits?: Partial<RateLimits> };
  /** Called after each write with the step's name: the crash tests throw there. Production passes none. */
  seam?: Seam;
}

/** What one container knows without asking the store; each Lambda container (each Engine) has its own. */
export interface ContainerState {
  /** Short-lived refusals: sold out, shard empty, not live. */
  facts: Facts;
  /** When this container last published Deal Stock Changed per deal (coalescing). */
  stockAnnounced: Map<string, number>;
  /** Deals this container announced as sold out since their stock last came back. */
  soldOutAnnounced: Set<string>;
  /** The immutable part of each deal (limits, shard count, currency); concurrent loads share one read. */
  dealCache: Map<string, Promise<DealItem>>;
  liveCache: Map<string, { at: number; view: LiveDealView }>;
  /** Each stream's public live state and the read in flight (stream-live.ts). */
  streamLive: Map<string, StreamLiveEntry>;
  /** Shard re-checks in flight per deal, shared by the claims that arrive meanwhile. */
  rechecks: Map<string, Promise<void>>;
  /** Early settles of lost takes in flight, per deal shard. */
  lostTakes: Map<string, Promise<void>>;
  /** Viewers whose claims missed lately, and those known over the claims-per-viewer limit. */
  claimWatch: ClaimWatch;
  /** When this container's next timed-metadata put to each IVS channel may go, at the earliest (spacing). */
  metadataPutAt: Map<string, number>;
}

/** What every use case is given: the ports, the options and this container's state. */
export interface Context extends ContainerState {
  store: StorePort;
  clock: Clock;
  options: EngineOptions;
  seam: Seam;
  logger: EngineLogger;
  events: EventPublisher;
  scheduler: SchedulerPort | undefined;
  metadata: MetadataPublisher | undefined;
}

/** Caches per container stop growing here; a container serving more deals than this starts afresh. */
export const MAX_CACHED_DEALS = 5_000;

export const createContext = (deps: EngineDeps): Context => {
  const options: EngineOptions = {
    ...DEFAULT_ENGINE_OPTIONS,
    ...deps.options,
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...deps.options?.rateLimits },
  };
  const ctx: Omit<Context, 'claimWatch'> & { claimWatch?: ClaimWatch } = {
    store: deps.store,
    clock: deps.clock,
    options,
    seam: deps.seam ?? (() => {}),
    logger: deps.logger ?? { error: (message, extra) => console.error(message, extra) },
    events: deps.events ?? discardEvents,
    scheduler: deps.scheduler,
    metadata: deps.metadata,
    facts: new Facts(deps.clock, options.factTtlMs),
    stockAnnounced: new Map(),
    soldOutAnnounced: new Set(),
    dealCache: new Map(),
    liveCache: new Map(),
    streamLive: new Map(),
    rechecks: new Map(),
    lostTakes: new Map(),
    metadataPutAt: new Map(),
  };
  ctx.claimWatch = new ClaimWatch(ctx as Context);
  return ctx as Context;
};

export const nowIso = (ctx: Context): string => iso(ctx.clock.now());

export const sleep = (ctx: Context, ms: number): Promise<void> =>
  ctx.clock.sleep ? ctx.clock.sleep(ms) : new Promise((resolve) => setTimeout(resolve, ms));
