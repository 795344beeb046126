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
  galaDropSchedules: {
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/livedrop-gala-drops/*]',
    reason:
      'Gala price-drop schedules are created at run time, one per drop, named drop-<dropId>; the functions that create or delete them may touch only schedules in the livedrop-gala-drops group, never another group.',
  },
} as const;

export const acknowledgeNagFindings = (stack: LivedropStack): void => {
  for (const fn of stack.functions.values()) {
    if ((fn.declaration.scheduling ?? []).length > 0) {
      Validations.of(fn.node.findChild('Role')).acknowledge(NAG_ACKNOWLEDGEMENTS.galaDropSchedules);
    }
  }
  // aws-scheduler-targets creates the schedule's role at stack level under a hashed id.
  for (const child of stack.node.children) {
    if (child.node.id.startsWith('SchedulerRoleForTarget')) {
      Validations.of(child).acknowledge(NAG_ACKNOWLEDGEMENTS.sweepInvokeVersions);
    }
  }
};
