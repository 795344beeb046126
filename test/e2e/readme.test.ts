import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, type RuntimeProcess, startRuntimeProcess } from './support.js';

/**
 * The README's walkthrough, run exactly as written (only the port differs), against `npm start`'s runtime:
 * if the README and the engine drift apart, this fails.
 */
let runtime: RuntimeProcess;
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'livedrop-readme-'));
  runtime = await startRuntimeProcess(dataDir);
});
afterAll(async () => {
  await killAll();
  await rm(dataDir, { recursive: true, force: true });
});

const walkthrough = async (): Promise<string> => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf("One deal's life");
  const open = readme.indexOf('```sh\n', start);
  const close = readme.indexOf('```', open + 6);
  expect(start, 'the README has a walkthrough').toBeGreaterThan(0);
  return readme.slice(open + 6, close);
};

describe('the README', () => {
  it('walks one deal from token to redemption against the local runtime, exactly as written', async () => {
    const script = (await walkthrough()).replaceAll('localhost:3000', new URL(runtime.url).host);

    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
      timeout: 30_000,
    });

    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    const [started, redeemed, figures] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(started).toMatchObject({ status: 'LIVE', stock: 500 });
    expect(redeemed).toMatchObject({ status: 'REDEEMED', orderId: 'order-1', viewerId: 'viewer-1' });
    expect(figures).toMatchObject({ stock: 500, available: 499, held: 0, redeemed: 1 });
  });
});

describe('the local gateway', () => {
  it('answers a path that is not valid percent-encoding with 400, not a server error', async () => {
    const reply = await fetch(`${runtime.url}/deals/%E0%A4%A`);

    expect(reply.status).toBe(400);
    expect(await reply.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  it('answers a body over its limit with 413 the client actually receives', async () => {
    const reply = await fetch(`${runtime.url}/local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'a'.repeat(2_000_000),
    });

    expect(reply.status).toBe(413);
    expect(await reply.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });
});
