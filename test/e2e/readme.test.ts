import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, type RuntimeProcess, startRuntimeProcess } from './support.js';

/**
 * The README's commands, run exactly as written (only the port differs) against `npm start`'s runtime, and the
 * walkthrough's continuation in docs/local.md: if the documentation and the engine drift apart, this fails.
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

const read = (path: string): Promise<string> => readFile(new URL(`../../${path}`, import.meta.url), 'utf8');

/** The first `sh` block after `heading` in the file at `path`. */
const shellBlock = async (path: string, heading: string): Promise<string> => {
  const text = await read(path);
  const start = text.indexOf(`\n${heading}\n`);
  expect(start, `${path} has "${heading}"`).toBeGreaterThan(0);
  const open = text.indexOf('```sh\n', start);
  const close = text.indexOf('```', open + 6);
  return text.slice(open + 6, close);
};

/** Runs a walkthrough with bash, strict, against the test's runtime; its output lines. */
const run = async (script: string): Promise<string[]> => {
  const { stdout } = await promisify(execFile)(
    'bash',
    ['-euo', 'pipefail', '-c', script.replaceAll('localhost:3000', new URL(runtime.url).host)],
    { timeout: 30_000 },
  );
  return stdout.trim().split('\n');
};

describe('the README', () => {
  it('has a host create and start a deal and a viewer claim a coupon, each step saying what it did', async () => {
    const lines = await run(await shellBlock('README.md', '## Try it'));

    expect(lines).toHaveLength(3);
    const [created, started, claimed] = lines;
    const dealId = /^1\. host-1 created deal ([0-9A-HJKMNP-TV-Z]{26}): SCHEDULED, stock 500$/.exec(
      created ?? '',
    )?.[1];
    expect(dealId, created).toBeDefined();
    expect(started).toBe(`2. host-1 started deal ${dealId}: LIVE, 500 available`);
    expect(claimed).toMatch(
      /^3\. viewer-1 claimed coupon [0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4} at 6000 cents, valid until \d{4}-\d\d-\d\dT/,
    );
  });

  it('continues in docs/local.md to a redemption and the figures', async () => {
    const readme = await shellBlock('README.md', '## Try it');
    const continuation = await shellBlock('docs/local.md', "## One deal's whole life");

    const lines = await run(`${readme}\n${continuation}`);

    expect(lines).toHaveLength(5);
    const code = /coupon (\S+) at/.exec(lines[2] ?? '')?.[1];
    expect(lines[3]).toBe(`4. shop-checkout redeemed coupon ${code} for order-1: REDEEMED`);
    expect(lines[4]).toBe('5. stock 500 = available 499 + held 0 + redeemed 1');
  });

  it('starts the engine with the npm scripts the runtime tests run, and the docs name only scripts that exist', async () => {
    const docs = (await readdir(new URL('../../docs/', import.meta.url))).filter((file) =>
      file.endsWith('.md'),
    );
    const texts = await Promise.all(['README.md', ...docs.map((file) => `docs/${file}`)].map(read));
    const { scripts } = JSON.parse(await read('package.json')) as { scripts: Record<string, string> };

    expect(await shellBlock('README.md', '## Run it')).toBe('npm ci && npm start\n');
    expect(scripts.start).toContain('tsx bin/start.ts');
    expect(await shellBlock('README.md', '## Test')).toBe('npm test\n');
    const named = [...texts.join('\n').matchAll(/npm run ([a-z:-]+)/g)].map((match) => match[1] as string);
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((script) => scripts[script] === undefined)).toEqual([]);
  });
});

describe('the local gateway', () => {
  it('answers a path that is not valid percent-encoding with 400, not a server error', async () => {
    const reply = await fetch(`${runtime.url}/deals/%E0%A4%A`);

    expect(reply.status).toBe(400);
    expect(await reply.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  it('answers a body over API Gateway’s 10 MB quota with the 413 the client actually receives, as API Gateway words it', async () => {
    const reply = await fetch(`${runtime.url}/local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'a'.repeat(10 * 1024 * 1024 + 1),
    });

    expect(reply.status).toBe(413);
    expect(await reply.json()).toStrictEqual({ message: 'Request Entity Too Large' });
  });
});
