import { join } from 'node:path';
import { measureColdStarts } from './cold-start.js';
import { runHttpSpike } from './http.js';
import type { BenchOptions } from './options.js';

/**
 * The optional phases of runBench as `npm run bench` runs them: the HTTP spike at a fifth of the in-process
 * size, and cold starts with their bundles written under `<outDir>/bundles`. Each reports its start.
 */
export const optionalPhases = (
  outDir: string,
  onProgress: (phase: string, done: number, total: number) => void,
) => ({
  http: (options: BenchOptions) => {
    onProgress('http', 0, 1);
    // A fifth of the in-process spike: the local gateway shares the 2 cores with autocannon.
    return runHttpSpike({
      concurrency: options.concurrency,
      stock: Math.max(1, Math.round(options.stock / 5)),
      viewers: Math.max(1, Math.round(options.viewers / 5)),
    });
  },
  coldStart: () => {
    onProgress('cold start', 0, 1);
    return measureColdStarts({ outDir: join(outDir, 'bundles') });
  },
});
