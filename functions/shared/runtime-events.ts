import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { clientLocation } from './data/client.js';
import { emfCount } from './data/emf.js';
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
        failureMetric(env.LIVEDROP_METRICS_NAMESPACE ?? 'livedrop'),
      );

/** `EventPublishFailures`, as an EMF metric (dimension `service`: livedrop). */
const failureMetric =
  (namespace: string) =>
  (count: number): void =>
    emfCount(namespace, 'EventPublishFailures', count);
