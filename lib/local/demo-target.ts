/**
 * Which livedrop `npm run demo` plays against: LIVEDROP_URL when set (which must answer), else
 * http://127.0.0.1:3000 if something answers GET /health there within a second, else an in-memory runtime
 * of its own, which the demo closes at the end.
 */
import { Logger } from '../../functions/shared/logger.js';
import { startRuntime } from './runtime.js';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

export const answersHealth = async (url: string): Promise<boolean> => {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
};

export interface DemoTarget {
  url: string;
  /** One line saying where the demo plays and why. */
  announcement: string;
  /** Closes the runtime the demo started, if it started one. */
  close(): Promise<void>;
}

/** The target, or undefined when `configured` (LIVEDROP_URL, without trailing slashes) does not answer. */
export const findDemoTarget = async (configured: string | undefined): Promise<DemoTarget | undefined> => {
  const nothingToClose = async () => {};
  if (configured !== undefined) {
    if (!(await answersHealth(configured))) return undefined;
    return { url: configured, announcement: `playing against ${configured}`, close: nothingToClose };
  }
  if (await answersHealth(DEFAULT_URL)) {
    return {
      url: DEFAULT_URL,
      announcement: `playing against the engine at ${DEFAULT_URL}`,
      close: nothingToClose,
    };
  }
  // The functions log one line per request; 2,000 claims would bury the demo's own output. Warnings and
  // errors still show (on stderr).
  process.env.LIVEDROP_LOG_LEVEL ??= 'WARN';
  const runtime = await startRuntime({
    port: 0,
    data: 'memory',
    sweepSeconds: 1,
    logger: new Logger({ serviceName: 'livedrop-local', logLevel: 'WARN' }),
  });
  return {
    url: runtime.url,
    announcement: `nothing answers at ${DEFAULT_URL}: started an in-memory runtime at ${runtime.url} (sweep every 1 s)`,
    close: () => runtime.close(),
  };
};
