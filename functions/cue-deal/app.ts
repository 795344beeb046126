import { SCOPES } from '../shared/domain/roles.js';
import { cueSchema } from '../shared/domain/schemas.js';
import { type HttpHandler, httpHandler } from '../shared/http/http-handler.js';
import { dealPathSchema } from '../shared/http/schemas.js';
import type { HandlerDeps } from '../shared/http/types.js';

/** POST /deals/{dealId}/cues: the engine checks that the caller hosts this deal (or is an admin). */
export const createCueDealHandler = ({ engine, logger }: HandlerDeps): HttpHandler =>
  httpHandler({
    scopes: [SCOPES.host, SCOPES.admin],
    path: dealPathSchema,
    body: cueSchema,
    logger,
    run: async ({ path, body, actor }) => ({
      statusCode: 200,
      body: await engine.cue(path.dealId, body, actor),
    }),
  });
