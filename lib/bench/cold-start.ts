/**
 * Cold import of the deployed bundles: each function's handler.ts is bundled with esbuild exactly as the
 * stack bundles it (BUNDLE_SETTINGS, the same object the NodejsFunction reads), next to a "bare" bundle of
 * middy plus the DynamoDB document client alone. Each bundle is then imported by a fresh `node` process that
 * times `await import()` of it; the median over the runs is reported with the bundle's size, and the CPU time the
 * import took. This is the module-loading part of a Lambda cold start (not the sandbox start), on this machine's
 * CPU and Node. The ratio to the bare bundle is the median of each round's ratio (a function's import over the
 * bare import of the same round): rounds run back to back, so a burst of load on a shared machine moves both
 * sides of a ratio and the median drops the rounds it hit unevenly.
 */
import { spawn } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { FUNCTIONS } from '../../functions/shared/contract/wiring.js';
import { BUNDLE_SETTINGS } from '../cdk/constructs/livedrop-function.js';
import type { ColdStartResult } from './result.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Measured by default: the spike path. `functions: 'all'` measures every function of the wiring. */
export const DEFAULT_COLD_START_FUNCTIONS: readonly string[] = ['claim-coupon'];

/**
 * The environment of every measured import, and nothing else (the parent's NODE_OPTIONS or AWS settings
 * must not change what is measured). Handlers read their configuration at import; TABLE_NAME is required.
 * The endpoint is never contacted: nothing is sent at import.
 */
export const COLD_START_ENV: Readonly<Record<string, string>> = {
  TABLE_NAME: 'bench',
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** The reference bundle: what any middy + DynamoDB document client Lambda imports, and no livedrop code. */
export const BARE_ENTRY_SOURCE = `import middy from '@middy/core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = middy(async () => ({ statusCode: 200, body: typeof client.send }));
`;

export interface ColdStartOptions {
  /** Measured imports per bundle (one more, unmeasured, warms the file cache first). Default 15. */
  runs?: number;
  /** Function names from functions/shared/contract/wiring.ts, or 'all'. Default: claim-coupon only. */
  functions?: readonly string[] | 'all';
  /** Where the bundles are written (relative to the working directory): <outDir>/<name>/index.mjs. */
  outDir: string;
}

export interface Bundle {
  name: string;
  /** The .mjs file (its source map is next to it). */
  file: string;
  /** Size of the .mjs file, without the source map. */
  bytes: number;
}

/** Median of a non-empty list (the mean of the two middle values for an even count). */
export const median = (values: readonly number[]): number => {
  if (values.length === 0) {
    throw new RangeError('median of an empty list');
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] as number) + upper) / 2;
};

/**
 * esbuild options equal to the stack's (`esbuild --bundle --platform=node` with BUNDLE_SETTINGS, nothing
 * external since the SDK is bundled). The output file is named index.mjs like the stack's asset, so the
 * bundle of a function is byte for byte the one in cdk.out.
 */
export const bundleOptions = (): BuildOptions => ({
  bundle: true,
  platform: 'node',
  format: BUNDLE_SETTINGS.format,
  target: BUNDLE_SETTINGS.target,
  minify: BUNDLE_SETTINGS.minify,
  sourcemap: BUNDLE_SETTINGS.sourcemap,
  mainFields: [...BUNDLE_SETTINGS.mainFields],
  banner: { js: BUNDLE_SETTINGS.banner },
  external: BUNDLE_SETTINGS.bundleAwsSDK ? [] : ['@aws-sdk/*', '@smithy/*'],
  logLevel: 'silent',
});

const sizeOf = async (name: string, file: string): Promise<Bundle> => ({
  name,
  file,
  bytes: (await stat(file)).size,
});

/** Bundles functions/<name>/handler.ts into <outDir>/<name>/index.mjs. */
export const bundleFunction = async (name: string, outDir: string): Promise<Bundle> => {
  const file = join(resolve(outDir), name, 'index.mjs');
  await build({
    ...bundleOptions(),
    entryPoints: [join(ROOT, 'functions', name, 'handler.ts')],
    outfile: file,
  });
  return sizeOf(name, file);
};

/** Bundles BARE_ENTRY_SOURCE (resolved from the repository's node_modules) into <outDir>/bare/index.mjs. */
export const bundleBare = async (outDir: string): Promise<Bundle> => {
  const file = join(resolve(outDir), 'bare', 'index.mjs');
  await build({
    ...bundleOptions(),
    stdin: { contents: BARE_ENTRY_SOURCE, resolveDir: ROOT, sourcefile: 'bare-entry.mjs', loader: 'js' },
    outfile: file,
  });
  return sizeOf('bare', file);
};

const MARKER = '__livedrop_cold_import_ms=';

export interface ImportSample {
  /** Wall time of `await import()`. */
  ms: number;
  /** CPU time (user + system, all threads of the process) spent during it. */
  cpuMs: number;
}

/**
 * One cold import: a fresh node process times `await import()` of the bundle and prints the milliseconds and
 * the CPU time. It also checks that the bundle exports a handler function, so a bundle that loads but is broken fails.
 */
export const sampleImport = (file: string, timeoutMs = 30_000): Promise<ImportSample> => {
  const url = pathToFileURL(file).href;
  const script = [
    'const c0 = process.cpuUsage();',
    'const t0 = performance.now();',
    `const mod = await import(${JSON.stringify(url)});`,
    'const ms = performance.now() - t0;',
    'const cpu = process.cpuUsage(c0);',
    "if (typeof mod.handler !== 'function') throw new Error('the bundle exports no handler function');",
    `process.stdout.write('\\n${MARKER}' + ms + ' ' + (cpu.user + cpu.system) / 1000 + '\\n');`,
    'process.exit(0);',
  ].join('\n');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...COLD_START_ENV, ...(process.env.PATH === undefined ? {} : { PATH: process.env.PATH }) },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const line = stdout.split('\n').find((candidate) => candidate.startsWith(MARKER));
      const [ms, cpuMs] = (line === undefined ? '' : line.slice(MARKER.length)).split(' ').map(Number);
      if (
        code === 0 &&
        ms !== undefined &&
        Number.isFinite(ms) &&
        cpuMs !== undefined &&
        Number.isFinite(cpuMs)
      ) {
        resolvePromise({ ms, cpuMs });
        return;
      }
      const why = signal === null ? `exit code ${code}` : `signal ${signal}`;
      reject(new Error(`cold import of ${file} failed (${why}): ${stderr.trim().slice(-2_000)}`));
    });
  });
};

const selectFunctions = (functions: ColdStartOptions['functions']): string[] => {
  const known = FUNCTIONS.map((fn) => fn.name);
  if (functions === 'all') {
    return known;
  }
  const selected = [...(functions ?? DEFAULT_COLD_START_FUNCTIONS)];
  const unknown = selected.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new Error(`unknown function(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  }
  return [...new Set(selected)];
};

const roundMs = (ms: number): number => Math.round(ms * 100) / 100;

/**
 * Bundles the selected functions and the bare entry, then imports each bundle `runs` times in fresh
 * processes, one at a time (round robin over the bundles, so drifting machine load touches all alike),
 * after one unmeasured warm-up import each.
 */
export const measureColdStarts = async ({
  runs = 15,
  functions,
  outDir,
}: ColdStartOptions): Promise<ColdStartResult> => {
  if (!Number.isInteger(runs) || runs < 1) {
    throw new RangeError(`runs must be a whole number >= 1, got ${runs}`);
  }
  const names = selectFunctions(functions);
  await mkdir(resolve(outDir), { recursive: true });
  const bundles = [
    ...(await Promise.all(names.map((name) => bundleFunction(name, outDir)))),
    await bundleBare(outDir),
  ];
  for (const bundle of bundles) {
    await sampleImport(bundle.file);
  }
  const samples = bundles.map((): ImportSample[] => []);
  for (let run = 0; run < runs; run++) {
    for (const [index, bundle] of bundles.entries()) {
      samples[index]?.push(await sampleImport(bundle.file));
    }
  }
  const bareSamples = samples[bundles.length - 1] ?? [];
  const measured = bundles.map((bundle, index) => {
    const own = samples[index] ?? [];
    return {
      name: bundle.name,
      bytes: bundle.bytes,
      medianImportMs: roundMs(median(own.map((sample) => sample.ms))),
      medianCpuMs: roundMs(median(own.map((sample) => sample.cpuMs))),
      ratioToBare:
        Math.round(
          median(own.map((sample, round) => sample.ms / (bareSamples[round]?.ms ?? Number.NaN))) * 1000,
        ) / 1000,
    };
  });
  const bare = measured.pop();
  if (bare === undefined) {
    throw new Error('the bare bundle was not measured');
  }
  return {
    runs,
    functions: measured,
    bare: { bytes: bare.bytes, medianImportMs: bare.medianImportMs, medianCpuMs: bare.medianCpuMs },
  };
};
