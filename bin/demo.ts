/**
 * `npm run demo`: one flash deal's life over HTTP — creation, a rush of 2,000 viewers, checkout, expiry and
 * the sweep returning units, a second wave — then a table of what happened, every figure measured or read
 * back. It plays against LIVEDROP_URL when set (which must answer), else against http://127.0.0.1:3000 if
 * something answers GET /health there within a second, else against its own in-memory runtime, which it
 * closes at the end. Exit code 0 when every check holds, 1 otherwise.
 */
import { runDemo } from '../lib/local/demo.js';
import { formatReport, succeeded } from '../lib/local/demo-report.js';
import { findDemoTarget } from '../lib/local/demo-target.js';

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
