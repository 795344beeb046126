/**
 * A partition's throughput as a token bucket: `ratePerSecond` tokens a second, and unused tokens kept up to
 * `burstSeconds` worth, as DynamoDB's burst capacity does. AWS documents it: "DynamoDB currently retains up
 * to 5 minutes (300 seconds) of unused read and write capacity" and "Burst capacity can't alleviate
 * partition-level throttling ... per partition limits of 3,000 RCU or 1,000 WCU per second"
 * (https://repost.aws/knowledge-center/dynamodb-spiky-workloads-short-intervals, "Using burst capacity
 * effectively" in the DynamoDB developer guide). The two statements pull apart; this model lets a partition
 * bank up to `burstSeconds` of its own rate, and a partition the gala creates starts with only
 * `initialSeconds` banked (a new hot key has not been idle for 5 minutes, and burst is best effort).
 * Time is the simulation's clock (milliseconds), never the wall clock.
 */
export interface BucketSettings {
  ratePerSecond: number;
  /** Unused capacity kept, in seconds of rate (DynamoDB: up to 300). */
  burstSeconds: number;
  /** Capacity banked when the partition is first touched, in seconds of rate. */
  initialSeconds: number;
}

export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly settings: BucketSettings,
    now: number,
  ) {
    this.tokens = settings.ratePerSecond * settings.initialSeconds;
    this.at = now;
  }

  private refill(now: number): void {
    if (now <= this.at) return;
    const cap = this.settings.ratePerSecond * Math.max(this.settings.burstSeconds, 1);
    this.tokens = Math.min(cap, this.tokens + ((now - this.at) / 1000) * this.settings.ratePerSecond);
    this.at = now;
  }

  /** Tokens available at `now` (may be negative after a request that cost more than was left). */
  available(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  /**
   * Whether a request estimated at `units` is admitted now. DynamoDB admits on what it knows before the
   * request runs; the actual cost is taken afterwards with `spend`, and may leave the bucket in debt.
   */
  admits(units: number, now: number): boolean {
    this.refill(now);
    return this.tokens >= Math.min(units, this.settings.ratePerSecond);
  }

  /** Drops whatever is banked (a debt stays): from now on the bucket gives only what it refills. */
  drain(now: number): void {
    this.refill(now);
    this.tokens = Math.min(this.tokens, 0);
  }

  spend(units: number, now: number): void {
    this.refill(now);
    this.tokens -= units;
  }
}
