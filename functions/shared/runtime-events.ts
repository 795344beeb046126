import { Metrics } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { clientLocation } from './data/client.js';
import { EventBridgePublisher } from './data/event-publisher.js';
import type { Adapters } from './runtime.js';

/** livedrop's events on its EventBridge bus, for the functions whose wiring says `publishes`. */
export const eventBridgeEvents: NonNullable<Adapters['events']> = (config, logger, env) =>
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
