/**
 * The simulation's clock. The embedded store on two shared cores cannot answer a 40,000-viewer gala in real
 * time, so simulated time runs `dilation` times slower than the wall clock: one simulated second lasts
 * `dilation` wall seconds, and everything that waits (the SDK's retry backoff, modelled latency, the
 * engine's replay wait, arrivals) is stretched by the same factor. The store's own answer time shrinks by it
 * instead: at dilation 20 a 10 ms answer counts as 0.5 ms, which is why a modelled latency is added per call.
 *
 * `skip` jumps the clock forward while nothing is in flight (waiting out a 60 s hold need not take
 * 20 minutes): nothing happens in the skipped time, so the partitions simply bank capacity, as they would.
 * `fastForward` does the same to the next pending `sleep` when the caller knows no request is in flight:
 * every wait of the simulation outside a request goes through `sleep`, so nothing is skipped over.
 */
import type { SimTime } from './partition-model.js';

/** A fixed start, so reports from different runs line up. */
export const SIM_EPOCH = Date.UTC(2026, 0, 1, 20, 0, 0);

export class DilatedTime implements SimTime {
  private readonly wallStart = performance.now();
  private skipped = 0;
  private readonly pending = new Set<{ at: number; wake: () => void; timer: NodeJS.Timeout }>();

  constructor(
    readonly dilation: number,
    private readonly start = SIM_EPOCH,
  ) {}

  now(): number {
    return this.start + this.skipped + (performance.now() - this.wallStart) / this.dilation;
  }

  /** Simulated ms since the start. */
  elapsed(): number {
    return this.now() - this.start;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        at: this.now() + ms,
        wake: () => {
          clearTimeout(entry.timer);
          this.pending.delete(entry);
          resolve();
        },
        timer: setTimeout(() => entry.wake(), Math.max(0, ms * this.dilation)),
      };
      this.pending.add(entry);
    });
  }

  /** Jumps to the earliest pending sleep and wakes every sleep due by then; only while no request is in flight. */
  fastForward(): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const entry of this.pending) earliest = Math.min(earliest, entry.at);
    if (!Number.isFinite(earliest)) return;
    this.skip(earliest - this.now());
    const now = this.now();
    for (const entry of [...this.pending]) if (entry.at <= now) entry.wake();
  }

  /** Sleeps until simulated instant `at` (at once if it is past). */
  until(at: number): Promise<void> {
    return this.sleep(at - this.now());
  }

  /** Moves the clock forward by `ms` at once; only while no request is in flight. */
  skip(ms: number): void {
    this.skipped += Math.max(0, ms);
  }
}
