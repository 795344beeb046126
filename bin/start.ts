/**
 * `npm start`: the whole engine on this machine, configured by the environment (see CLI below). Ctrl-C or
 * SIGTERM stops it cleanly.
 */
import { defineCli, readCommandLine } from '../lib/cli.js';
import { startRuntime } from '../lib/local/runtime.js';

const CLI = defineCli({
  script: 'start',
  summary:
    'Runs the whole engine on this machine: store, functions, API gateway, event bus, scheduler, console.',
  options: {},
  environment: [
    { name: 'PORT', description: 'the port on 127.0.0.1 to listen on', default: '3000' },
    {
      name: 'LIVEDROP_DATA',
      description: "the store's data directory; memory keeps nothing",
      default: '.livedrop/data',
    },
    { name: 'LIVEDROP_SWEEP_SECONDS', description: 'how often the sweep runs (seconds)', default: '5' },
    {
      name: 'LIVEDROP_ALLOWED_ORIGINS',
      description:
        "comma-separated origins whose pages may call the API (CORS),\nas the deployment's allowedOrigins",
      default: 'none',
    },
  ],
});
readCommandLine(CLI, () => undefined);

// Indented JSON records in a terminal: readable, still one record per request.
if (process.stdout.isTTY) process.env.LIVEDROP_LOG_PRETTY ??= 'true';

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

/** `https://a.example,http://localhost:5173`: each an origin exactly (scheme, host, optional port). */
const origins = (name: string): string[] => {
  const list = (process.env[name] ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  const bad = list.find((origin) => !/^https?:\/\/[^/\s]+$/i.test(origin));
  if (bad !== undefined) {
    console.error(`${name} must list origins such as https://shop.example, got "${bad}"`);
    process.exit(2);
  }
  return list;
};

const runtime = await startRuntime({
  port: number('PORT', 3000, 0, 65_535),
  data: process.env.LIVEDROP_DATA || '.livedrop/data',
  sweepSeconds: number('LIVEDROP_SWEEP_SECONDS', 5, 1, 3_600),
  allowedOrigins: origins('LIVEDROP_ALLOWED_ORIGINS'),
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
