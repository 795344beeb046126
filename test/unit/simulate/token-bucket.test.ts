import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../lib/simulate/token-bucket.js';

describe('a partition token bucket', () => {
  it('admits up to what a cold partition has banked, then refuses', () => {
    // prepare: 1,000 units a second, one second banked
    const bucket = new TokenBucket({ ratePerSecond: 1_000, burstSeconds: 300, initialSeconds: 1 }, 0);
    // act
    bucket.spend(1_000, 0);
    // assert
    expect(bucket.admits(1, 0)).toBe(false);
  });

  it('refills at its rate by the simulated clock', () => {
    const bucket = new TokenBucket({ ratePerSecond: 1_000, burstSeconds: 300, initialSeconds: 0 }, 0);
    expect(bucket.admits(1, 0)).toBe(false);
    expect(bucket.available(500)).toBe(500);
    expect(bucket.admits(400, 500)).toBe(true);
  });

  it('keeps unused capacity only up to its burst seconds', () => {
    // prepare
    const bucket = new TokenBucket({ ratePerSecond: 1_000, burstSeconds: 300, initialSeconds: 0 }, 0);
    // act: an hour idle
    const banked = bucket.available(3_600_000);
    // assert
    expect(banked).toBe(300_000);
  });

  it('may go into debt when a request cost more than was left, and refuses until repaid', () => {
    const bucket = new TokenBucket({ ratePerSecond: 10, burstSeconds: 1, initialSeconds: 1 }, 0);
    bucket.spend(15, 0);
    expect(bucket.available(0)).toBe(-5);
    expect(bucket.admits(1, 400)).toBe(false);
    expect(bucket.admits(1, 600)).toBe(true);
  });
});
