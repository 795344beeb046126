import * as z from 'zod/mini';
import { SCOPES } from '../shared/domain/roles.js';
import { galaIdSchema, priceDropSchema } from '../shared/domain/schemas.js';
import { type HttpHandler, httpHandler } from '../shared/http/http-handler.js';
import { idempotencyHeaders } from '../shared/http/responses.js';
import { idempotencyHeadersSchema } from '../shared/http/schemas.js';
import type { HandlerDeps } from '../shared/http/types.js';
import type { LivedropEngine } from '../shared/use-cases/types.js';

export const galaPathSchema = z.strictObject({ galaId: galaIdSchema });

/**
 * POST /galas/{galaId}/price-drops: an operator schedules a gala-wide price drop at an instant. With an
 * Idempotency-Key a retry gets the first answer and never a second drop.
 */
export const createCreatePriceDropHandler = ({
  engine,
  logger,
}: HandlerDeps<Pick<LivedropEngine, 'schedulePriceDropKeyed'>>): HttpHandler =>
  httpHandler({
    scopes: [SCOPES.admin],
    path: galaPathSchema,
    body: priceDropSchema,
    headers: idempotencyHeadersSchema,
    logger,
    run: async ({ path, body, actor, headers }) => {
      const key = headers['idempotency-key'];
      const { value: drop, replayed } = await engine.schedulePriceDropKeyed(path.galaId, body, actor, key);
      return {
        statusCode: 201,
        body: drop,
        headers: {
          location: `/galas/${encodeURIComponent(path.galaId)}/price-drops/${drop.dropId}`,
          ...idempotencyHeaders(key, replayed),
        },
      };
    },
  });
