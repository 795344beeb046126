import { SCOPES } from '../shared/domain/roles.js';
import { type HttpHandler, httpHandler } from '../shared/http/http-handler.js';
import { dealPathSchema, idempotencyHeadersSchema } from '../shared/http/schemas.js';
import type { HandlerDeps } from '../shared/http/types.js';
import type { LivedropEngine } from '../shared/use-cases/types.js';

/**
 * POST /deals/{dealId}/claims: the caller claims one coupon for themselves. A retry with the same
 * Idempotency-Key returns the coupon of the first attempt with 200 instead of 201. Any body is ignored.
 */
export const createClaimCouponHandler = ({
  engine,
  logger,
}: HandlerDeps<Pick<LivedropEngine, 'claim'>>): HttpHandler =>
  httpHandler({
    scopes: [SCOPES.viewer],
    path: dealPathSchema,
    headers: idempotencyHeadersSchema,
    logger,
    run: async ({ path, headers, actor }) => {
      const { coupon, replayed } = await engine.claim(path.dealId, actor.sub, headers['idempotency-key']);
      return { statusCode: replayed ? 200 : 201, body: coupon };
    },
  });
