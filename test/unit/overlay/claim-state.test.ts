import { describe, expect, it } from 'vitest';
import {
  ClaimTaps,
  claimButton,
  isUnknownOutcome,
  MAX_ATTEMPTS,
  retryDelayMs,
} from '../../../lib/overlay/claim-state.js';

/** The claim button: one Idempotency-Key per tap, the same key for that tap's retries. */

const keys = () => {
  let n = 0;
  return () => `key-${++n}`;
};

describe('the Idempotency-Key of a tap', () => {
  it('is fresh for each tap that got an answer', () => {
    const taps = new ClaimTaps(keys());

    const first = taps.keyForTap();
    taps.settle('answered');
    const second = taps.keyForTap();

    expect(first).toBe('key-1');
    expect(second).toBe('key-2');
  });

  it('is reused by the next tap when the last one’s outcome is unknown (it may hold a coupon)', () => {
    const taps = new ClaimTaps(keys());

    const first = taps.keyForTap();
    taps.settle('unknown');
    const retry = taps.keyForTap();
    taps.settle('answered');

    expect(retry).toBe(first);
    expect(taps.keyForTap()).toBe('key-2');
  });
});

describe('retrying an attempt with the same key', () => {
  it.each([
    [0, undefined],
    [409, 'CLAIM_IN_PROGRESS'],
    [429, undefined],
    [503, 'SERVICE_UNAVAILABLE'],
    [500, undefined],
  ])('retries %d %s with a growing delay', (status, code) => {
    const first = retryDelayMs(1, status, code);
    const third = retryDelayMs(3, status, code);

    expect(first).toBe(250);
    expect(third).toBe(1_000);
  });

  it.each([
    [409, 'SOLD_OUT'],
    [409, 'LIMIT_REACHED'],
    [409, 'DEAL_NOT_LIVE'],
    [429, 'RATE_LIMITED'],
    [401, undefined],
    [404, 'DEAL_NOT_FOUND'],
  ])('takes %d %s as the answer', (status, code) => {
    expect(retryDelayMs(1, status, code)).toBeUndefined();
  });

  it('gives up after the last attempt and honours Retry-After up to 5 s', () => {
    expect(retryDelayMs(MAX_ATTEMPTS, 0, undefined)).toBeUndefined();
    expect(retryDelayMs(1, 503, 'SERVICE_UNAVAILABLE', 1)).toBe(1_000);
    expect(retryDelayMs(1, 503, 'SERVICE_UNAVAILABLE', 60)).toBe(5_000);
  });

  it('knows which failures leave the outcome unknown', () => {
    expect(isUnknownOutcome(0, undefined)).toBe(true);
    expect(isUnknownOutcome(409, 'CLAIM_IN_PROGRESS')).toBe(true);
    expect(isUnknownOutcome(503, 'SERVICE_UNAVAILABLE')).toBe(true);
    expect(isUnknownOutcome(409, 'SOLD_OUT')).toBe(false);
  });
});

describe('the claim button', () => {
  const NOW = Date.parse('2026-12-05T20:00:00Z');
  const open = { busy: false, soldOut: false, paused: false, coupons: [], perViewerLimit: 1, now: NOW };
  const issued = { status: 'ISSUED', expiresAt: '2026-12-05T20:05:00Z' };

  it('invites a tap on a live deal the viewer holds no coupon of', () => {
    const button = claimButton(open);

    expect(button).toEqual({ phrase: 'claim', disabled: false });
  });

  it('shows the coupon instead of inviting another tap while the viewer holds one (another would be LIMIT_REACHED)', () => {
    const held = claimButton({ ...open, coupons: [issued] });
    const redeemed = claimButton({ ...open, coupons: [{ ...issued, status: 'REDEEMED' }] });

    expect(held).toEqual({ phrase: 'haveCoupon', disabled: true });
    expect(redeemed).toEqual({ phrase: 'haveCoupon', disabled: true });
  });

  it('is claimable again once the coupon no longer takes the viewer’s place: its hold ran out, or it expired', () => {
    const holdRanOut = claimButton({ ...open, coupons: [issued], now: Date.parse(issued.expiresAt) });
    const expired = claimButton({ ...open, coupons: [{ ...issued, status: 'EXPIRED' }] });

    expect(holdRanOut).toEqual({ phrase: 'claim', disabled: false });
    expect(expired).toEqual({ phrase: 'claim', disabled: false });
  });

  it('invites another tap while the viewer holds fewer coupons than the deal’s per-viewer limit', () => {
    const oneOfTwo = claimButton({ ...open, perViewerLimit: 2, coupons: [issued] });
    const twoOfTwo = claimButton({
      ...open,
      perViewerLimit: 2,
      coupons: [issued, { ...issued, status: 'REDEEMED' }],
    });
    const oneHeldOneExpired = claimButton({
      ...open,
      perViewerLimit: 2,
      coupons: [issued, { ...issued, status: 'EXPIRED' }],
    });

    expect(oneOfTwo).toEqual({ phrase: 'claim', disabled: false });
    expect(twoOfTwo).toEqual({ phrase: 'haveCoupon', disabled: true });
    expect(oneHeldOneExpired).toEqual({ phrase: 'claim', disabled: false });
  });

  it('says the claim is under way while a tap is, and takes no tap on a sold-out or paused deal', () => {
    expect(claimButton({ ...open, busy: true })).toEqual({ phrase: 'claiming', disabled: true });
    expect(claimButton({ ...open, soldOut: true })).toEqual({ phrase: 'claim', disabled: true });
    expect(claimButton({ ...open, paused: true })).toEqual({ phrase: 'claim', disabled: true });
  });
});
