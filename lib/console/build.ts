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
 * A page's Content-Security-Policy: its own files only, no inline script or style, requests only to `connect`
 * (the API), and framing only by `frameAncestors` (none by default: the console is never framed; the viewer
 * overlay may be, by the shop pages that embed it). The local runtime and the CloudFront distribution both send it.
 */
export const consoleCsp = (connect: readonly string[], frameAncestors: readonly string[] = []): string =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${frameAncestors.length > 0 ? frameAncestors.join(' ') : "'none'"}`,
  ].join('; ');

/** A static page: the files in its folder as written, and `app.js` bundled from its `app.ts`. */
export interface PageSource {
  /** The page's folder (a file URL ending in a slash). */
  dir: URL;
  /** The files served as written, by name, with their kind. */
  files: Record<string, keyof typeof CONTENT_TYPES>;
}

export interface PageBuilder {
  /** For the local runtime: does not block the event loop while esbuild works. */
  build(): Promise<Map<string, ConsoleFile>>;
  /** For CDK's local bundling, which is synchronous. */
  buildSync(): Map<string, ConsoleFile>;
}

export const pageBuilder = ({ dir, files }: PageSource): PageBuilder => {
  const options: BuildOptions = {
    entryPoints: [fileURLToPath(new URL('./app.ts', dir))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    legalComments: 'none',
    write: false,
  };
  const withScript = (script: string | undefined) => {
    if (script === undefined) throw new Error(`esbuild produced no app.js for ${fileURLToPath(dir)}`);
    const written = Object.entries(files).map(([name, kind]): [string, ConsoleFile] => [
      name,
      { contentType: CONTENT_TYPES[kind], body: readFileSync(new URL(name, dir), 'utf8') },
    ]);
    return new Map([...written, ['app.js', { contentType: CONTENT_TYPES.js, body: script }]]);
  };
  return {
    build: async () => withScript((await build(options)).outputFiles?.[0]?.text),
    buildSync: () => withScript(buildSync(options).outputFiles?.[0]?.text),
  };
};

const consolePage = pageBuilder({
  dir: new URL('.', import.meta.url),
  files: { 'index.html': 'html', 'console.css': 'css' },
});

/** For the local runtime: does not block the event loop while esbuild works. */
export const buildConsole = (): Promise<Map<string, ConsoleFile>> => consolePage.build();

/** For CDK's local bundling, which is synchronous. */
export const buildConsoleSync = (): Map<string, ConsoleFile> => consolePage.buildSync();
