import { Validations } from 'aws-cdk-lib';
import type { LivedropStack } from './livedrop-stack.js';

/**
 * Every cdk-nag AwsSolutions finding livedrop accepts, each by its exact finding id, on the narrowest
 * construct that carries it, with the reason. Anything not listed here fails synth.
 */
export const NAG_ACKNOWLEDGEMENTS = {
  schedulesDeadLetterQueue: {
    id: 'AwsSolutions::AwsSolutions-SQS3',
    reason:
      'This queue IS a dead-letter queue: EventBridge Scheduler sends failed sweep invocations to it (cdk-nag only recognises queues named as an SQS redrive target). A DLQ of a DLQ would only move the problem; its depth alarms instead.',
  },
  sweepInvokeVersions: {
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::<SweepFunctionA7728703.Arn>:*]',
    reason:
      'The scheduler role may invoke only the sweep function; the ":*" suffix covers that one function’s versions and aliases, as the aws-scheduler-targets LambdaInvoke grant writes it. No other resource is reachable.',
  },
} as const;

export const acknowledgeNagFindings = (stack: LivedropStack): void => {
  Validations.of(stack.messaging.schedulesDeadLetterQueue).acknowledge(
    NAG_ACKNOWLEDGEMENTS.schedulesDeadLetterQueue,
  );
  Validations.of(stack).acknowledge(NAG_ACKNOWLEDGEMENTS.sweepInvokeVersions);
};
