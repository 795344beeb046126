import * as z from 'zod/mini';
import { SCOPES } from '../shared/domain/roles.js';
import { galaIdSchema, priceDropSchema } from '../shared/domain/schemas.js';
import { type HttpHandler, httpHandler } from '../shared/http/http-handler.js';
import type { HandlerDeps } from '../shared/http/types.js';

export const galaPathSchema = z.strictObject({ galaId: galaIdSchema });

/** POST /galas/{galaId}/price-drops: an operator schedules a gala-wide price drop at an instant. */
export const createCreatePriceDropHandler = ({ engine, logger }: HandlerDeps): HttpHandler =>
  httpHandler({
    scopes: [SCOPES.admin],
    path: galaPathSchema,
    body: priceDropSchema,
    logger,
    run: async ({ path, body, actor }) => {
      const drop = await engine.schedulePriceDrop(path.galaId, body, actor);
      return {
        statusCode: 201,
        body: drop,
        headers: { location: `/galas/${encodeURIComponent(path.galaId)}/price-drops/${drop.dropId}` },
      };
    },
  });
