import { type ApiClient, ApiError } from './api.js';

/**
 * "Simulate viewers": N virtual viewers, each with a token of its own from the local issuer (so each is a
 * distinct viewer to the per-viewer limit) and one claim with an Idempotency-Key. A small pool keeps the
 * browser from opening hundreds of connections at once; answers that say "try again" (a claim still in
 * progress, a busy store) are retried with the same key, so a retry can never grant twice.
 */
export interface SimulationTally {
  total: number;
  done: number;
  granted: number;
  soldOut: number;
  notLive: number;
  failed: number;
  /** The last unexpected failure, for the message line. */
  lastError?: unknown;
}

export const SIMULATION_CONCURRENCY = 8;
const RETRIES = 4;
const RETRY_AFTER_MS = 300;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs work(0..count-1) with at most `concurrency` in flight. */
export const runPool = async (
  count: number,
  concurrency: number,
  work: (index: number) => Promise<void>,
): Promise<void> => {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
};

const retryable = (error: unknown) =>
  error instanceof ApiError &&
  (error.code === 'CLAIM_IN_PROGRESS' || error.status === 503 || error.status === 429);

export const simulateViewers = async (options: {
  api: ApiClient;
  dealId: string;
  count: number;
  concurrency?: number;
  onProgress: (tally: SimulationTally) => void;
}): Promise<SimulationTally> => {
  const { api, dealId, count } = options;
  // One run's viewers are new viewers: ids unique per run, so a second run is not refused by the limit.
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const tally: SimulationTally = { total: count, done: 0, granted: 0, soldOut: 0, notLive: 0, failed: 0 };
  await runPool(count, options.concurrency ?? SIMULATION_CONCURRENCY, async (index) => {
    const viewerId = `sim-${run}-${index + 1}`;
    try {
      const { token } = await api.request<{ token: string }>('POST', '/local/token', {
        body: { sub: viewerId, role: 'viewer', ttlSeconds: 900 },
        token: '',
      });
      for (let attempt = 0; ; attempt++) {
        try {
          await api.request('POST', `/deals/${encodeURIComponent(dealId)}/claims`, {
            token,
            headers: { 'idempotency-key': `tap-${viewerId}` },
          });
          tally.granted++;
          break;
        } catch (error) {
          if (attempt < RETRIES && retryable(error)) {
            await sleep(RETRY_AFTER_MS * (attempt + 1));
            continue;
          }
          throw error;
        }
      }
    } catch (error) {
      const code = error instanceof ApiError ? error.code : undefined;
      if (code === 'SOLD_OUT') tally.soldOut++;
      else if (code === 'DEAL_NOT_LIVE') tally.notLive++;
      else {
        tally.failed++;
        tally.lastError = error;
      }
    }
    tally.done++;
    options.onProgress({ ...tally });
  });
  return tally;
};
