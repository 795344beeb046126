import { SCOPES } from '../shared/domain/roles.js';
import { checkoutSchema } from '../shared/domain/schemas.js';
import { type HttpHandler, httpHandler } from '../shared/http/http-handler.js';
import { couponCodePathSchema } from '../shared/http/schemas.js';
import type { HandlerDeps } from '../shared/http/types.js';
import type { LivedropEngine } from '../shared/use-cases/types.js';

/** POST /coupons/{code}/redemptions: checkout spends a coupon on an order. */
export const createRedeemCouponHandler = ({
  engine,
  logger,
}: HandlerDeps<Pick<LivedropEngine, 'redeem'>>): HttpHandler =>
  httpHandler({
    scopes: [SCOPES.checkout],
    path: couponCodePathSchema,
    body: checkoutSchema,
    logger,
    run: async ({ path, body, actor }) => ({
      statusCode: 200,
      body: await engine.redeem(path.code, body, actor),
    }),
  });
