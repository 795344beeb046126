import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * The embedded store as its own process (`bin/store.ts`, what `npm run store` runs), so a test can kill it
 * with SIGKILL the way a crash or the OOM killer would, and start it again on the same data and port.
 */

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READY_TIMEOUT_MS = 30_000;

export interface StoreProcess {
  endpoint: string;
  pid: number;
  /** Every line the store wrote so far. */
  output(): string[];
  /** SIGKILL: no shutdown code runs; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGSTOP: the store still accepts connections (the kernel does) but answers nothing, as a hung store. */
  freeze(): void;
  /** SIGCONT after freeze. */
  thaw(): void;
}

/** Children still running, killed by their own pid when the test worker exits. */
const alive = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

/** A port nothing listens on right now, to pin the store's port across restarts. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

/** Starts `node --import tsx bin/store.ts` with its data in `dataDir` on `port`; resolves once it is ready. */
export const startStoreProcess = async (dataDir: string, port: number): Promise<StoreProcess> => {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('VITEST') && name !== 'NODE_ENV') env[name] = value;
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/store.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...env,
      LIVEDROP_DATA: dataDir,
      PORT: String(port),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  alive.add(child);
  const gone = new Promise<void>((resolve) =>
    child.once('exit', () => {
      alive.delete(child);
      resolve();
    }),
  );
  const lines: string[] = [];
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  // Both pipes are read for the child's whole life, so a full pipe never blocks it.
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (line === '') continue;
        lines.push(line);
        if (line.includes('livedrop store ready')) markReady();
      }
    });
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ready,
      gone.then(() => {
        throw new Error(`the store exited before it was ready:\n${lines.join('\n')}`);
      }),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the store was not ready within ${READY_TIMEOUT_MS} ms`)),
          READY_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    await gone;
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    output: () => [...lines],
    kill: async () => {
      child.kill('SIGKILL');
      await gone;
    },
    freeze: () => {
      child.kill('SIGSTOP');
    },
    thaw: () => {
      child.kill('SIGCONT');
    },
  };
};
