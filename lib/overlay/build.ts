import { fileURLToPath } from 'node:url';
import { type ConsoleFile, pageBuilder } from '../console/build.js';

/**
 * The viewer overlay as the files a browser gets: index.html and overlay.css as written, app.js bundled from
 * app.ts by esbuild. Served by the local runtime at /overlay/ and deployed beside the host console (overlay/).
 * config.json is not here: each host writes its own.
 */
export const OVERLAY_SOURCE_DIR = fileURLToPath(new URL('.', import.meta.url));

const overlayPage = pageBuilder({
  dir: new URL('.', import.meta.url),
  files: { 'index.html': 'html', 'overlay.css': 'css' },
});

export const buildOverlay = (): Promise<Map<string, ConsoleFile>> => overlayPage.build();
export const buildOverlaySync = (): Map<string, ConsoleFile> => overlayPage.buildSync();

/** What the page reads from config.json next to it. */
export interface OverlayConfig {
  /** '' = the API is this page's own origin (the local runtime). */
  apiUrl: string;
  /**
   * Where to poll the live state instead of the API, `{streamId}` to fill in: deployed, the live CDN's URL (the
   * stack's LiveUrl, `https://<distribution>/streams/{streamId}/live`). Absent: `apiUrl` + the live path.
   */
  liveUrl?: string;
  /** The local runtime's issuer is there: the page signs the viewer in by name. */
  localIssuer: boolean;
  /** The API serves the live state as Server-Sent Events (the local runtime's stand-in for IVS timed metadata). */
  liveEvents: boolean;
  /** Origins of the player pages that may frame the overlay and send it IVS timed metadata by postMessage. */
  embedOrigins: string[];
}
