import * as z from 'zod/mini';
import { SCOPES } from '../shared/domain/roles.js';
import { listCouponsQuerySchema } from '../shared/domain/schemas.js';
import { type HttpHandler, httpHandler } from '../shared/http/http-handler.js';
import type { HandlerDeps } from '../shared/http/types.js';

export const MAX_PAGE_SIZE = 100;

/**
 * The shared schema only knows limit is a number; the page size range is this route's. zod runs object checks
 * even when a field failed, so a limit that is not a number yet is left to the field's own message.
 */
const listQuerySchema = listCouponsQuerySchema.check(
  z.refine(({ limit }) => typeof limit !== 'number' || (limit >= 1 && limit <= MAX_PAGE_SIZE), {
    message: `Must be between 1 and ${MAX_PAGE_SIZE}.`,
    path: ['limit'],
  }),
);

/** GET /me/coupons: the caller's own coupons, one page at a time. */
export const createListMyCouponsHandler = ({ engine, logger }: HandlerDeps): HttpHandler =>
  httpHandler({
    scopes: [SCOPES.viewer],
    query: listQuerySchema,
    logger,
    run: async ({ query, actor }) => {
      const page = await engine.listCoupons(actor.sub, { limit: query.limit, cursor: query.cursor });
      return { statusCode: 200, body: { coupons: page.coupons, nextCursor: page.nextCursor } };
    },
  });
