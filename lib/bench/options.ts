/** What one `npm run bench` run measures, and at what size. */

export interface BenchOptions {
  concurrency: number;
  stock: number;
  viewers: number;
  baselineOps: number;
  /**
   * Lambda containers serving the claim phase, each its own engine, caches and document client, serving one
   * request at a time. Fewer than `concurrency`: attempts wait for an idle one (the concurrency limit).
   */
  containers: number;
  /**
   * The embedded store in a worker thread of its own (the default), so the store and the engines run on separate
   * cores as they do against DynamoDB; false keeps it on the engines' thread.
   */
  storeThread: boolean;
  http: boolean;
  coldStart: boolean;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  concurrency: 64,
  stock: 5_000,
  viewers: 20_000,
  baselineOps: 6_000,
  containers: 64,
  storeThread: true,
  http: true,
  coldStart: true,
};
