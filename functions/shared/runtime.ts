import { Logger } from '@aws-lambda-powertools/logger';
import { loadConfig } from './config.js';
import { createDocumentClient } from './data/client.js';
import { Store } from './data/store.js';
import { systemClock } from './domain/clock.js';
import { Engine } from './engine/engine.js';
import type { HandlerDeps } from './http/types.js';

/** Production wiring: config from the environment, one client, one engine per container. */
export const productionDeps = (env: NodeJS.ProcessEnv = process.env): HandlerDeps => {
  const config = loadConfig(env);
  const logger = new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'livedrop' });
  const store = new Store(
    createDocumentClient({
      ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
      ...(config.region === undefined ? {} : { region: config.region }),
    }),
    config.tableName,
  );
  const engine = new Engine({
    store,
    clock: systemClock,
    logger,
    ...(config.claimGraceMs === undefined ? {} : { options: { claimGraceMs: config.claimGraceMs } }),
  });
  return { engine, logger };
};
