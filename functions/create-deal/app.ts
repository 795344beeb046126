import { SCOPES } from '../shared/domain/roles.js';
import { createDealSchema } from '../shared/domain/schemas.js';
import { type HttpHandler, httpHandler } from '../shared/http/http-handler.js';
import type { HandlerDeps } from '../shared/http/types.js';

/** POST /deals: the caller becomes the deal's host. */
export const createCreateDealHandler = ({ engine, logger }: HandlerDeps): HttpHandler =>
  httpHandler({
    scopes: [SCOPES.host, SCOPES.admin],
    body: createDealSchema,
    logger,
    run: async ({ body, actor }) => {
      const deal = await engine.createDeal(body, actor.sub);
      return { statusCode: 201, body: deal, headers: { location: `/deals/${deal.dealId}` } };
    },
  });
