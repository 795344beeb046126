import { buildConsole, CONTENT_TYPES, type ConsoleFile, consoleCsp } from '../console/build.js';

/**
 * The host console at /console on the local runtime. Files come from an in-memory map built once (app.ts
 * bundled by esbuild on first use), and a request names a file only by exact key: no path ever reaches the
 * file system, so there is nothing to traverse. config.json says the API is this origin and the local
 * issuer is here (the page then offers sign-in by name and the virtual viewers).
 */
export const CONSOLE_PATH = '/console';

/** Same origin only: locally the API is the page's own origin. */
export const CONSOLE_CSP = consoleCsp([]);

export interface ConsoleAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const text = (status: number, body: string, headers: Record<string, string> = {}): ConsoleAnswer => ({
  status,
  headers: {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    ...SECURITY_HEADERS,
    ...headers,
  },
  body,
});

/** Answers GET/HEAD /console and /console/*; undefined for every other path, which the gateway routes on. */
export const createConsoleHandler = (): ((request: {
  method: string;
  path: string;
}) => Promise<ConsoleAnswer | undefined>) => {
  let files: Promise<Map<string, ConsoleFile>> | undefined;
  return async ({ method, path }) => {
    if (path !== CONSOLE_PATH && !path.startsWith(`${CONSOLE_PATH}/`)) return undefined;
    if (method !== 'GET' && method !== 'HEAD')
      return text(405, 'Method not allowed.\n', { allow: 'GET, HEAD' });
    // The page's links are relative (so the same files work at a CloudFront root): it needs the slash.
    if (path === CONSOLE_PATH) return text(308, 'See /console/\n', { location: `${CONSOLE_PATH}/` });
    const name = path.slice(CONSOLE_PATH.length + 1) || 'index.html';
    if (name === 'config.json') {
      return {
        status: 200,
        headers: { 'content-type': CONTENT_TYPES.json, 'cache-control': 'no-store', ...SECURITY_HEADERS },
        body: JSON.stringify({ apiUrl: '', localIssuer: true }),
      };
    }
    files ??= buildConsole().catch((error: unknown) => {
      // A failed build is tried again on the next request rather than remembered.
      files = undefined;
      throw error;
    });
    const file = (await files).get(name);
    if (!file) return text(404, 'Not found.\n');
    return {
      status: 200,
      // no-cache: the browser revalidates every load, so an edit shows on the next reload.
      headers: { 'content-type': file.contentType, 'cache-control': 'no-cache', ...SECURITY_HEADERS },
      body: file.body,
    };
  };
};
