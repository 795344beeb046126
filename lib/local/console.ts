import { buildConsole, CONTENT_TYPES, type ConsoleFile, consoleCsp } from '../console/build.js';

/**
 * The host console at /console on the local runtime (and, through `createPageHandler`, the viewer overlay at
 * /overlay). Files come from an in-memory map built once (app.ts bundled by esbuild on first use), and a
 * request names a file only by exact key: no path ever reaches the file system, so there is nothing to
 * traverse. config.json says the API is this origin and the local issuer is here (the console then offers
 * sign-in by name and the virtual viewers).
 */
export const CONSOLE_PATH = '/console';

/** Same origin only: locally the API is the page's own origin. */
export const CONSOLE_CSP = consoleCsp([]);

export interface ConsoleAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface PageRequest {
  method: string;
  path: string;
  /** Kept on the redirect to the page's folder (/overlay?stream=s-1 -> /overlay/?stream=s-1). */
  rawQueryString?: string;
}

export interface StaticPage {
  /** Where it is served, such as /console. */
  path: string;
  build: () => Promise<Map<string, ConsoleFile>>;
  csp: string;
  /** What config.json answers. */
  config: unknown;
  /** Whether other origins' pages may frame it (its CSP then names them, and X-Frame-Options is left out). */
  framed?: boolean;
}

/** Answers GET/HEAD on the page's path and below it; undefined for every other path, which the gateway routes on. */
export const createPageHandler = (
  page: StaticPage,
): ((request: PageRequest) => Promise<ConsoleAnswer | undefined>) => {
  const security = {
    'content-security-policy': page.csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...(page.framed ? {} : { 'x-frame-options': 'DENY' }),
  };
  const text = (status: number, body: string, headers: Record<string, string> = {}): ConsoleAnswer => ({
    status,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      ...security,
      ...headers,
    },
    body,
  });
  let files: Promise<Map<string, ConsoleFile>> | undefined;
  return async ({ method, path, rawQueryString }) => {
    if (path !== page.path && !path.startsWith(`${page.path}/`)) return undefined;
    if (method !== 'GET' && method !== 'HEAD')
      return text(405, 'Method not allowed.\n', { allow: 'GET, HEAD' });
    // The page's links are relative (so the same files work at a CloudFront root): it needs the slash.
    if (path === page.path) {
      const query = rawQueryString ? `?${rawQueryString}` : '';
      return text(308, `See ${page.path}/\n`, { location: `${page.path}/${query}` });
    }
    const name = path.slice(page.path.length + 1) || 'index.html';
    if (name === 'config.json') {
      return {
        status: 200,
        headers: { 'content-type': CONTENT_TYPES.json, 'cache-control': 'no-store', ...security },
        body: JSON.stringify(page.config),
      };
    }
    files ??= page.build().catch((error: unknown) => {
      // A failed build is tried again on the next request rather than remembered.
      files = undefined;
      throw error;
    });
    const file = (await files).get(name);
    if (!file) return text(404, 'Not found.\n');
    return {
      status: 200,
      // no-cache: the browser revalidates every load, so an edit shows on the next reload.
      headers: { 'content-type': file.contentType, 'cache-control': 'no-cache', ...security },
      body: file.body,
    };
  };
};

/** Answers GET/HEAD /console and /console/*. */
export const createConsoleHandler = () =>
  createPageHandler({
    path: CONSOLE_PATH,
    build: buildConsole,
    csp: CONSOLE_CSP,
    config: { apiUrl: '', localIssuer: true },
  });
