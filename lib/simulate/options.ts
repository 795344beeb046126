/** The simulation's parameters, their defaults, and the command line that sets them. */
import { type CommandLine, defineCli, numberValue } from '../cli.js';
import { DEFAULT_PARTITION_SETTINGS, type PartitionModelSettings } from './partition-capacity.js';

export interface SimulationOptions {
  /** Viewers in the gala's rush. */
  viewers: number;
  /** The most Lambda containers (Engine instances) at once. */
  containers: number;
  /**
   * 0 (the default): a discrete-event clock. Otherwise wall seconds per simulated second at least; the governor
   * raises it while the simulator lags (sim-time.ts).
   */
  dilation: number;
  /** The rush: every viewer arrives within this many simulated seconds. */
  rushSeconds: number;
  /** Stock of the headline deal, restocked by as much again mid-rush (so it passes 10,000 coupons). */
  bigStock: number;
  /** Share of viewers sending an Idempotency-Key. */
  keyedShare: number;
  claimTtlSeconds: number;
  /** Simulated seconds between sweeps. */
  sweepEverySeconds: number;
  /** Claim arrival rates (claims per simulated second) of the one-deal ramp's steps; empty skips it. */
  rampRates: number[];
  /** Simulated seconds each ramp step lasts (its partitions start it with nothing banked: ramp.ts). */
  rampStepSeconds: number;
  /** Stock shards of the ramp's deal (the `shards` hint at creation, 1..64). */
  rampShards: number;
  partitions: PartitionModelSettings;
  seed: number;
  outDir: string;
}

export const DEFAULT_OPTIONS: SimulationOptions = {
  viewers: 40_000,
  // Enough for the ramp's 20,000 claims/s at a claim's ~25 ms; the rush's cost hardly depends on it.
  containers: 500,
  dilation: 0,
  rushSeconds: 10,
  bigStock: 5_000,
  keyedShare: 0.5,
  claimTtlSeconds: 60,
  sweepEverySeconds: 5,
  rampRates: [12_000, 20_000],
  rampStepSeconds: 0.5,
  rampShards: 16,
  partitions: {
    ...DEFAULT_PARTITION_SETTINGS,
    latencyMs: 5,
    lostAnswerShare: 0.002,
    slowShare: 0.01,
    slowMs: 200,
  },
  seed: 13,
  outDir: '.livedrop/simulate',
};

const P = DEFAULT_OPTIONS.partitions;
const number = { type: 'string', value: 'N' } as const;
const seconds = { type: 'string', value: 'S' } as const;
const share = { type: 'string', value: 'F' } as const;

/** `npm run simulate`'s options: --help prints this table, and `simulationOptions` gives each its setter. */
export const SIMULATE_CLI = defineCli({
  script: 'simulate',
  summary:
    'The gala simulation around the real engine under modelled DynamoDB partitions (docs/simulation.md).',
  options: {
    viewers: {
      ...number,
      description: "viewers in the gala's rush",
      default: String(DEFAULT_OPTIONS.viewers),
    },
    containers: {
      ...number,
      description: 'the most Lambda containers (engines) at once',
      default: String(DEFAULT_OPTIONS.containers),
    },
    dilation: {
      type: 'string',
      value: 'K',
      description: '0: a discrete-event clock; K >= 0.1: at least K wall seconds per simulated second',
      default: String(DEFAULT_OPTIONS.dilation),
    },
    'rush-seconds': {
      ...seconds,
      description: 'every viewer arrives within S simulated seconds',
      default: String(DEFAULT_OPTIONS.rushSeconds),
    },
    'big-stock': {
      ...number,
      description: 'stock of the headline deal, restocked by as much again mid-rush',
      default: String(DEFAULT_OPTIONS.bigStock),
    },
    'keyed-share': {
      ...share,
      description: 'share of viewers sending an Idempotency-Key',
      default: String(DEFAULT_OPTIONS.keyedShare),
    },
    ttl: {
      ...seconds,
      description: "a claim's time to live",
      default: String(DEFAULT_OPTIONS.claimTtlSeconds),
    },
    'sweep-every': {
      ...seconds,
      description: 'simulated seconds between sweeps',
      default: String(DEFAULT_OPTIONS.sweepEverySeconds),
    },
    ramp: {
      type: 'string',
      value: 'R1,R2,...|none',
      description: "the one-deal ramp's claims per simulated second, a step each; none skips it",
      default: DEFAULT_OPTIONS.rampRates.join(','),
    },
    'ramp-step': {
      ...seconds,
      description: 'simulated seconds each ramp step lasts',
      default: String(DEFAULT_OPTIONS.rampStepSeconds),
    },
    'ramp-shards': {
      type: 'string',
      value: 'K',
      description: "stock shards of the ramp's deal, 1 to 64",
      default: String(DEFAULT_OPTIONS.rampShards),
    },
    wcu: {
      ...number,
      description: 'write units per second per partition',
      default: String(P.writeUnitsPerSecond),
    },
    rcu: {
      ...number,
      description: 'read units per second per partition',
      default: String(P.readUnitsPerSecond),
    },
    'burst-seconds': {
      ...seconds,
      description: 'unused capacity a partition keeps, in seconds',
      default: String(P.burstSeconds),
    },
    'initial-burst': {
      ...seconds,
      description: 'capacity a partition has banked when first touched, in seconds',
      default: String(P.initialBurstSeconds),
    },
    'lost-answers': {
      ...share,
      description: 'share of admitted writes that land but lose their answer',
      default: String(P.lostAnswerShare),
    },
    'slow-share': { ...share, description: 'share of attempts answered late', default: String(P.slowShare) },
    'slow-ms': {
      type: 'string',
      value: 'MS',
      description: 'how late, in simulated ms',
      default: String(P.slowMs),
    },
    'latency-ms': {
      type: 'string',
      value: 'MS',
      description: "simulated ms every attempt takes (DynamoDB's own latency)",
      default: String(P.latencyMs),
    },
    seed: {
      ...number,
      description: 'seed of the random choices, to repeat a run',
      default: String(DEFAULT_OPTIONS.seed),
    },
    out: {
      type: 'string',
      value: 'DIR',
      description: 'where the HTML and JSON reports go',
      default: DEFAULT_OPTIONS.outDir,
    },
  },
  notes: ['Progress goes to stderr. Numbers are >= 0; values past a limit are brought to it.'],
});

type SimulateOption = keyof typeof SIMULATE_CLI.options;

/** The settings a command line asks for; throws UsageError on a bad value. */
export const simulationOptions = ({
  values,
}: CommandLine<typeof SIMULATE_CLI.options>): SimulationOptions => {
  const options: SimulationOptions = { ...DEFAULT_OPTIONS, partitions: { ...DEFAULT_OPTIONS.partitions } };
  const p = options.partitions;
  // One setter per option: the type makes a new option in the table fail to compile until it has one.
  const set: Record<SimulateOption, (raw: string, n: () => number) => void> = {
    viewers: (_, n) => {
      options.viewers = Math.floor(n());
    },
    containers: (_, n) => {
      options.containers = Math.max(1, Math.floor(n()));
    },
    dilation: (_, n) => {
      // 0 is the discrete-event clock; a dilated clock below 0.1 would outrun the wall clock.
      const dilation = n();
      options.dilation = dilation > 0 ? Math.max(0.1, dilation) : 0;
    },
    'rush-seconds': (_, n) => {
      options.rushSeconds = Math.max(0.1, n());
    },
    'big-stock': (_, n) => {
      options.bigStock = Math.max(1, Math.floor(n()));
    },
    'keyed-share': (_, n) => {
      options.keyedShare = Math.min(1, n());
    },
    ttl: (_, n) => {
      options.claimTtlSeconds = Math.max(1, Math.floor(n()));
    },
    'sweep-every': (_, n) => {
      options.sweepEverySeconds = Math.max(0.5, n());
    },
    ramp: (raw) => {
      // A rate of 0 is no step, as before; a word is a mistake.
      if (raw === 'none') options.rampRates = [];
      else options.rampRates = raw.split(',').flatMap((rate) => numberValue('ramp', rate) || []);
    },
    'ramp-step': (_, n) => {
      options.rampStepSeconds = Math.max(0.1, n());
    },
    'ramp-shards': (_, n) => {
      options.rampShards = Math.min(64, Math.max(1, Math.floor(n())));
    },
    wcu: (_, n) => {
      p.writeUnitsPerSecond = n();
    },
    rcu: (_, n) => {
      p.readUnitsPerSecond = n();
    },
    'burst-seconds': (_, n) => {
      p.burstSeconds = n();
    },
    'initial-burst': (_, n) => {
      p.initialBurstSeconds = n();
    },
    'lost-answers': (_, n) => {
      p.lostAnswerShare = Math.min(1, n());
    },
    'slow-share': (_, n) => {
      p.slowShare = Math.min(1, n());
    },
    'slow-ms': (_, n) => {
      p.slowMs = n();
    },
    'latency-ms': (_, n) => {
      p.latencyMs = n();
    },
    seed: (_, n) => {
      options.seed = Math.floor(n());
    },
    out: (raw) => {
      options.outDir = raw;
    },
  };
  for (const [name, raw] of Object.entries(values)) {
    if (typeof raw === 'string') set[name as SimulateOption](raw, () => numberValue(name, raw));
  }
  return options;
};

/** A small seeded generator (mulberry32), so a run can be repeated. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};
