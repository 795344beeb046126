import * as z from 'zod/mini';
import { SCOPES } from '../shared/domain/roles.js';
import { dealIdSchema, galaIdSchema } from '../shared/domain/schemas.js';
import { type HttpHandler, httpHandler } from '../shared/http/http-handler.js';
import type { HandlerDeps } from '../shared/http/types.js';
import type { LivedropEngine } from '../shared/use-cases/types.js';

/** Drop ids are ULIDs, like deal ids. */
const dropPathSchema = z.strictObject({ galaId: galaIdSchema, dropId: dealIdSchema });

/** DELETE /galas/{galaId}/price-drops/{dropId}: cancels a drop that is still SCHEDULED; it never fires. */
export const createCancelPriceDropHandler = ({
  engine,
  logger,
}: HandlerDeps<Pick<LivedropEngine, 'cancelPriceDrop'>>): HttpHandler =>
  httpHandler({
    scopes: [SCOPES.admin],
    path: dropPathSchema,
    logger,
    run: async ({ path }) => ({
      statusCode: 200,
      body: await engine.cancelPriceDrop(path.galaId, path.dropId),
    }),
  });
