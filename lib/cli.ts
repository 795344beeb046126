/**
 * The command line of the npm scripts in bin/: one table per script of its options, read by node:util parseArgs
 * (strict) and printed by `--help`, so the usage text cannot drift from what is parsed. A mistake on the command
 * line is one line on stderr and exit code 2, never a stack trace.
 */
import { parseArgs } from 'node:util';

export interface CliOption {
  type: 'string' | 'boolean';
  /** What a string option's value is, as --help shows it: N, S, DIR. */
  value?: string;
  description: string;
  /** The default as --help shows it; the script applies it, since some depend on other options. */
  default?: string;
}

export interface CliSpec<O extends Record<string, CliOption>> {
  /** The npm script, which starts the usage line and every error line. */
  script: string;
  summary: string;
  positionals?: readonly { name: string; description: string }[];
  options: O;
  environment?: readonly { name: string; description: string; default?: string }[];
  /** Paragraphs after the tables. */
  notes?: readonly string[];
}

export type CliValues<O extends Record<string, CliOption>> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

export interface CommandLine<O extends Record<string, CliOption>> {
  values: CliValues<O>;
  positionals: string[];
}

/** A mistake on the command line: its message is the part after `<script>: `. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `const` keeps the option types literal, so the parsed values are typed string or boolean per option. */
export const defineCli = <const O extends Record<string, CliOption>>(spec: CliSpec<O>): CliSpec<O> => spec;

const HELP: CliOption = { type: 'boolean', description: 'print this and exit' };

/** Two columns; a description's further lines start under its first. */
const table = (rows: [string, string][]): string[] => {
  const width = Math.max(...rows.map(([left]) => left.length));
  const indent = `\n${' '.repeat(width + 4)}`;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right.replaceAll('\n', indent)}`);
};

export const usage = <O extends Record<string, CliOption>>(spec: CliSpec<O>): string => {
  const positionals = (spec.positionals ?? []).map((p) => ` <${p.name}>`).join('');
  const lines = [`usage: npm run ${spec.script} -- [options]${positionals}`, '', spec.summary];
  if (spec.positionals?.length) {
    lines.push('', 'arguments:', ...table(spec.positionals.map((p) => [`<${p.name}>`, p.description])));
  }
  const options = Object.entries({ ...spec.options, help: HELP }).map(([name, option]): [string, string] => [
    `--${name}${option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : ''}`,
    `${option.description}${option.default === undefined ? '' : ` (default: ${option.default})`}`,
  ]);
  lines.push('', 'options:', ...table(options));
  if (spec.environment?.length) {
    const rows = spec.environment.map((v): [string, string] => [
      v.name,
      `${v.description}${v.default === undefined ? '' : ` (default: ${v.default})`}`,
    ]);
    lines.push('', 'environment:', ...table(rows));
  }
  for (const note of spec.notes ?? []) lines.push('', note);
  return `${lines.join('\n')}\n`;
};

/** parseArgs' first sentence (it goes on about `--` and `=`), as the one line the script prints. */
const briefly = (message: string): string => {
  const first = message.split(/\.\s|\n/)[0] ?? message;
  return first.charAt(0).toLowerCase() + first.slice(1);
};

/** The command line, or 'help'; throws UsageError on an unknown option, a missing value or a stray argument. */
export const parseCommandLine = <O extends Record<string, CliOption>>(
  spec: CliSpec<O>,
  argv: string[],
): CommandLine<O> | 'help' => {
  const options = Object.fromEntries(
    Object.entries({ ...spec.options, help: HELP }).map(([name, { type }]) => [name, { type }]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(briefly((error as Error).message));
  }
  if (parsed.values.help === true) return 'help';
  const expected = spec.positionals ?? [];
  const missing = expected.slice(parsed.positionals.length).map((p) => `<${p.name}>`);
  if (missing.length > 0) throw new UsageError(`missing ${missing.join(' and ')}`);
  const extra = parsed.positionals[expected.length];
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
  return { values: parsed.values as CliValues<O>, positionals: parsed.positionals };
};

export const errorLine = <O extends Record<string, CliOption>>(spec: CliSpec<O>, message: string): string =>
  `${spec.script}: ${message}; see --help`;

/** Prints the one error line and exits 2. */
export const fail = <O extends Record<string, CliOption>>(spec: CliSpec<O>, message: string): never => {
  console.error(errorLine(spec, message));
  process.exit(2);
};

/**
 * The script's command line turned into its settings by `convert` (which throws UsageError on a bad value).
 * `--help` prints the usage and exits 0; a mistake prints one line and exits 2.
 */
export const readCommandLine = <O extends Record<string, CliOption>, T>(
  spec: CliSpec<O>,
  convert: (line: CommandLine<O>) => T,
  argv: string[] = process.argv.slice(2),
): T => {
  try {
    const line = parseCommandLine(spec, argv);
    if (line === 'help') {
      process.stdout.write(usage(spec));
      process.exit(0);
    }
    return convert(line);
  } catch (error) {
    if (error instanceof UsageError) fail(spec, error.message);
    throw error;
  }
};

/** A number option's value: finite, at least `min`, whole if asked; throws UsageError otherwise. */
export const numberValue = (name: string, raw: string, { min = 0, whole = false } = {}): number => {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || (whole && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be a ${whole ? 'whole ' : ''}number >= ${min}, got "${raw}"`);
  }
  return value;
};
