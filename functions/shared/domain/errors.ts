/**
 * One error hierarchy for the whole engine. Each class carries its public code and HTTP status; the HTTP
 * layer maps them in one place by `instanceof DomainError`. Anything that is not a DomainError is our fault
 * and becomes a generic 500 (the middy `expose` rule: only < 500 is shown to the caller), or a 503 when it is
 * transient (a store fault, or a `TransientFault`).
 */
export interface ErrorDetail {
  field?: string;
  message: string;
  [key: string]: unknown;
}

export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly statusCode: number;
  readonly details?: ErrorDetail[] | Record<string, unknown>;

  constructor(
    message: string,
    options?: { cause?: unknown; details?: ErrorDetail[] | Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.details !== undefined) this.details = options.details;
  }

  get expose(): boolean {
    return this.statusCode < 500;
  }
}

export class ValidationFailed extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  readonly statusCode = 400;
  constructor(details: ErrorDetail[], message = 'The request is not valid.') {
    super(message, { details });
  }
}

export class Unauthorized extends DomainError {
  readonly code = 'UNAUTHORIZED';
  readonly statusCode = 401;
  constructor(message = 'A valid bearer token is required.') {
    super(message);
  }
}

export class Forbidden extends DomainError {
  readonly code = 'FORBIDDEN';
  readonly statusCode = 403;
  constructor(message = 'You are not allowed to do this.') {
    super(message);
  }
}

export class DealNotFound extends DomainError {
  readonly code = 'DEAL_NOT_FOUND';
  readonly statusCode = 404;
  constructor(dealId: string) {
    super(`Deal ${dealId} does not exist.`);
  }
}

export class PriceDropNotFound extends DomainError {
  readonly code = 'PRICE_DROP_NOT_FOUND';
  readonly statusCode = 404;
  constructor(galaId: string, dropId: string) {
    super(`Gala ${galaId} has no price drop ${dropId}.`);
  }
}

/** Also used for someone else's coupon: never reveal that a code exists. */
export class CouponNotFound extends DomainError {
  readonly code = 'COUPON_NOT_FOUND';
  readonly statusCode = 404;
  constructor() {
    super('No such coupon.');
  }
}

export class SoldOut extends DomainError {
  readonly code = 'SOLD_OUT';
  readonly statusCode = 409;
  constructor(dealId: string) {
    super(`Deal ${dealId} is sold out.`);
  }
}

export class LimitReached extends DomainError {
  readonly code = 'LIMIT_REACHED';
  readonly statusCode = 409;
  constructor(limit: number) {
    super(`You already hold the most coupons this deal allows per viewer (${limit}).`, {
      details: { perViewerLimit: limit },
    });
  }
}

export class DealNotLive extends DomainError {
  readonly code = 'DEAL_NOT_LIVE';
  readonly statusCode = 409;
  constructor(dealId: string, status: string) {
    super(`Deal ${dealId} is not live (it is ${status}).`, { details: { status } });
  }
}

export class AlreadyRedeemed extends DomainError {
  readonly code = 'ALREADY_REDEEMED';
  readonly statusCode = 409;
  constructor() {
    super('This coupon was already redeemed for another order.');
  }
}

export class InvalidTransition extends DomainError {
  readonly code = 'INVALID_TRANSITION';
  readonly statusCode = 409;
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, details === undefined ? undefined : { details });
  }
}

/**
 * A cue newer than the last one applied that the deal's status does not allow yet: on the bus it may have
 * overtaken an earlier cue still in flight, so its delivery is retried rather than dropped. Over HTTP it is
 * an ordinary INVALID_TRANSITION.
 */
export class CueNotYetApplicable extends InvalidTransition {}

/** A cue older than the last one applied to the deal arrived late: applying it would undo newer intent. */
export class StaleCue extends DomainError {
  readonly code = 'STALE_CUE';
  readonly statusCode = 409;
  constructor(cueAt: string, lastCueAt: string) {
    super('This cue is older than the last cue applied to the deal; it was not applied.', {
      details: { at: cueAt, lastAppliedAt: lastCueAt },
    });
  }
}

/** The first attempt with this Idempotency-Key has not finished yet; the caller retries shortly. */
export class ClaimInProgress extends DomainError {
  readonly code = 'CLAIM_IN_PROGRESS';
  readonly statusCode = 409;
  constructor() {
    super('A claim with this Idempotency-Key is still in progress; retry shortly.');
  }
}

/**
 * The first request with this Idempotency-Key (same caller and route) is still running, or died less than its
 * lease ago; the caller retries after `retryAfterSeconds`.
 */
export class RequestInProgress extends DomainError {
  readonly code = 'REQUEST_IN_PROGRESS';
  readonly statusCode = 409;
  readonly retryAfterSeconds = 1;
  constructor() {
    super('A request with this Idempotency-Key is still in progress; retry shortly.');
  }
}

/** The Idempotency-Key was used for another request (another body or path) on this route: nothing was done. */
export class IdempotencyKeyReused extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  readonly statusCode = 422;
  constructor() {
    super('This Idempotency-Key was already used for a different request.');
  }
}

export class CouponExpired extends DomainError {
  readonly code = 'COUPON_EXPIRED';
  readonly statusCode = 410;
  constructor() {
    super('This coupon has expired.');
  }
}

export class PayloadTooLarge extends DomainError {
  readonly code = 'PAYLOAD_TOO_LARGE';
  readonly statusCode = 413;
  constructor(limitBytes: number) {
    super(`The request body is larger than ${limitBytes} bytes.`, { details: { limitBytes } });
  }
}

export class UnsupportedMediaType extends DomainError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  readonly statusCode = 415;
  constructor() {
    super('The request body must be application/json.');
  }
}

/**
 * A caller went over a rate limit whose count lives in the store (so it holds across containers). The
 * window's remaining seconds travel as Retry-After.
 */
export class RateLimited extends DomainError {
  readonly code = 'RATE_LIMITED';
  readonly statusCode = 429;
  constructor(
    readonly retryAfterSeconds: number,
    limit: { scope: string; limit: number; windowSeconds: number },
  ) {
    super(`Too many requests; retry in ${retryAfterSeconds} s.`, {
      details: { ...limit, retryAfterSeconds },
    });
  }
}

/**
 * Our fault, but nothing happened and a retry can succeed: answered 503 with Retry-After, like a throttled store.
 * Not a DomainError, so its message stays in the log.
 */
export class TransientFault extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Our fault, and what the request had written was undone (a price drop cancelled when its schedule could not
 * be created): a retry with the same Idempotency-Key runs afresh instead of finishing the undone attempt.
 */
export class RequestUndone extends TransientFault {}

/** A claim outlived the claim grace: the reconciler took its unit back (or voided its code) and freed its slot. */
export class ClaimAbandoned extends TransientFault {}

/** The channel refused timed metadata for now (IVS allows 5 puts a second per channel): put it again later. */
export class MetadataThrottled extends TransientFault {}
