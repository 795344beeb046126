/**
 * The scripts with options, run as the npm scripts run them: `--help` prints the usage naming every option and
 * exits 0 without starting anything; an unknown option or a bad value is one line on stderr and exit code 2.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { usage } from '../../lib/cli.js';
import { SIMULATE_CLI } from '../../lib/simulate/options.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const run = (
  script: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `bin/${script}.ts`, ...args],
      { cwd: REPO_ROOT, timeout: 30_000, env: { ...process.env, LIVEDROP_DATA: 'memory' } },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number | null) : 0, stdout, stderr }),
    );
  });

const SCRIPTS: { script: string; names: string[]; bad: string[]; says: string }[] = [
  {
    script: 'bench',
    names: [
      '--concurrency N',
      '--stock N',
      '--viewers N',
      '--baseline-ops N',
      '--containers N',
      '--no-http',
      '--no-cold-start',
      '--store-in-process',
      '--out DIR',
      '(default: 64)',
    ],
    bad: ['--stock', 'many'],
    says: 'bench: --stock must be a whole number >= 1, got "many"; see --help',
  },
  {
    script: 'demo',
    names: ['--help', 'LIVEDROP_URL'],
    bad: ['now'],
    says: "demo: unexpected argument 'now'; see --help",
  },
  {
    script: 'invoke',
    names: ['<function>', '<event.json>', 'LIVEDROP_DATA', 'claim-coupon', 'sweep'],
    bad: ['no-such-function', 'events/sweep.json'],
    says: "invoke: no function named 'no-such-function'; see --help",
  },
  {
    script: 'start',
    names: ['PORT', 'LIVEDROP_DATA', 'LIVEDROP_SWEEP_SECONDS', 'LIVEDROP_ALLOWED_ORIGINS'],
    bad: ['now'],
    says: "start: unexpected argument 'now'; see --help",
  },
  {
    script: 'openapi',
    names: ['--check'],
    bad: ['now'],
    says: "openapi: unexpected argument 'now'; see --help",
  },
  {
    script: 'simulate',
    names: Object.keys(SIMULATE_CLI.options).map((name) => `--${name} `),
    bad: ['--ramp', '100,fast'],
    says: 'simulate: --ramp must be a number >= 0, got "fast"; see --help',
  },
];

describe.each(SCRIPTS)('npm run $script', ({ script, names, bad, says }) => {
  it('prints its usage for --help, naming every option, and exits 0 having done nothing else', async () => {
    const { code, stdout, stderr } = await run(script, ['--help']);

    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^usage: npm run ${script} -- `));
    for (const name of names) expect(stdout).toContain(name);
    expect(stdout).toContain('--help');
    expect(stderr).toBe('');
    if (script === 'simulate') expect(stdout).toBe(usage(SIMULATE_CLI));
  });

  it('says in one line what is wrong with an unknown option or a bad value, and exits 2', async () => {
    const [unknown, wrong] = await Promise.all([run(script, ['--bogus']), run(script, bad)]);

    expect(unknown).toMatchObject({
      code: 2,
      stdout: '',
      stderr: `${script}: unknown option '--bogus'; see --help\n`,
    });
    expect(wrong).toMatchObject({ code: 2, stdout: '', stderr: `${says}\n` });
  });
});
