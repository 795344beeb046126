/**
 * The simulation's clock. The embedded store on two shared cores cannot answer a 40,000-viewer gala in real
 * time, so simulated time runs `dilation` times slower than the wall clock: one simulated second lasts
 * `dilation` wall seconds, and everything that waits (the SDK's retry backoff, modelled latency, the
 * engine's replay wait, arrivals) is stretched by the same factor. The store's own answer time shrinks by it
 * instead: at dilation 20 a 10 ms answer counts as 0.5 ms, which is why a modelled latency is added per call.
 *
 * When the process itself falls behind (the embedded store and the engines share its one thread), a request
 * would look slow in simulated time for no reason DynamoDB has. `govern` watches the event loop's lag and
 * raises the dilation while it lags (lowering it again, never below the starting one, when it keeps up), so
 * the simulator's own slowness stretches wall time instead of simulated latency.
 *
 * `skip` jumps the clock forward while nothing is in flight (waiting out a 60 s hold need not take
 * 20 minutes): nothing happens in the skipped time, so the partitions simply bank capacity, as they would.
 * `fastForward` does the same to the next pending `sleep` when the caller knows no request is in flight:
 * every wait of the simulation outside a request goes through `sleep`, so nothing is skipped over.
 */
import type { SimTime } from './partition-model.js';

/** A fixed start, so reports from different runs line up. */
export const SIM_EPOCH = Date.UTC(2026, 0, 1, 20, 0, 0);

interface Sleeper {
  at: number;
  wake: () => void;
  timer: NodeJS.Timeout | undefined;
}

export class DilatedTime implements SimTime {
  private anchorWall = performance.now();
  private anchorSim: number;
  private readonly pending = new Set<Sleeper>();
  private current: number;
  /** The highest dilation the governor reached. */
  peakDilation: number;

  constructor(
    private readonly baseDilation: number,
    private readonly start = SIM_EPOCH,
  ) {
    this.anchorSim = start;
    this.current = baseDilation;
    this.peakDilation = baseDilation;
  }

  get dilation(): number {
    return this.current;
  }

  now(): number {
    return this.anchorSim + (performance.now() - this.anchorWall) / this.current;
  }

  /** Simulated ms since the start. */
  elapsed(): number {
    return this.now() - this.start;
  }

  private arm(sleeper: Sleeper): void {
    if (sleeper.timer !== undefined) clearTimeout(sleeper.timer);
    sleeper.timer = setTimeout(sleeper.wake, Math.max(0, (sleeper.at - this.now()) * this.current));
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper: Sleeper = {
        at: this.now() + ms,
        timer: undefined,
        wake: () => {
          clearTimeout(sleeper.timer);
          this.pending.delete(sleeper);
          resolve();
        },
      };
      this.pending.add(sleeper);
      this.arm(sleeper);
    });
  }

  /** Sleeps until simulated instant `at` (at once if it is past). */
  until(at: number): Promise<void> {
    return this.sleep(at - this.now());
  }

  /** Simulated time runs `dilation` times slower than wall time from now on; pending sleeps keep their instants. */
  setDilation(dilation: number): void {
    this.anchorSim = this.now();
    this.anchorWall = performance.now();
    this.current = dilation;
    this.peakDilation = Math.max(this.peakDilation, dilation);
    for (const sleeper of this.pending) this.arm(sleeper);
  }

  /** Moves the clock forward by `ms` at once; only while no request is in flight. */
  skip(ms: number): void {
    this.anchorSim += Math.max(0, ms);
    for (const sleeper of this.pending) this.arm(sleeper);
  }

  /** Jumps to the earliest pending sleep and wakes every sleep due by then; only while no request is in flight. */
  fastForward(): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const sleeper of this.pending) earliest = Math.min(earliest, sleeper.at);
    if (!Number.isFinite(earliest)) return;
    this.anchorSim += Math.max(0, earliest - this.now());
    const now = this.now();
    for (const sleeper of [...this.pending]) if (sleeper.at <= now) sleeper.wake();
  }

  /**
   * Adapts the dilation to the event loop's lag, checked every `everyMs` wall ms: lagging more than
   * `lagMs` raises it by a quarter (up to `maxDilation`); keeping well up lowers it by a tenth, never below
   * the starting dilation. Returns the function that stops it.
   */
  govern(options: { maxDilation: number; lagMs?: number; everyMs?: number }): () => void {
    const everyMs = options.everyMs ?? 100;
    const lagMs = options.lagMs ?? 25;
    let expected = performance.now() + everyMs;
    const timer = setInterval(() => {
      const lag = performance.now() - expected;
      expected = performance.now() + everyMs;
      if (lag > lagMs && this.current < options.maxDilation)
        this.setDilation(Math.min(options.maxDilation, this.current * 1.25));
      else if (lag < lagMs / 5 && this.current > this.baseDilation)
        this.setDilation(Math.max(this.baseDilation, this.current / 1.1));
    }, everyMs);
    return () => clearInterval(timer);
  }
}
