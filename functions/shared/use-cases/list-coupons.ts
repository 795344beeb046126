import { isViewerCouponsKey } from '../data/coupon.js';
import { ValidationFailed } from '../domain/errors.js';
import { type Context, nowIso } from './context.js';
import type { CouponPage } from './types.js';
import { toCouponView } from './views.js';

/** A viewer's coupons, newest first, a page at a time. */
export const listCoupons = async (
  ctx: Context,
  viewerId: string,
  page: { limit?: number; cursor?: string },
): Promise<CouponPage> => {
  const startKey = page.cursor === undefined ? undefined : decodeCursor(page.cursor, viewerId);
  const { items, lastKey } = await ctx.store.queryViewerCoupons(viewerId, page.limit ?? 50, startKey);
  const now = nowIso(ctx);
  return {
    coupons: items.map((item) => toCouponView(item, now)),
    ...(lastKey ? { nextCursor: encodeCursor(lastKey) } : {}),
  };
};

const encodeCursor = (key: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(key)).toString('base64url');

const decodeCursor = (cursor: string, viewerId: string): Record<string, unknown> => {
  const invalid = () =>
    new ValidationFailed([{ field: 'query.cursor', message: 'Not a cursor from this listing.' }]);
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof key !== 'object' || key === null) throw invalid();
  const fields = key as Record<string, unknown>;
  if (!isViewerCouponsKey(fields, viewerId)) throw invalid();
  return fields;
};
