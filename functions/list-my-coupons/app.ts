import { SCOPES } from '../shared/domain/roles.js';
import { listCouponsQuerySchema, pageSizeAtMost } from '../shared/domain/schemas.js';
import { type HttpHandler, httpHandler } from '../shared/http/http-handler.js';
import type { HandlerDeps } from '../shared/http/types.js';
import type { LivedropEngine } from '../shared/use-cases/types.js';

export const MAX_PAGE_SIZE = 100;

const listQuerySchema = listCouponsQuerySchema.check(pageSizeAtMost(MAX_PAGE_SIZE));

/** GET /me/coupons: the caller's own coupons, one page at a time. */
export const createListMyCouponsHandler = ({
  engine,
  logger,
}: HandlerDeps<Pick<LivedropEngine, 'listCoupons'>>): HttpHandler =>
  httpHandler({
    scopes: [SCOPES.viewer],
    query: listQuerySchema,
    logger,
    run: async ({ query, actor }) => {
      const page = await engine.listCoupons(actor.sub, { limit: query.limit, cursor: query.cursor });
      return { statusCode: 200, body: { coupons: page.coupons, nextCursor: page.nextCursor } };
    },
  });
