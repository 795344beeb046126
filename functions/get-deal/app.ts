import { SCOPES } from '../shared/domain/roles.js';
import { type HttpHandler, httpHandler } from '../shared/http/http-handler.js';
import { dealPathSchema } from '../shared/http/schemas.js';
import type { HandlerDeps } from '../shared/http/types.js';
import type { LivedropEngine } from '../shared/use-cases/types.js';

/** GET /deals/{dealId}: any signed-in role may read a deal. */
export const createGetDealHandler = ({
  engine,
  logger,
}: HandlerDeps<Pick<LivedropEngine, 'getDeal'>>): HttpHandler =>
  httpHandler({
    scopes: [SCOPES.viewer, SCOPES.host, SCOPES.checkout, SCOPES.admin],
    path: dealPathSchema,
    logger,
    run: async ({ path }) => ({ statusCode: 200, body: await engine.getDeal(path.dealId) }),
  });
