/**
 * `npm run demo`: one flash deal's life over HTTP — creation, a rush of 2,000 viewers, checkout, expiry and
 * the sweep returning units, a second wave — then a table of what happened, every figure measured or read
 * back. It plays against LIVEDROP_URL when set (which must answer), else against http://127.0.0.1:3000 if
 * something answers GET /health there within a second, else against its own in-memory runtime, which it
 * closes at the end. Exit code 0 when every check holds, 1 otherwise.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { formatReport, runDemo, succeeded } from '../lib/local/demo.js';
import { type Runtime, startRuntime } from '../lib/local/runtime.js';

const DEFAULT_URL = 'http://127.0.0.1:3000';

const answersHealth = async (url: string): Promise<boolean> => {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
};

const out = {
  write: (text: string) => void process.stdout.write(text),
  isTTY: process.stdout.isTTY === true,
};

const configured = process.env.LIVEDROP_URL?.replace(/\/+$/, '') || undefined;
let runtime: Runtime | undefined;
let url: string;
if (configured !== undefined) {
  if (!(await answersHealth(configured))) {
    console.error(`LIVEDROP_URL=${configured} does not answer GET /health`);
    process.exit(1);
  }
  url = configured;
  out.write(`playing against ${url}\n`);
} else if (await answersHealth(DEFAULT_URL)) {
  url = DEFAULT_URL;
  out.write(`playing against the engine at ${url}\n`);
} else {
  // The functions log one line per request; 2,000 claims would bury the demo's own output. Warnings and
  // errors still show (on stderr).
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  runtime = await startRuntime({
    port: 0,
    data: 'memory',
    sweepSeconds: 1,
    logger: new Logger({ serviceName: 'livedrop-local', logLevel: 'WARN' }),
  });
  url = runtime.url;
  out.write(`nothing answers at ${DEFAULT_URL}: started an in-memory runtime at ${url} (sweep every 1 s)\n`);
}

let exitCode = 1;
try {
  const report = await runDemo({ url, out });
  out.write(`\n${formatReport(report)}\n`);
  exitCode = succeeded(report) ? 0 : 1;
} catch (error) {
  console.error(`the demo stopped: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await runtime?.close();
}
process.exitCode = exitCode;
