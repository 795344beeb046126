/**
 * livedrop's structured logger: one JSON line per entry on stdout (Lambda's JSON log format keeps it as is),
 * `level` first, then `message`, `timestamp`, `service`, the invocation's keys and the entry's own fields.
 * Errors anywhere in the fields are written as `{ name, message, stack, cause? }`. Its own module rather than a
 * logging library: every function carries it, the claim included, and its cold import is part of a viewer's wait.
 */

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  serviceName?: string;
  /** Default: LIVEDROP_LOG_LEVEL, else AWS_LAMBDA_LOG_LEVEL (set by Lambda's log configuration), else INFO. */
  logLevel?: LogLevel;
  /** Where lines go (default: stdout, WARN and ERROR to stderr). */
  write?: (line: string, level: LogLevel) => void;
  env?: NodeJS.ProcessEnv;
}

/** What the logger takes from a Lambda invocation's context. */
export interface InvocationContext {
  awsRequestId: string;
  functionName?: string;
}

const rank = (level: LogLevel): number => LOG_LEVELS.indexOf(level);

const levelOf = (value: string | undefined): LogLevel | undefined => {
  const upper = value?.trim().toUpperCase();
  if (upper === 'WARNING') return 'WARN';
  if (upper === 'TRACE') return 'DEBUG';
  if (upper === 'FATAL' || upper === 'CRITICAL') return 'ERROR';
  return LOG_LEVELS.find((level) => level === upper);
};

const serializeError = (error: Error): Record<string, unknown> => ({
  name: error.name,
  message: error.message,
  ...(error.stack === undefined ? {} : { stack: error.stack }),
  ...(error.cause === undefined ? {} : { cause: error.cause }),
});

/** Errors as objects, BigInts as strings, and a value met again inside itself as "[Circular]". */
const replacer = () => {
  const seen = new WeakSet<object>();
  return function (this: unknown, _key: string, value: unknown): unknown {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) return serializeError(value);
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[Circular]';
      seen.add(value);
    }
    return value;
  };
};

export class Logger {
  private readonly level: LogLevel;
  private readonly service: string;
  private readonly write: (line: string, level: LogLevel) => void;
  private readonly env: NodeJS.ProcessEnv;
  private readonly indent: number | undefined;
  private invocation: Record<string, unknown> = {};
  private coldStart = true;

  constructor(options: LoggerOptions = {}) {
    this.env = options.env ?? process.env;
    this.level =
      options.logLevel ??
      levelOf(this.env.LIVEDROP_LOG_LEVEL) ??
      levelOf(this.env.AWS_LAMBDA_LOG_LEVEL) ??
      'INFO';
    this.service = options.serviceName ?? 'livedrop';
    // Indented records for a person at a terminal (`npm start` sets it there); one record per write either way.
    this.indent = this.env.LIVEDROP_LOG_PRETTY === 'true' ? 2 : undefined;
    this.write =
      options.write ??
      ((line, level) => {
        (level === 'ERROR' || level === 'WARN' ? process.stderr : process.stdout).write(line);
      });
  }

  /** The invocation's keys on every later line: its request id, the function, and whether it was the cold start. */
  addContext(context: InvocationContext): void {
    this.invocation = {
      cold_start: this.coldStart,
      function_request_id: context.awsRequestId,
      ...(context.functionName === undefined ? {} : { function_name: context.functionName }),
    };
    this.coldStart = false;
  }

  debug(message: string, extra?: Record<string, unknown>): void {
    this.log('DEBUG', message, extra);
  }

  info(message: string, extra?: Record<string, unknown>): void {
    this.log('INFO', message, extra);
  }

  warn(message: string, extra?: Record<string, unknown>): void {
    this.log('WARN', message, extra);
  }

  error(message: string, extra?: Record<string, unknown>): void {
    this.log('ERROR', message, extra);
  }

  private log(
    level: Exclude<LogLevel, 'SILENT'>,
    message: string,
    extra: Record<string, unknown> = {},
  ): void {
    if (rank(level) < rank(this.level)) return;
    const trace = this.env._X_AMZN_TRACE_ID?.match(/Root=([^;]+)/)?.[1];
    const entry = {
      level,
      message,
      timestamp: new Date().toISOString(),
      service: this.service,
      ...this.invocation,
      ...(trace === undefined ? {} : { xray_trace_id: trace }),
      ...extra,
    };
    this.write(`${JSON.stringify(entry, replacer(), this.indent)}\n`, level);
  }
}
