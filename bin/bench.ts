/**
 * `npm run bench [-- --concurrency 64 --stock 5000 --viewers 20000 --baseline-ops 6000 --containers 64
 *   --no-http --no-cold-start --store-in-process]`: one benchmark run on the embedded store (in a thread of its own
 *   unless `--store-in-process`); prints the table, writes JSON and
 * a self-contained HTML report under .livedrop/bench/, and exits non-zero if a correctness check fails.
 * `--containers` (default: the concurrency) is how many Lambda containers serve the claim phase, each serving
 * one request at a time; with fewer than the concurrency, attempts wait for an idle one, like a concurrency limit.
 */
import { parseArgs } from 'node:util';
import { optionalPhases } from '../lib/bench/optional-phases.js';
import { DEFAULT_OPTIONS } from '../lib/bench/options.js';
import { writeResultFiles } from '../lib/bench/result-files.js';
import { runBench } from '../lib/bench/run.js';
import { renderTable } from '../lib/bench/table.js';

const { values } = parseArgs({
  options: {
    concurrency: { type: 'string' },
    stock: { type: 'string' },
    viewers: { type: 'string' },
    'baseline-ops': { type: 'string' },
    containers: { type: 'string' },
    'no-http': { type: 'boolean' },
    'no-cold-start': { type: 'boolean' },
    'store-in-process': { type: 'boolean' },
    out: { type: 'string' },
  },
});

const positive = (name: string, raw: string | undefined, fallback: number): number => {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be a whole number >= 1, got "${raw}"`);
    process.exit(2);
  }
  return value;
};

const concurrency = positive('concurrency', values.concurrency, DEFAULT_OPTIONS.concurrency);
const options = {
  concurrency,
  stock: positive('stock', values.stock, DEFAULT_OPTIONS.stock),
  viewers: positive('viewers', values.viewers, DEFAULT_OPTIONS.viewers),
  baselineOps: positive('baseline-ops', values['baseline-ops'], DEFAULT_OPTIONS.baselineOps),
  containers: positive('containers', values.containers, concurrency),
  storeThread: values['store-in-process'] !== true,
  http: values['no-http'] !== true,
  coldStart: values['no-cold-start'] !== true,
};
if (options.viewers < options.stock) {
  console.error('--viewers must be at least --stock, or the deal cannot sell out');
  process.exit(2);
}
const outDir = values.out ?? '.livedrop/bench';

const bar = (phase: string, done: number, total: number) => {
  const width = 30;
  const filled = Math.round((done / Math.max(1, total)) * width);
  const line = `${phase.padEnd(14)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
};

const result = await runBench({ ...options, onProgress: bar }, optionalPhases(outDir, bar));
if (process.stderr.isTTY) process.stderr.write('\n');

const written = writeResultFiles(outDir, result);
console.log(renderTable(result));
console.log(`\nwritten: ${written.json} and ${written.html}`);

const failed = result.checks.filter((check) => !check.ok);
if (failed.length > 0) {
  console.error(`correctness checks failed: ${failed.map((check) => check.name).join(', ')}`);
  process.exit(1);
}
