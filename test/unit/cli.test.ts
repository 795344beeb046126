/**
 * The npm scripts' command line (lib/cli.ts): --help prints every option of the table with its default, and a
 * mistake is a UsageError whose message fits on the script's one error line. The scripts themselves, spawned,
 * are in test/e2e/cli.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { defineCli, errorLine, numberValue, parseCommandLine, UsageError, usage } from '../../lib/cli.js';
import { DEFAULT_OPTIONS, SIMULATE_CLI, simulationOptions } from '../../lib/simulate/options.js';

const CLI = defineCli({
  script: 'tool',
  summary: 'Does one thing.',
  positionals: [{ name: 'file', description: 'what it reads' }],
  options: {
    size: { type: 'string', value: 'N', description: 'how many', default: '3' },
    quiet: { type: 'boolean', description: 'print nothing' },
  },
  environment: [
    { name: 'TOOL_HOME', description: 'where it keeps things\nbetween runs', default: '~/.tool' },
  ],
  notes: ['One more thing.'],
});

const mistake = (argv: string[]): string => {
  try {
    parseCommandLine(CLI, argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
};

describe('usage', () => {
  it('lists the arguments, every option with its value, description and default, --help, the environment', () => {
    expect(usage(CLI)).toBe(
      [
        'usage: npm run tool -- [options] <file>',
        '',
        'Does one thing.',
        '',
        'arguments:',
        '  <file>  what it reads',
        '',
        'options:',
        '  --size N  how many (default: 3)',
        '  --quiet   print nothing',
        '  --help    print this and exit',
        '',
        'environment:',
        '  TOOL_HOME  where it keeps things',
        '             between runs (default: ~/.tool)',
        '',
        'One more thing.',
        '',
      ].join('\n'),
    );
  });

  it("shows the simulation's every option with the default it applies", () => {
    const text = usage(SIMULATE_CLI);

    for (const [name, option] of Object.entries(SIMULATE_CLI.options)) {
      expect(text).toContain(`--${name} ${option.value}`);
      expect(option.default, name).toBeDefined();
    }
    expect(text).toContain(`(default: ${DEFAULT_OPTIONS.viewers})`);
    expect(text).toContain(`(default: ${DEFAULT_OPTIONS.rampRates.join(',')})`);
  });
});

describe('parseCommandLine', () => {
  it('gives the values typed per option and the arguments', () => {
    expect(parseCommandLine(CLI, ['--size', '5', '--quiet', 'a.json'])).toEqual({
      values: { size: '5', quiet: true },
      positionals: ['a.json'],
    });
    expect(parseCommandLine(CLI, ['a.json', '--size=7'])).toEqual({
      values: { size: '7' },
      positionals: ['a.json'],
    });
  });

  it('answers help for --help, whatever else is there', () => {
    expect(parseCommandLine(CLI, ['--help'])).toBe('help');
    expect(parseCommandLine(CLI, ['--size', '5', '--help'])).toBe('help');
  });

  it('refuses an unknown option, a missing value, a value on a flag, a missing or extra argument, in one line', () => {
    const messages = [
      mistake(['--sise', '5', 'a.json']),
      mistake(['a.json', '--size']),
      mistake(['--quiet=yes', 'a.json']),
      mistake(['--size', '--quiet', 'a.json']),
      mistake([]),
      mistake(['a.json', 'b.json']),
    ];

    expect(messages).toEqual([
      "unknown option '--sise'",
      "option '--size <value>' argument missing",
      "option '--quiet' does not take an argument",
      "option '--size' argument is ambiguous",
      'missing <file>',
      "unexpected argument 'b.json'",
    ]);
    expect(errorLine(CLI, messages[0] ?? '')).toBe("tool: unknown option '--sise'; see --help");
  });
});

describe('numberValue', () => {
  it('takes a finite number at least the minimum, whole if asked', () => {
    expect(numberValue('n', '2.5')).toBe(2.5);
    expect(numberValue('n', '0')).toBe(0);
    expect(numberValue('n', '64', { min: 1, whole: true })).toBe(64);
  });

  it.each([
    ['x', {}, '--n must be a number >= 0, got "x"'],
    ['', {}, '--n must be a number >= 0, got ""'],
    ['-1', {}, '--n must be a number >= 0, got "-1"'],
    ['Infinity', {}, '--n must be a number >= 0, got "Infinity"'],
    ['0', { min: 1, whole: true }, '--n must be a whole number >= 1, got "0"'],
    ['1.5', { min: 1, whole: true }, '--n must be a whole number >= 1, got "1.5"'],
  ])('refuses %j (%j)', (raw, limits, message) => {
    expect(() => numberValue('n', raw, limits)).toThrow(new UsageError(message));
  });
});

describe("the simulation's command line", () => {
  const options = (argv: string[]) => {
    const line = parseCommandLine(SIMULATE_CLI, argv);
    if (line === 'help') throw new Error('help');
    return simulationOptions(line);
  };

  it('keeps the defaults, and brings values past a limit to it', () => {
    expect(options([])).toEqual(DEFAULT_OPTIONS);
    expect(
      options(['--containers', '0', '--ramp-shards', '99', '--keyed-share', '3', '--dilation', '0.05']),
    ).toMatchObject({ containers: 1, rampShards: 64, keyedShare: 1, dilation: 0.1 });
    expect(options(['--wcu', '100', '--initial-burst', '0']).partitions).toMatchObject({
      writeUnitsPerSecond: 100,
      initialBurstSeconds: 0,
    });
  });

  it('reads --ramp as rates, none as no ramp, and refuses a rate that is not a number', () => {
    expect(options(['--ramp', '100,0,200']).rampRates).toEqual([100, 200]);
    expect(options(['--ramp', 'none']).rampRates).toEqual([]);
    expect(() => options(['--ramp', '100,fast'])).toThrow(
      new UsageError('--ramp must be a number >= 0, got "fast"'),
    );
  });
});
