import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Support for the end-to-end tests: `bin/start.ts` as a child process, the way `npm start` runs it, driven over
 * HTTP only. Nothing here imports the runtime; the tests see exactly what a developer's curl would see.
 */

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RuntimeProcess {
  url: string;
  pid: number;
  /** Every line the child wrote to stdout and stderr so far, for assertions and failure messages. */
  output(): string[];
  /** SIGTERM, then the exit the runtime chose (a clean stop is code 0). */
  stop(): Promise<Exit>;
}

/** Children still running: killed by `killAll` in afterAll/afterEach, and on exit should the worker die. */
const alive = new Set<ChildProcess>();

process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

/** Kills every child still running, by its own pid, and waits until each is gone. */
export const killAll = async (): Promise<void> => {
  await Promise.all(
    [...alive].map((child) => {
      const gone = exited(child);
      child.kill('SIGKILL');
      return gone;
    }),
  );
};

const exited = (child: ChildProcess): Promise<Exit> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve({ code: child.exitCode, signal: child.signalCode })
    : new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

/** The environment `npm start` would give it, minus the test runner's own variables. */
const childEnvironment = (dataDir: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    // One JSON record per line is what the ready check parses: no dev-mode pretty printing.
    if (name.startsWith('VITEST') || name === 'NODE_ENV' || name === 'LIVEDROP_LOG_PRETTY') continue;
    env[name] = value;
  }
  return {
    ...env,
    PORT: '0',
    LIVEDROP_DATA: dataDir,
    LIVEDROP_SWEEP_SECONDS: '1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
};

/**
 * Starts `node --import tsx bin/start.ts` on a free port (PORT=0) with its data in `dataDir`, reads its url
 * from the "livedrop is running" log line and waits until GET /health answers.
 */
export const startRuntimeProcess = async (dataDir: string): Promise<RuntimeProcess> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/start.ts'], {
    cwd: REPO_ROOT,
    env: childEnvironment(dataDir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  alive.add(child);
  child.once('exit', () => alive.delete(child));
  const lines: string[] = [];
  // Both pipes are read for the child's whole life: a full pipe would block its (synchronous) log writes.
  const collect = (stream: NodeJS.ReadableStream | null, onLine?: (line: string) => void) => {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        onLine?.(line);
      }
    });
  };
  const recentOutput = () => `pid ${child.pid}; output:\n${lines.slice(-40).join('\n')}`;

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`livedrop did not report its url within ${READY_TIMEOUT_MS} ms; ${recentOutput()}`));
    }, READY_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`livedrop exited before it was ready (code ${code}, signal ${signal}); ${recentOutput()}`),
      );
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    collect(child.stdout, (line) => {
      const record = parseRecord(line);
      if (record?.message === 'livedrop is running' && typeof record.url === 'string') {
        clearTimeout(timer);
        resolve(record.url);
      }
    });
    collect(child.stderr);
  })
    .then(async (reported) => {
      await eventually(
        async () => {
          const response = await fetch(`${reported}/health`);
          if (response.status !== 200) throw new Error(`GET /health answered ${response.status}`);
        },
        { timeoutMs: 10_000, what: `GET ${reported}/health` },
      );
      return reported;
    })
    .catch(async (error: unknown) => {
      child.kill('SIGKILL');
      await exited(child);
      throw error;
    });

  return {
    url,
    pid: child.pid as number,
    output: () => [...lines],
    stop: async () => {
      const exit = exited(child);
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`livedrop did not stop within ${STOP_TIMEOUT_MS} ms; ${recentOutput()}`)),
          STOP_TIMEOUT_MS,
        );
      });
      try {
        return await Promise.race([exit, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
};

/** A JSON log record, or undefined for any other line. */
export const parseRecord = (line: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/** Retries `check` until it resolves, or fails with its last error once `timeoutMs` has passed. */
export const eventually = async <T>(
  check: () => Promise<T>,
  options: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<T> => {
  const deadline = Date.now() + options.timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await check();
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
  throw new Error(`${options.what} did not happen within ${options.timeoutMs} ms: ${String(last)}`);
};

export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export type Role = 'viewer' | 'host' | 'checkout' | 'admin';

/** A tiny HTTP client for one runtime: JSON in, JSON out, a bearer token when given. */
export class Api {
  constructor(readonly url: string) {}

  async call<T = unknown>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : null) as T,
    };
  }

  async token(sub: string, role: Role): Promise<string> {
    const reply = await this.call<{ token: string }>('POST', '/local/token', { body: { sub, role } });
    if (reply.status !== 200) throw new Error(`POST /local/token answered ${reply.status}`);
    return reply.body.token;
  }

  /** POST /local/events?wait=true: delivered before the answer, with each delivery's outcome. */
  putEvents(entries: Record<string, unknown>[]): Promise<Reply<PutEventsReply>> {
    return this.call<PutEventsReply>('POST', '/local/events?wait=true', { body: { Entries: entries } });
  }
}

export interface PutEventsReply {
  FailedEntryCount: number;
  Entries: ({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[];
  Unmatched: number[];
  Deliveries?: {
    entry: number;
    rule: string;
    target: string;
    ok: boolean;
    result?: { outcome: 'applied'; result: unknown } | { outcome: 'rejected'; code: string; message: string };
    error?: string;
  }[];
}

export interface Deal {
  dealId: string;
  streamId: string;
  hostId: string;
  status: 'SCHEDULED' | 'LIVE' | 'PAUSED' | 'ENDED';
  stock: number;
  available: number;
  held: number;
  redeemed: number;
  perViewerLimit: number;
  claimTtlSeconds: number;
}

export interface Coupon {
  couponId: string;
  code: string;
  dealId: string;
  viewerId: string;
  status: 'ISSUED' | 'REDEEMED' | 'EXPIRED';
  expiresAt: string;
  orderId?: string;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** What API Gateway answers itself (authorizer, throttling, unknown routes), and the local gateway likewise. */
export interface GatewayBody {
  message: string;
}
