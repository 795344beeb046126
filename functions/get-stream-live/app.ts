import * as z from 'zod/mini';
import { noneMatch, versionTag } from '../shared/http/etag.js';
import { type HttpHandler, httpHandler } from '../shared/http/http-handler.js';
import { streamPathSchema } from '../shared/http/schemas.js';
import type { HandlerDeps } from '../shared/http/types.js';
import type { LivedropEngine } from '../shared/use-cases/types.js';

/**
 * Browsers and the CDN may keep it a second and serve it stale for five more while they fetch it again; the
 * engine itself reads each stream at most once a second per container.
 */
export const STREAM_LIVE_CACHE_CONTROL = 'public, max-age=1, stale-while-revalidate=5';

const conditionalHeadersSchema = z.object({ 'if-none-match': z.optional(z.string()) });

/**
 * GET /streams/{streamId}/live: the public live state of a stream, for anyone (no token). A strong ETag names
 * the version, and a client sending it back in If-None-Match gets 304 with no body.
 */
export const createGetStreamLiveHandler = ({
  engine,
  logger,
}: HandlerDeps<Pick<LivedropEngine, 'streamLive'>>): HttpHandler =>
  httpHandler({
    scopes: 'public',
    path: streamPathSchema,
    headers: conditionalHeadersSchema,
    logger,
    run: async ({ path, headers }) => {
      const state = await engine.streamLive(path.streamId);
      const etag = versionTag(state.streamId, state.version);
      const cacheHeaders = { 'cache-control': STREAM_LIVE_CACHE_CONTROL, etag };
      if (noneMatch(headers['if-none-match'], etag)) return { statusCode: 304, headers: cacheHeaders };
      return { statusCode: 200, body: state, headers: cacheHeaders };
    },
  });
