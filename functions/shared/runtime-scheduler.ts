import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { GALA_DROP_TARGET } from './contract/wiring.js';
import { clientLocation } from './data/client.js';
import { EventBridgeSchedulerPort } from './data/scheduler.js';
import type { Adapters } from './runtime.js';

/** One-time schedules on EventBridge Scheduler, for the functions whose wiring says `scheduling`. */
export const eventBridgeScheduler: NonNullable<Adapters['scheduler']> = (config) =>
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
