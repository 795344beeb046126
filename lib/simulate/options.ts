/** The simulation's parameters, their defaults, and the command line that sets them. */
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

const USAGE = `npm run simulate -- [--viewers N] [--containers N] [--dilation K] [--rush-seconds S] [--big-stock N]
  [--keyed-share F] [--ttl S] [--sweep-every S] [--ramp 2500,5000,...|none] [--ramp-step S]
  [--ramp-shards K] [--wcu N] [--rcu N]
  [--burst-seconds S] [--initial-burst S] [--lost-answers F] [--slow-share F] [--slow-ms MS] [--latency-ms MS]
  [--seed N] [--out DIR]`;

export const parseOptions = (argv: string[]): SimulationOptions => {
  const options: SimulationOptions = { ...DEFAULT_OPTIONS, partitions: { ...DEFAULT_OPTIONS.partitions } };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1] ?? '';
    const number = () => {
      const parsed = Number(value);
      if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${flag} needs a number ≥ 0\n${USAGE}`);
      i++;
      return parsed;
    };
    const p = options.partitions;
    switch (flag) {
      case '--viewers':
        options.viewers = Math.floor(number());
        break;
      case '--containers':
        options.containers = Math.max(1, Math.floor(number()));
        break;
      case '--dilation':
        // 0 is the discrete-event clock; a dilated clock below 0.1 would outrun the wall clock.
        options.dilation = number();
        if (options.dilation > 0) options.dilation = Math.max(0.1, options.dilation);
        break;
      case '--rush-seconds':
        options.rushSeconds = Math.max(0.1, number());
        break;
      case '--big-stock':
        options.bigStock = Math.max(1, Math.floor(number()));
        break;
      case '--keyed-share':
        options.keyedShare = Math.min(1, number());
        break;
      case '--ttl':
        options.claimTtlSeconds = Math.max(1, Math.floor(number()));
        break;
      case '--sweep-every':
        options.sweepEverySeconds = Math.max(0.5, number());
        break;
      case '--ramp':
        options.rampRates =
          value === 'none'
            ? []
            : value
                .split(',')
                .map(Number)
                .filter((rate) => rate > 0);
        i++;
        break;
      case '--ramp-step':
        options.rampStepSeconds = Math.max(0.1, number());
        break;
      case '--ramp-shards':
        options.rampShards = Math.min(64, Math.max(1, Math.floor(number())));
        break;
      case '--wcu':
        p.writeUnitsPerSecond = number();
        break;
      case '--rcu':
        p.readUnitsPerSecond = number();
        break;
      case '--burst-seconds':
        p.burstSeconds = number();
        break;
      case '--initial-burst':
        p.initialBurstSeconds = number();
        break;
      case '--lost-answers':
        p.lostAnswerShare = Math.min(1, number());
        break;
      case '--slow-share':
        p.slowShare = Math.min(1, number());
        break;
      case '--slow-ms':
        p.slowMs = number();
        break;
      case '--latency-ms':
        p.latencyMs = number();
        break;
      case '--seed':
        options.seed = Math.floor(number());
        break;
      case '--out':
        options.outDir = value;
        i++;
        break;
      case '--help':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
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
