/** Request-shape schemas shared by several routes. Built once at module load, never per request. */
import * as z from 'zod/mini';
import { dealIdSchema, idempotencyKeySchema, streamIdSchema } from '../domain/identifiers.js';

/** Coupon codes travel in the path; printable ASCII only, since they become part of a key. */
export const couponCodeSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(64),
    z.regex(/^[\x21-\x7E]+$/, 'Must be printable ASCII without spaces.'),
  );

export const dealPathSchema = z.strictObject({ dealId: dealIdSchema });
export type DealPath = z.infer<typeof dealPathSchema>;

export const streamPathSchema = z.strictObject({ streamId: streamIdSchema });

export const couponCodePathSchema = z.strictObject({ code: couponCodeSchema });
export type CouponCodePath = z.infer<typeof couponCodePathSchema>;

/** The optional Idempotency-Key header. Not strict: requests carry many other headers, and only this one matters. */
export const idempotencyHeadersSchema = z.object({ 'idempotency-key': z.optional(idempotencyKeySchema) });
export type IdempotencyHeaders = z.infer<typeof idempotencyHeadersSchema>;
