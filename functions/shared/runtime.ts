import { type Config, loadConfig } from './config.js';
import { createDocumentClient } from './data/client.js';
import { createStore } from './data/store.js';
import { systemClock } from './domain/clock.js';
import type { EventPublisher, MetadataPublisher, SchedulerPort } from './domain/ports.js';
import { Logger } from './logger.js';
import { type Bound, bindUseCases } from './use-cases/bind.js';
import { createContext } from './use-cases/context.js';

/**
 * How long one store request may wait for its answer (unless LIVEDROP_STORE_TIMEOUT_MS says otherwise, as the
 * local runtime does for its embedded store). DynamoDB answers in milliseconds; with the DynamoDB client's 4 attempts this
 * fails a call to a hung store within about 6 s, inside the shortest function timeout (10 s), so callers get
 * 503 + Retry-After instead of API Gateway's 500 for a timed-out function.
 */
const STORE_SOCKET_TIMEOUT_MS = 1_500;

/**
 * The adapters a function needs beyond the store, each in a module of its own (runtime-events.ts,
 * runtime-scheduler.ts, runtime-ivs.ts) so a function's bundle carries only the AWS clients it uses: its handler
 * passes exactly the ones its wiring declares (`publishes`, `scheduling`, `putsMetadata`), and a test checks
 * they agree.
 */
export interface Adapters {
  /** Builds the event publisher; undefined when the deployment has no bus. */
  events?: (config: Config, logger: Logger, env: NodeJS.ProcessEnv) => EventPublisher | undefined;
  /** Builds the scheduler port; undefined when the function is not configured to schedule. */
  scheduler?: (config: Config) => SchedulerPort | undefined;
  /** Builds the timed-metadata publisher (runtime-ivs.ts), for the functions that put into IVS channels. */
  metadata?: (config: Config) => MetadataPublisher;
}

/**
 * Production wiring: config from the environment, one client, one context per container, and the function's
 * own use cases bound to it (`{ claim }` for the claim function): its bundle carries no other use case.
 */
export const productionDeps = <T extends Parameters<typeof bindUseCases>[1]>(
  useCases: T,
  adapters: Adapters = {},
  env: NodeJS.ProcessEnv = process.env,
): { engine: Bound<T>; logger: Logger } => {
  const config = loadConfig(env);
  const logger = new Logger({ serviceName: env.LIVEDROP_SERVICE_NAME ?? 'livedrop', env });
  const store = createStore(
    createDocumentClient({
      ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
      ...(config.region === undefined ? {} : { region: config.region }),
      socketTimeoutMs: config.store?.timeoutMs ?? STORE_SOCKET_TIMEOUT_MS,
      ...(config.store?.attempts === undefined ? {} : { maxAttempts: config.store.attempts }),
    }),
    config.tableName,
  );
  const events = adapters.events?.(config, logger, env);
  const scheduler = adapters.scheduler?.(config);
  const metadata = adapters.metadata?.(config);
  const ctx = createContext({
    store,
    ...(scheduler === undefined ? {} : { scheduler }),
    clock: systemClock,
    logger,
    ...(events === undefined ? {} : { events }),
    ...(metadata === undefined ? {} : { metadata }),
    options: {
      ...(config.claimGraceMs === undefined ? {} : { claimGraceMs: config.claimGraceMs }),
      ...(config.rateLimits === undefined ? {} : { rateLimits: config.rateLimits }),
    },
  });
  return { engine: bindUseCases(ctx, useCases), logger };
};
