import { SCOPES } from '../shared/domain/roles.js';
import { auditQuerySchema, pageSizeAtMost } from '../shared/domain/schemas.js';
import { type HttpHandler, httpHandler } from '../shared/http/http-handler.js';
import { dealPathSchema } from '../shared/http/schemas.js';
import type { HandlerDeps } from '../shared/http/types.js';
import type { LivedropEngine } from '../shared/use-cases/types.js';

export const MAX_AUDIT_PAGE = 200;

const querySchema = auditQuerySchema.check(pageSizeAtMost(MAX_AUDIT_PAGE));

/** GET /deals/{dealId}/audit: the engine checks that the caller hosts this deal (or is an admin). */
export const createGetDealAuditHandler = ({
  engine,
  logger,
}: HandlerDeps<Pick<LivedropEngine, 'auditTrail'>>): HttpHandler =>
  httpHandler({
    scopes: [SCOPES.host, SCOPES.admin],
    path: dealPathSchema,
    query: querySchema,
    logger,
    run: async ({ path, query, actor }) => ({
      statusCode: 200,
      body: await engine.auditTrail(path.dealId, actor, {
        ...(query.limit === undefined ? {} : { limit: query.limit }),
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
        ...(query.couponId === undefined ? {} : { couponId: query.couponId }),
      }),
    }),
  });
