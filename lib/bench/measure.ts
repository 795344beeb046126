/** Measuring tools every phase of the bench shares: latency histograms and a closed-loop pool of clients. */
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from './result.js';

export const histogram = () =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });

type Histogram = ReturnType<typeof histogram>;

export const summary = (h: Histogram): LatencySummary => ({
  p50Ms: h.getValueAtPercentile(50) / 1000,
  p95Ms: h.getValueAtPercentile(95) / 1000,
  p99Ms: h.getValueAtPercentile(99) / 1000,
  maxMs: h.maxValue / 1000,
});

/** Runs `count` tasks with at most `concurrency` in flight (a closed loop, like C clients). */
export const pool = async (count: number, concurrency: number, task: (i: number) => Promise<void>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
};
