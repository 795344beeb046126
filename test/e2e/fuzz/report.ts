/**
 * Reporting of the fuzz tests: the functions' log lines kept off the test output (errors kept for the
 * report), the tally of requests, codes and problems, and the summary line each test file prints.
 */
import { cut, describeRequest, type FuzzReply, type FuzzRequest } from './client.js';
import type { Problem } from './oracle.js';
import { rateWindows } from './store.js';

/**
 * The functions log straight to process.stdout and process.stderr (warnings and errors), one JSON record
 * per line. During the fuzz run those lines are taken off both streams (thousands of them would drown the
 * test output); ERROR records are kept, so a 5xx can be reported with the error behind it.
 */
export class LogTap {
  readonly errors: string[] = [];
  private readonly originals = new Map<NodeJS.WriteStream, typeof process.stdout.write>();

  start(): void {
    for (const stream of [process.stdout, process.stderr]) {
      if (this.originals.has(stream)) continue;
      const original = stream.write;
      this.originals.set(stream, original);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        const text =
          typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString() : undefined;
        if (text?.startsWith('{"level":')) {
          for (const line of text.split('\n'))
            if (line.startsWith('{"level":"ERROR"')) this.errors.push(line);
          const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
          callback?.();
          return true;
        }
        return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
      }) as typeof process.stdout.write;
    }
  }

  stop(): void {
    for (const [stream, original] of this.originals) stream.write = original;
    this.originals.clear();
  }

  /** The ERROR records since `mark` (an earlier `errors.length`), shortened to name, message and place. */
  since(mark: number): string[] {
    return this.errors.slice(mark).map((line) => {
      try {
        const record = JSON.parse(line) as Record<string, unknown>;
        const error = record.error as Record<string, unknown> | undefined;
        return [record.message, error?.name, error?.message, error?.location]
          .filter((part) => typeof part === 'string')
          .join(' | ');
      } catch {
        return cut(line, 300);
      }
    });
  }
}

/** Counts of what was sent and answered, and every problem once per kind with its shortest request. */
export class Tally {
  requests = 0;
  fiveHundreds = 0;
  /** Checks of the store that found it changed. */
  storeChanges = 0;
  readonly codes = new Map<string, number>();
  readonly problems = new Map<string, { count: number; request: string; detail: string; logs: string[] }>();

  count(code: string): void {
    this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
  }

  /** Counts the reply's status and error code (or `<status>` when it has none). */
  countReply(reply: FuzzReply): void {
    this.requests++;
    if (reply.status >= 500) this.fiveHundreds++;
    if (reply.failure) {
      this.count('no answer');
      return;
    }
    let code: string | undefined;
    try {
      const parsed = JSON.parse(reply.text) as { error?: { code?: unknown } };
      if (typeof parsed?.error?.code === 'string') code = parsed.error.code;
    } catch {
      // counted by status
    }
    this.count(code ? `${reply.status} ${code}` : `${reply.status}`);
  }

  add(family: string, problems: readonly Problem[], request: FuzzRequest, logs: string[]): void {
    for (const problem of problems) {
      const key = `${family}: ${problem.kind}`;
      const text = describeRequest(request);
      const seen = this.problems.get(key);
      if (!seen) this.problems.set(key, { count: 1, request: text, detail: problem.detail, logs });
      else {
        seen.count++;
        if (text.length < seen.request.length)
          Object.assign(seen, { request: text, detail: problem.detail, logs });
      }
    }
  }

  /** Problems whose key starts with `family`, as readable lines. */
  report(family?: string): string[] {
    return [...this.problems]
      .filter(([key]) => family === undefined || key.startsWith(`${family}: `))
      .map(
        ([key, p]) =>
          `${key} (x${p.count})\n    request: ${p.request}\n    answer:  ${p.detail}` +
          (p.logs.length > 0 ? `\n    logged:  ${p.logs.slice(0, 3).join('\n             ')}` : ''),
      );
  }
}

/**
 * The line each fuzz test file prints when it is done, for the CI log: requests sent, 5xx and store changes
 * seen, the codes seen and each family's seed (to replay one, see harness.ts).
 */
export const summaryLine = (run: {
  name: string;
  tally: Tally;
  totalRuns: number;
  seconds: number;
  seeds: readonly string[];
}): string => {
  const { tally } = run;
  const codes = [...tally.codes].sort(([, a], [, b]) => b - a).map(([code, n]) => `${code}: ${n}`);
  return (
    `fuzz ${run.name}: ${tally.requests} requests fuzzed in ${run.seconds} s ` +
    `(this file's share of LIVEDROP_FUZZ_RUNS=${run.totalRuns}), 5xx seen: ${tally.fiveHundreds}, store changes seen: ${tally.storeChanges} (rate-limit windows counted: ${rateWindows.size}), problem kinds: ${tally.problems.size}; ` +
    `codes seen: ${codes.join(', ')}; seeds: ${run.seeds.join(', ')}`
  );
};
