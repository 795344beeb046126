/**
 * `npm start`: the whole engine on this machine. PORT (default 3000), LIVEDROP_DATA (default .livedrop/data;
 * `memory` keeps nothing), LIVEDROP_SWEEP_SECONDS (default 5). Ctrl-C or SIGTERM stops it cleanly.
 */
import { startRuntime } from '../lib/local/runtime.js';

// Powertools prints indented JSON in dev mode: readable in a terminal, still one record per request.
if (process.stdout.isTTY) process.env.POWERTOOLS_DEV ??= 'true';

const number = (name: string, fallback: number, min: number, max: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    process.exit(2);
  }
  return value;
};

const runtime = await startRuntime({
  port: number('PORT', 3000, 0, 65_535),
  data: process.env.LIVEDROP_DATA || '.livedrop/data',
  sweepSeconds: number('LIVEDROP_SWEEP_SECONDS', 5, 1, 3_600),
});

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.info(`${signal}: finishing in-flight requests, closing the store`);
  runtime.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('livedrop did not stop cleanly', error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
