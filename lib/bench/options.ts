/** What one `npm run bench` run measures, and at what size. */

export interface BenchOptions {
  concurrency: number;
  stock: number;
  viewers: number;
  baselineOps: number;
  /** Lambda containers the claim path is spread over (each its own engine and caches). */
  containers: number;
  http: boolean;
  coldStart: boolean;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  concurrency: 64,
  stock: 5_000,
  viewers: 20_000,
  baselineOps: 6_000,
  containers: 4,
  http: true,
  coldStart: true,
};
