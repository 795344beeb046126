/**
 * `npm run demo`: one flash deal's life over HTTP — creation, a rush of 2,000 viewers, checkout, expiry and
 * the sweep returning units, a second wave — then a table of what happened, every figure measured or read
 * back. It plays against LIVEDROP_URL when set (which must answer), else against http://127.0.0.1:3000 if
 * something answers GET /health there within a second, else against its own in-memory runtime, which it
 * closes at the end. Exit code 0 when every check holds, 1 otherwise. It takes no options but `--help`.
 */
import { readCommandLine } from '../lib/cli.js';

readCommandLine(
  {
    script: 'demo',
    summary:
      "One flash deal's life over HTTP: creation, a rush of 2,000 viewers, checkout, expiry and the sweep returning\n" +
      'units, a second wave; then a table of what happened. Exit code 0 when every check holds, 1 otherwise.',
    options: {},
    environment: [
      {
        name: 'LIVEDROP_URL',
        description:
          'the engine to play against, which must answer; unset: http://127.0.0.1:3000 if it answers GET /health\n' +
          'within a second, else an in-memory runtime of its own',
      },
    ],
  },
  () => undefined,
);

// Imported once the command line is read, so --help and its mistakes answer at once.
const { runDemo } = await import('../lib/local/demo.js');
const { formatReport, succeeded } = await import('../lib/local/demo-report.js');
const { findDemoTarget } = await import('../lib/local/demo-target.js');

const out = {
  write: (text: string) => void process.stdout.write(text),
  isTTY: process.stdout.isTTY === true,
};

const configured = process.env.LIVEDROP_URL?.replace(/\/+$/, '') || undefined;
const target = await findDemoTarget(configured);
if (!target) {
  console.error(`LIVEDROP_URL=${configured} does not answer GET /health`);
  process.exit(1);
}
out.write(`${target.announcement}\n`);

let exitCode = 1;
try {
  const report = await runDemo({ url: target.url, out });
  out.write(`\n${formatReport(report)}\n`);
  exitCode = succeeded(report) ? 0 : 1;
} catch (error) {
  console.error(`the demo stopped: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await target.close();
}
process.exitCode = exitCode;
