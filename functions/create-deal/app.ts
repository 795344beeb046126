import { SCOPES } from '../shared/domain/roles.js';
import { createDealSchema } from '../shared/domain/schemas.js';
import { type HttpHandler, httpHandler } from '../shared/http/http-handler.js';
import { idempotencyHeaders } from '../shared/http/responses.js';
import { idempotencyHeadersSchema } from '../shared/http/schemas.js';
import type { HandlerDeps } from '../shared/http/types.js';
import type { LivedropEngine } from '../shared/use-cases/types.js';

/** POST /deals: the caller becomes the deal's host. With an Idempotency-Key a retry gets the first answer. */
export const createCreateDealHandler = ({
  engine,
  logger,
}: HandlerDeps<Pick<LivedropEngine, 'createDealKeyed'>>): HttpHandler =>
  httpHandler({
    scopes: [SCOPES.host, SCOPES.admin],
    body: createDealSchema,
    headers: idempotencyHeadersSchema,
    logger,
    run: async ({ body, actor, headers }) => {
      const key = headers['idempotency-key'];
      const { value: deal, replayed } = await engine.createDealKeyed(body, actor.sub, key);
      return {
        statusCode: 201,
        body: deal,
        headers: { location: `/deals/${deal.dealId}`, ...idempotencyHeaders(key, replayed) },
      };
    },
  });
