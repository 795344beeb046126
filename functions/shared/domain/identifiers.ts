/**
 * The identifier schemas and status lists: what every request path needs to parse its path, caller and
 * headers. Kept apart from schemas.ts so a function that parses only these (the claim) does not build every
 * input and view schema at its cold start; schemas.ts re-exports them, so it stays the one place to look.
 */

import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// Only the English messages: `z.locales` would pull every locale into each Lambda bundle (~270 KB).
z.config(en());

/** The `source` of every event livedrop publishes. */
export const EVENT_SOURCE = 'livedrop';

export const DEAL_STATUSES = ['SCHEDULED', 'LIVE', 'PAUSED', 'ENDED'] as const;
export const COUPON_STATUSES = ['ISSUED', 'REDEEMED', 'EXPIRED'] as const;
export const CUE_ACTIONS = ['start', 'pause', 'resume', 'end', 'restock', 'extend'] as const;

export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Identifiers that end up as the last component of a key: printable, no control characters. */
export const identifier = (max: number) =>
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(max),
      z.regex(/^[\x21-\x7E]+$/, 'Must be printable ASCII without spaces.'),
    );

export const dealIdSchema = z.string().check(z.regex(ULID_PATTERN, 'Must be a ULID.'));
export const principalIdSchema = identifier(256);
export const streamIdSchema = identifier(128);
export const idempotencyKeySchema = identifier(128);
export const orderIdSchema = identifier(128);
