import { consoleCsp } from '../console/build.js';
import { buildOverlay, type OverlayConfig } from '../overlay/build.js';
import { createPageHandler } from './console.js';

/**
 * The viewer overlay at /overlay?stream={streamId} on the local runtime, served like the console (same
 * headers, files from memory by exact name). The pages admitted by CORS (LIVEDROP_ALLOWED_ORIGINS, the player
 * pages) may also frame it and send it IVS timed metadata; with none, nobody may frame it.
 */
export const OVERLAY_PATH = '/overlay';

export const overlayCsp = (embedOrigins: readonly string[]): string => consoleCsp([], embedOrigins);

export const createOverlayHandler = (embedOrigins: readonly string[] = []) => {
  const config: OverlayConfig = {
    apiUrl: '',
    localIssuer: true,
    liveEvents: true,
    embedOrigins: [...embedOrigins],
  };
  return createPageHandler({
    path: OVERLAY_PATH,
    build: buildOverlay,
    csp: overlayCsp(embedOrigins),
    config,
    framed: embedOrigins.length > 0,
  });
};
