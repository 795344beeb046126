/**
 * Lambda's containers: each serves one request at a time. A request takes an idle container (the most
 * recently used, as Lambda prefers warm ones), or a fresh one while fewer than `max` exist, or waits for one
 * (the account's concurrency limit).
 */
export class ContainerPool<T> {
  private readonly idle: T[] = [];
  private readonly waiting: ((container: T) => void)[] = [];
  created = 0;
  busy = 0;
  peakBusy = 0;
  /** Requests that had to wait for a container. */
  queued = 0;
  private onQuiet: (() => void) | undefined;

  constructor(
    private readonly max: number,
    private readonly create: () => T,
  ) {}

  private async acquire(): Promise<T> {
    const warm = this.idle.pop();
    if (warm !== undefined) return warm;
    if (this.created < this.max) {
      this.created++;
      return this.create();
    }
    this.queued++;
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(container: T): void {
    const next = this.waiting.shift();
    if (next) next(container);
    else this.idle.push(container);
  }

  /** Runs one request on one container. */
  async serve<R>(request: (container: T) => Promise<R>): Promise<R> {
    const container = await this.acquire();
    this.busy++;
    this.peakBusy = Math.max(this.peakBusy, this.busy);
    try {
      return await request(container);
    } finally {
      this.busy--;
      this.release(container);
      if (this.quiet) this.onQuiet?.();
    }
  }

  /** No request is being served or waiting for a container. */
  get quiet(): boolean {
    return this.busy === 0 && this.waiting.length === 0;
  }

  /**
   * While the pool is quiet, or every store call under way waits in simulated time (`store.allParked`: the
   * partition model's latency and backoff), lets `time` jump to the next thing scheduled, so simulated
   * stretches in which nothing reaches the store cost no wall time. Checked as soon as the last request ends
   * or a call starts waiting (once the code it hands back to has run) and every few wall ms. Returns the
   * function that stops it.
   */
  skipIdle(
    time: { fastForward(): void },
    store: { allParked: boolean; onParked: (() => void) | undefined } = {
      allParked: false,
      onParked: undefined,
    },
  ): () => void {
    // Requests may be under way as long as every store call they wait for waits in simulated time.
    const idle = () => this.quiet || store.allParked;
    let checking = false;
    const check = () => {
      checking = false;
      if (idle()) time.fastForward();
    };
    this.onQuiet = () => {
      if (checking) return;
      checking = true;
      setImmediate(check);
    };
    store.onParked = this.onQuiet;
    const timer = setInterval(() => {
      if (idle()) time.fastForward();
    }, 5);
    return () => {
      clearInterval(timer);
      this.onQuiet = undefined;
      store.onParked = undefined;
    };
  }
}
