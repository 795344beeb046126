import { SCOPES } from '../shared/domain/roles.js';
import { type HttpHandler, httpHandler } from '../shared/http/http-handler.js';
import { streamPathSchema } from '../shared/http/schemas.js';
import type { HandlerDeps } from '../shared/http/types.js';
import type { LivedropEngine } from '../shared/use-cases/types.js';

/** GET /streams/{streamId}/deals: the stream's current deals (not ENDED), newest first, for its overlay. */
export const createListStreamDealsHandler = ({
  engine,
  logger,
}: HandlerDeps<Pick<LivedropEngine, 'streamDeals'>>): HttpHandler =>
  httpHandler({
    scopes: [SCOPES.viewer, SCOPES.host, SCOPES.checkout, SCOPES.admin],
    path: streamPathSchema,
    logger,
    run: async ({ path }) => ({
      statusCode: 200,
      body: { deals: await engine.streamDeals(path.streamId) },
      headers: { 'cache-control': 'max-age=1' },
    }),
  });
