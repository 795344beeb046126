import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, buildSync } from 'esbuild';

/**
 * The console as the files a browser gets: index.html and console.css as written, app.js bundled from
 * app.ts by esbuild (one small ES module, no framework). The local runtime serves these from memory; the
 * CDK construct writes them into the static site's asset. config.json is not here: each host writes its own.
 */
export const CONSOLE_SOURCE_DIR = fileURLToPath(new URL('.', import.meta.url));

export interface ConsoleFile {
  contentType: string;
  body: string;
}

export const CONTENT_TYPES = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
} as const;

/**
 * The page's Content-Security-Policy: its own files only, no inline script or style, no framing, and
 * requests only to `connect` (the API). The local runtime and the CloudFront distribution both send it.
 */
export const consoleCsp = (connect: readonly string[]): string =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

const bundleOptions: BuildOptions = {
  entryPoints: [fileURLToPath(new URL('./app.ts', import.meta.url))],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  legalComments: 'none',
  write: false,
};

const staticFiles = (): Record<string, ConsoleFile> => ({
  'index.html': {
    contentType: CONTENT_TYPES.html,
    body: readFileSync(new URL('./index.html', import.meta.url), 'utf8'),
  },
  'console.css': {
    contentType: CONTENT_TYPES.css,
    body: readFileSync(new URL('./console.css', import.meta.url), 'utf8'),
  },
});

const withScript = (files: Record<string, ConsoleFile>, script: string | undefined) => {
  if (script === undefined) throw new Error('esbuild produced no app.js for the console');
  return new Map(Object.entries({ ...files, 'app.js': { contentType: CONTENT_TYPES.js, body: script } }));
};

/** For the local runtime: does not block the event loop while esbuild works. */
export const buildConsole = async (): Promise<Map<string, ConsoleFile>> => {
  const result = await build(bundleOptions);
  return withScript(staticFiles(), result.outputFiles?.[0]?.text);
};

/** For CDK's local bundling, which is synchronous. */
export const buildConsoleSync = (): Map<string, ConsoleFile> => {
  const result = buildSync(bundleOptions);
  return withScript(staticFiles(), result.outputFiles?.[0]?.text);
};
