/**
 * `npm run bench [-- options]` (`--help` lists them): one benchmark run on the embedded store (in a thread of its
 * own unless `--store-in-process`); prints the table, writes JSON and a self-contained HTML report under
 * .livedrop/bench/, and exits non-zero if a correctness check fails. `--containers` (default: the concurrency) is how
 * many Lambda containers serve the claim phase, each serving one request at a time; with fewer than the
 * concurrency, attempts wait for an idle one, like a concurrency limit.
 */

import { DEFAULT_OPTIONS } from '../lib/bench/options.js';
import { defineCli, fail, numberValue, readCommandLine } from '../lib/cli.js';

const CLI = defineCli({
  script: 'bench',
  summary:
    'One benchmark run on the embedded store: prints the table, writes JSON and HTML under --out, and exits 1 if a\n' +
    'correctness check fails.',
  options: {
    concurrency: {
      type: 'string',
      value: 'N',
      description: 'claim attempts in flight at once',
      default: String(DEFAULT_OPTIONS.concurrency),
    },
    stock: {
      type: 'string',
      value: 'N',
      description: "the deal's stock",
      default: String(DEFAULT_OPTIONS.stock),
    },
    viewers: {
      type: 'string',
      value: 'N',
      description: 'viewers in the spike, at least --stock',
      default: String(DEFAULT_OPTIONS.viewers),
    },
    'baseline-ops': {
      type: 'string',
      value: 'N',
      description: 'raw conditional UpdateItems on one item in the baseline',
      default: String(DEFAULT_OPTIONS.baselineOps),
    },
    containers: {
      type: 'string',
      value: 'N',
      description: 'Lambda containers serving the claims, one request at a time each',
      default: 'the concurrency',
    },
    'no-http': { type: 'boolean', description: 'skip the spike through HTTP against the local runtime' },
    'no-cold-start': { type: 'boolean', description: 'skip the cold import of the bundled claim handler' },
    'store-in-process': {
      type: 'boolean',
      description: "the store on the engines' thread instead of a worker thread of its own",
    },
    fanout: {
      type: 'boolean',
      description: 'only the live-events fan-out: --clients overlay clients while --claims claims run',
    },
    clients: {
      type: 'string',
      value: 'N',
      description: 'fan-out: overlay clients connected',
      default: '5000',
    },
    claims: { type: 'string', value: 'N', description: 'fan-out: claims in the rush', default: '1000' },
    out: {
      type: 'string',
      value: 'DIR',
      description: 'where the JSON and HTML go',
      default: '.livedrop/bench',
    },
  },
});

const { options, outDir, fanout } = readCommandLine(CLI, ({ values }) => {
  const positive = (name: keyof typeof CLI.options, raw: string | undefined, fallback: number) =>
    typeof raw === 'string' ? numberValue(name, raw, { min: 1, whole: true }) : fallback;
  const concurrency = positive('concurrency', values.concurrency, DEFAULT_OPTIONS.concurrency);
  return {
    options: {
      concurrency,
      stock: positive('stock', values.stock, DEFAULT_OPTIONS.stock),
      viewers: positive('viewers', values.viewers, DEFAULT_OPTIONS.viewers),
      baselineOps: positive('baseline-ops', values['baseline-ops'], DEFAULT_OPTIONS.baselineOps),
      containers: positive('containers', values.containers, concurrency),
      storeThread: values['store-in-process'] !== true,
      http: values['no-http'] !== true,
      coldStart: values['no-cold-start'] !== true,
    },
    outDir: values.out ?? '.livedrop/bench',
    fanout:
      values.fanout === true
        ? {
            clients: positive('clients', values.clients, 5_000),
            claims: positive('claims', values.claims, 1_000),
            concurrency,
          }
        : undefined,
  };
});
if (fanout) {
  const { runFanout } = await import('../lib/bench/fanout.js');
  console.log(JSON.stringify(await runFanout(fanout), null, 2));
  process.exit(0);
}
if (options.viewers < options.stock)
  fail(CLI, '--viewers must be at least --stock, or the deal cannot sell out');

// Imported once the command line is read, so --help and its mistakes answer at once.
const { optionalPhases } = await import('../lib/bench/optional-phases.js');
const { writeResultFiles } = await import('../lib/bench/result-files.js');
const { runBench } = await import('../lib/bench/run.js');
const { renderTable } = await import('../lib/bench/table.js');

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
