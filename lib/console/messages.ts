import { ApiError, NETWORK_STATUS } from './api.js';

/**
 * One sentence per error code the API documents (docs/api.md, "Errors"), written for the host at the console
 * rather than for a developer. The e2e test checks that every code of functions/shared/domain/errors.ts
 * and of the docs/api.md table has one, so a new code cannot slip through unexplained.
 */
export const ERROR_MESSAGES: Readonly<Record<string, string>> = {
  VALIDATION_FAILED: 'Some of what was sent is not valid',
  UNAUTHORIZED: 'Your sign-in is missing, expired or not valid: sign in again.',
  FORBIDDEN: 'Your token does not allow this (a host may only cue the deals they created).',
  NOT_FOUND: 'The API has no such route: is the console pointed at the right API?',
  DEAL_NOT_FOUND: 'There is no deal with that id.',
  COUPON_NOT_FOUND: 'There is no such coupon.',
  PRICE_DROP_NOT_FOUND: 'That gala has no such price drop.',
  SOLD_OUT: 'The deal is sold out: restock it to sell more.',
  LIMIT_REACHED: 'This viewer already holds as many coupons as the deal allows per viewer.',
  DEAL_NOT_LIVE: 'The deal is not live, so nobody can claim it right now.',
  ALREADY_REDEEMED: 'This coupon was already redeemed for another order.',
  INVALID_TRANSITION: 'The deal cannot do that in its current status.',
  STALE_CUE: 'A newer cue was already applied to this deal, so this one was ignored.',
  CLAIM_IN_PROGRESS: 'The same claim is still being processed; it is retried shortly.',
  REQUEST_IN_PROGRESS: 'The same request is still being processed; try again in a second.',
  IDEMPOTENCY_KEY_REUSED: 'This retry differs from the request first sent with its key; nothing was changed.',
  COUPON_EXPIRED: 'This coupon has expired.',
  HEADERS_TOO_LARGE: 'The request headers are too large (a very long token or address?).',
  RATE_LIMITED:
    'Too many requests from this account or for this coupon; wait the few seconds shown and retry.',
  PAYLOAD_TOO_LARGE: 'The request is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'The request was not sent as JSON.',
  INTERNAL: 'Something went wrong on our side; nothing was half-done. Try again.',
  SERVICE_UNAVAILABLE:
    'The store is busy or unreachable right now; nothing was half-done. Try again in a second.',
};

/** API Gateway's own refusals carry no code; say what their status means. */
const BY_STATUS: Readonly<Record<number, string>> = {
  [NETWORK_STATUS]: 'The API could not be reached (offline, wrong API address, or CORS refused).',
  401: ERROR_MESSAGES.UNAUTHORIZED as string,
  403: ERROR_MESSAGES.FORBIDDEN as string,
  404: 'Not found.',
  429: 'Too many requests right now: the API is throttling; try again in a moment.',
  500: ERROR_MESSAGES.INTERNAL as string,
  503: ERROR_MESSAGES.SERVICE_UNAVAILABLE as string,
};

const detailsText = (details: unknown): string => {
  if (!Array.isArray(details)) return '';
  const parts = details
    .filter((detail): detail is { field?: unknown; message?: unknown } => typeof detail === 'object')
    .map((detail) => {
      const field =
        typeof detail.field === 'string' ? detail.field.replace(/^(body|path|headers)\./, '') : '';
      // The sentence ends with one full stop, whatever the detail ends with.
      return `${field ? `${field}: ` : ''}${String(detail.message ?? '').replace(/\.+$/, '')}`;
    })
    .filter((part) => part.length > 0);
  return parts.length > 0 ? `: ${parts.join('; ')}` : '';
};

/** The sentence to show for a failure; an unknown code shows the server's own message. */
export const describeError = (error: unknown): string => {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  if (error.code === 'VALIDATION_FAILED')
    return `${ERROR_MESSAGES.VALIDATION_FAILED}${detailsText(error.details)}.`;
  if (error.code === 'DEAL_NOT_LIVE') {
    const status = (error.details as { status?: unknown } | undefined)?.status;
    return typeof status === 'string'
      ? `The deal is ${status.toLowerCase()}, so nobody can claim it right now.`
      : (ERROR_MESSAGES.DEAL_NOT_LIVE as string);
  }
  const known = error.code === undefined ? undefined : ERROR_MESSAGES[error.code];
  if (known) return known;
  if (error.code !== undefined) return error.message || `Error ${error.code}.`;
  return BY_STATUS[error.status] ?? (error.message || `The API answered ${error.status}.`);
};
