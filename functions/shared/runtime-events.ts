import type { Metrics } from '@aws-lambda-powertools/metrics';
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
        failureMetric(env.POWERTOOLS_METRICS_NAMESPACE ?? 'livedrop'),
      );

/**
 * `EventPublishFailures`, as an EMF metric. Powertools' Metrics is loaded on the first failure, not at the
 * cold start of every publishing function: a healthy bus never needs it.
 */
const failureMetric = (namespace: string) => {
  let metrics: Promise<Metrics> | undefined;
  return (count: number): void => {
    metrics ??= import('@aws-lambda-powertools/metrics').then(
      ({ Metrics }) => new Metrics({ namespace, serviceName: 'livedrop' }),
    );
    metrics
      .then((loaded) => {
        loaded.addMetric('EventPublishFailures', 'Count', count);
        loaded.publishStoredMetrics();
      })
      .catch(() => {});
  };
};
