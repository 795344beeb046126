/**
 * The claim button's rules (pure, unit-tested): one Idempotency-Key per tap, reused by the automatic retries
 * of that tap, and by the next tap too when the last one ended without a known outcome (no answer, or the
 * claim still in progress): the engine may have granted a coupon to it, and the same key finds that coupon
 * instead of granting a second one.
 */

export class ClaimTaps {
  /** The key of a tap whose outcome is unknown. */
  private pending: string | undefined;

  constructor(private readonly newKey: () => string) {}

  /** The key for a new tap. */
  keyForTap(): string {
    this.pending ??= this.newKey();
    return this.pending;
  }

  /** `answered`: the engine said yes or no, so the next tap is a new request; `unknown`: keep the key. */
  settle(outcome: 'answered' | 'unknown'): void {
    if (outcome === 'answered') this.pending = undefined;
  }
}

export const MAX_ATTEMPTS = 5;

/**
 * How long to wait before retrying an attempt (1-based) that failed with `status` and `code`, or undefined
 * when it must not be retried: the engine's own refusals (sold out, limit, not live, its rate limit) are
 * answers; no answer (status 0), a claim in progress, API Gateway's throttle (429 without a code) and 5xx are
 * retried with the same key, honouring Retry-After up to 5 s.
 */
export const retryDelayMs = (
  attempt: number,
  status: number,
  code: string | undefined,
  retryAfterSeconds?: number,
): number | undefined => {
  if (attempt >= MAX_ATTEMPTS) return undefined;
  const retryable =
    status === 0 || code === 'CLAIM_IN_PROGRESS' || (status === 429 && code === undefined) || status >= 500;
  if (!retryable) return undefined;
  const backoff = Math.min(4_000, 250 * 2 ** (attempt - 1));
  return retryAfterSeconds === undefined
    ? backoff
    : Math.min(5_000, Math.max(backoff, retryAfterSeconds * 1000));
};

/** Whether a failed attempt leaves the claim's outcome unknown (so the next tap reuses the key). */
export const isUnknownOutcome = (status: number, code: string | undefined): boolean =>
  status === 0 || code === 'CLAIM_IN_PROGRESS' || status >= 500;

/** A coupon as the wallet lists it: enough to tell whether it still takes the viewer's place on its deal. */
export interface CouponState {
  status: string;
  expiresAt: string;
}

/**
 * Whether a coupon still takes one of the viewer's places on its deal (the engine's perViewerLimit): ISSUED
 * within its hold, or REDEEMED (a redemption keeps its place; viewer-slots.ts frees only expired and void ones).
 * A coupon released after its hold, or expired, takes none.
 */
export const takesPlace = (coupon: CouponState, now: number): boolean =>
  coupon.status === 'REDEEMED' || (coupon.status === 'ISSUED' && Date.parse(coupon.expiresAt) > now);

export interface ClaimButton {
  phrase: 'claim' | 'claiming' | 'haveCoupon';
  disabled: boolean;
}

/** The viewer's newest coupon that still takes a place on its deal: what the deal's card shows. */
export const heldOf = <C extends CouponState>(coupons: readonly C[], now: number): C | undefined =>
  coupons.find((coupon) => takesPlace(coupon, now));

/**
 * What the claim button says and whether it takes a tap. Once the viewer's coupons of the deal (from the wallet,
 * or the claim's answer) take as many places as the deal's perViewerLimit, another tap would only be answered
 * LIMIT_REACHED, so the button says the viewer has their coupon instead.
 */
export const claimButton = (card: {
  busy: boolean;
  soldOut: boolean;
  paused: boolean;
  /** The viewer's coupons of the deal, any status. */
  coupons: readonly CouponState[];
  perViewerLimit: number;
  now: number;
}): ClaimButton => {
  if (card.busy) return { phrase: 'claiming', disabled: true };
  const taken = card.coupons.filter((coupon) => takesPlace(coupon, card.now)).length;
  if (taken >= card.perViewerLimit) return { phrase: 'haveCoupon', disabled: true };
  return { phrase: 'claim', disabled: card.soldOut || card.paused };
};
