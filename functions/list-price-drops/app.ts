import { galaPathSchema } from '../create-price-drop/app.js';
import { SCOPES } from '../shared/domain/roles.js';
import { type HttpHandler, httpHandler } from '../shared/http/http-handler.js';
import type { HandlerDeps } from '../shared/http/types.js';
import type { LivedropEngine } from '../shared/use-cases/types.js';

/** GET /galas/{galaId}/price-drops: the gala's drops, newest first, with per-deal results once applied. */
export const createListPriceDropsHandler = ({
  engine,
  logger,
}: HandlerDeps<Pick<LivedropEngine, 'listPriceDrops'>>): HttpHandler =>
  httpHandler({
    scopes: [SCOPES.admin],
    path: galaPathSchema,
    logger,
    run: async ({ path }) => ({ statusCode: 200, body: { drops: await engine.listPriceDrops(path.galaId) } }),
  });
