import { SCOPES } from '../shared/domain/roles.js';
import { cueSchema } from '../shared/domain/schemas.js';
import { type HttpHandler, httpHandler } from '../shared/http/http-handler.js';
import { idempotencyHeaders } from '../shared/http/responses.js';
import { dealPathSchema, idempotencyHeadersSchema } from '../shared/http/schemas.js';
import type { HandlerDeps } from '../shared/http/types.js';
import type { LivedropEngine } from '../shared/use-cases/types.js';

/**
 * POST /deals/{dealId}/cues: the engine checks that the caller hosts this deal (or is an admin). With an
 * Idempotency-Key a retry is the same cue (and gets the first answer), even without a cueId in the body.
 */
export const createCueDealHandler = ({
  engine,
  logger,
}: HandlerDeps<Pick<LivedropEngine, 'cueKeyed'>>): HttpHandler =>
  httpHandler({
    scopes: [SCOPES.host, SCOPES.admin],
    path: dealPathSchema,
    body: cueSchema,
    headers: idempotencyHeadersSchema,
    logger,
    run: async ({ path, body, actor, headers }) => {
      const key = headers['idempotency-key'];
      const { value: deal, replayed } = await engine.cueKeyed(path.dealId, body, actor, key);
      return { statusCode: 200, body: deal, headers: idempotencyHeaders(key, replayed) };
    },
  });
