import { SCOPES } from '../shared/domain/roles.js';
import { type HttpHandler, httpHandler } from '../shared/http/http-handler.js';
import { dealPathSchema } from '../shared/http/schemas.js';
import type { HandlerDeps } from '../shared/http/types.js';
import type { LivedropEngine } from '../shared/use-cases/types.js';

/**
 * GET /deals/{dealId}/live: the compact view every viewer's overlay polls. Caches may keep it a second, as
 * the engine does per container.
 */
export const createGetDealLiveHandler = ({
  engine,
  logger,
}: HandlerDeps<Pick<LivedropEngine, 'liveDeal'>>): HttpHandler =>
  httpHandler({
    scopes: [SCOPES.viewer, SCOPES.host, SCOPES.checkout, SCOPES.admin],
    path: dealPathSchema,
    logger,
    run: async ({ path }) => ({
      statusCode: 200,
      body: await engine.liveDeal(path.dealId),
      headers: { 'cache-control': 'max-age=1' },
    }),
  });
