import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { loadConfig } from './config.js';
import { GALA_DROP_TARGET } from './contract/wiring.js';
import { clientLocation, createDocumentClient } from './data/client.js';
import { EventBridgePublisher } from './data/event-publisher.js';
import { EventBridgeSchedulerPort } from './data/scheduler.js';
import { createStore } from './data/store.js';
import { systemClock } from './domain/clock.js';
import type { HandlerDeps } from './http/types.js';
import { Engine } from './use-cases/engine.js';

/**
 * How long one store request may wait for its answer. DynamoDB answers in milliseconds; with the DynamoDB client's 4 attempts this
 * fails a call to a hung store within about 6 s, inside the shortest function timeout (10 s), so callers get
 * 503 + Retry-After instead of API Gateway's 500 for a timed-out function.
 */
const STORE_SOCKET_TIMEOUT_MS = 1_500;

/** Production wiring: config from the environment, one client, one engine per container. */
export const productionDeps = (env: NodeJS.ProcessEnv = process.env): HandlerDeps => {
  const config = loadConfig(env);
  const logger = new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'livedrop' });
  const store = createStore(
    createDocumentClient({
      ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
      ...(config.region === undefined ? {} : { region: config.region }),
      socketTimeoutMs: STORE_SOCKET_TIMEOUT_MS,
    }),
    config.tableName,
  );
  const events =
    config.eventBusName === undefined
      ? undefined
      : new EventBridgePublisher(
          new EventBridgeClient(
            clientLocation({
              ...(config.eventBridgeEndpoint === undefined ? {} : { endpoint: config.eventBridgeEndpoint }),
              ...(config.region === undefined ? {} : { region: config.region }),
            }),
          ),
          config.eventBusName,
          logger,
          new Metrics({ namespace: env.POWERTOOLS_METRICS_NAMESPACE ?? 'livedrop', serviceName: 'livedrop' }),
        );
  const scheduler =
    config.scheduler === undefined
      ? undefined
      : new EventBridgeSchedulerPort(
          new SchedulerClient(
            clientLocation({
              ...(config.scheduler.endpoint === undefined ? {} : { endpoint: config.scheduler.endpoint }),
              ...(config.region === undefined ? {} : { region: config.region }),
            }),
          ),
          {
            functions: { [GALA_DROP_TARGET]: config.scheduler.priceDropFunctionArn },
            roleArn: config.scheduler.roleArn,
            ...(config.scheduler.deadLetterQueueArn === undefined
              ? {}
              : { deadLetterQueueArn: config.scheduler.deadLetterQueueArn }),
          },
        );
  const engine = new Engine({
    store,
    ...(scheduler === undefined ? {} : { scheduler }),
    clock: systemClock,
    logger,
    ...(events === undefined ? {} : { events }),
    options: {
      ...(config.claimGraceMs === undefined ? {} : { claimGraceMs: config.claimGraceMs }),
      ...(config.rateLimits === undefined ? {} : { rateLimits: config.rateLimits }),
    },
  });
  return { engine, logger };
};
