import { Validations } from 'aws-cdk-lib';
import type { LivedropStack } from './livedrop-stack.js';

/**
 * Every cdk-nag AwsSolutions finding livedrop accepts, each by its exact finding id, on the narrowest
 * construct that carries it, with the reason. Anything not listed here fails synth.
 */
export const NAG_ACKNOWLEDGEMENTS = {
  sweepInvokeVersions: {
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::<SweepFunctionA7728703.Arn>:*]',
    reason:
      'The scheduler role may invoke only the sweep function; the ":*" suffix covers that one function’s versions and aliases, as the aws-scheduler-targets LambdaInvoke grant writes it. No other resource is reachable.',
  },
} as const;

export const acknowledgeNagFindings = (stack: LivedropStack): void => {
  // aws-scheduler-targets creates the schedule's role at stack level under a hashed id.
  for (const child of stack.node.children) {
    if (child.node.id.startsWith('SchedulerRoleForTarget')) {
      Validations.of(child).acknowledge(NAG_ACKNOWLEDGEMENTS.sweepInvokeVersions);
    }
  }
};
