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
 * At dilation 0 the clock is a discrete-event clock (the default): it stands still while anything works and
 * moves only when every call under way waits in simulated time (`fastForward`) or the caller `skip`s, so a
 * store call costs its modelled latency (to the next whole simulated ms) whatever the simulator's own pace; the governor has
 * nothing to do.
 *
 * `skip` jumps the clock forward while nothing is in flight (waiting out a 60 s hold need not take
 * 20 minutes): nothing happens in the skipped time, so the partitions simply bank capacity, as they would.
 * `fastForward` does the same to the next pending `sleep` when the caller knows no request is in flight:
 * every wait of the simulation outside a request goes through `sleep`, so nothing is skipped over.
 */

/** The simulation's time: `now` in simulated ms, `sleep` for simulated ms. */
export interface SimTime {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** A fixed start, so reports from different runs line up. */
export const SIM_EPOCH = Date.UTC(2026, 0, 1, 20, 0, 0);

interface Sleeper {
  at: number;
  wake: () => void;
}

/** A min-heap of sleepers by instant: tens of thousands of viewers wait at once, woken by one ticking timer. */
class SleeperHeap {
  private readonly items: Sleeper[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Sleeper | undefined {
    return this.items[0];
  }

  push(sleeper: Sleeper): void {
    const items = this.items;
    items.push(sleeper);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as Sleeper).at <= sleeper.at) break;
      items[i] = items[parent] as Sleeper;
      i = parent;
    }
    items[i] = sleeper;
  }

  pop(): Sleeper | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child =
        right < items.length && (items[right] as Sleeper).at < (items[left] as Sleeper).at ? right : left;
      if ((items[child] as Sleeper).at >= last.at) break;
      items[i] = items[child] as Sleeper;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

/** How often (wall ms) due sleepers are woken. */
const TICK_MS = 2;

/**
 * The discrete clock's resolution: a wait ends at the first whole simulated millisecond at or after its instant.
 * Every jump is a round trip of the whole simulator (wake, send, the store answers, park); waits ending on distinct
 * instants would cost one each, and the simulator would spend its time waiting on itself. On ticks, the calls due
 * in one millisecond go together. A wait lasts up to 1 ms longer than asked, less than DynamoDB's own jitter.
 */
const TICK_SIM_MS = 1;

export class DilatedTime implements SimTime {
  private anchorWall = performance.now();
  private anchorSim: number;
  private readonly pending = new SleeperHeap();
  private ticker: NodeJS.Timeout | undefined;
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

  /** Dilation 0: the clock moves only by `fastForward` and `skip`. */
  get discrete(): boolean {
    return this.baseDilation === 0;
  }

  now(): number {
    if (this.discrete) return this.anchorSim;
    return this.anchorSim + (performance.now() - this.anchorWall) / this.current;
  }

  /** Simulated ms since the start. */
  elapsed(): number {
    return this.now() - this.start;
  }

  private wakeDue(): void {
    const now = this.now();
    for (let next = this.pending.peek(); next !== undefined && next.at <= now; next = this.pending.peek())
      this.pending.pop()?.wake();
    if (this.pending.size === 0 && this.ticker !== undefined) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.discrete) {
        // Waits end on whole ticks, so one jump wakes every call due in it (see TICK_SIM_MS).
        const at = Math.ceil((this.anchorSim + Math.max(0, ms)) / TICK_SIM_MS) * TICK_SIM_MS;
        this.pending.push({ at, wake: resolve });
        if (at <= this.anchorSim) this.wakeSoon();
        return;
      }
      this.pending.push({ at: this.now() + ms, wake: resolve });
      this.ticker ??= setInterval(() => this.wakeDue(), TICK_MS);
    });
  }

  private waking = false;

  /** Discrete clock: wakes what is already due once the code running now has handed back. */
  private wakeSoon(): void {
    if (this.waking) return;
    this.waking = true;
    setImmediate(() => {
      this.waking = false;
      this.wakeDue();
    });
  }

  /** Sleeps until simulated instant `at` (at once if it is past). */
  until(at: number): Promise<void> {
    return this.sleep(at - this.now());
  }

  /** Simulated time runs `dilation` times slower than wall time from now on; pending sleeps keep their instants. */
  setDilation(dilation: number): void {
    if (this.discrete) return;
    this.anchorSim = this.now();
    this.anchorWall = performance.now();
    this.current = dilation;
    this.peakDilation = Math.max(this.peakDilation, dilation);
  }

  /** Moves the clock forward by `ms` at once; only while no request is in flight. */
  skip(ms: number): void {
    this.anchorSim += Math.max(0, ms);
  }

  /** Jumps to the earliest pending sleep and wakes every sleep due by then; only while no request is in flight. */
  fastForward(): void {
    const earliest = this.pending.peek()?.at;
    if (earliest === undefined) return;
    this.anchorSim += Math.max(0, earliest - this.now());
    this.wakeDue();
  }
  /**
   * Adapts the dilation to the event loop's lag, checked every `everyMs` wall ms: lagging more than
   * `lagMs` raises it by a quarter (up to `maxDilation`); keeping well up lowers it by a tenth, never below
   * the starting dilation. Returns the function that stops it.
   */
  govern(options: { maxDilation: number; lagMs?: number; everyMs?: number }): () => void {
    if (this.discrete) return () => {};
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
