import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { OneTimeSchedule, SchedulerPort } from '../domain/ports.js';
import { wallTime } from '../domain/time-zone.js';

export interface ScheduleTargets {
  /** Function name in the wiring -> the ARN Scheduler invokes. */
  functions: Record<string, string>;
  /** The role Scheduler assumes to invoke them. */
  roleArn: string;
  /** Where Scheduler sends invocations that failed after their retries. */
  deadLetterQueueArn?: string;
}

export { wallTime };

/**
 * One-time schedules in EventBridge Scheduler. The local runtime answers the same API at its own address,
 * so this adapter serves both; only the endpoint differs.
 */
export class EventBridgeSchedulerPort implements SchedulerPort {
  constructor(
    private readonly client: SchedulerClient,
    private readonly targets: ScheduleTargets,
  ) {}

  async scheduleOnce(schedule: OneTimeSchedule): Promise<void> {
    const arn = this.targets.functions[schedule.target];
    if (!arn) throw new Error(`no schedule target ${schedule.target} is configured`);
    try {
      await this.create(schedule, arn);
    } catch (error) {
      // Names derive from what they fire (a drop's id): a schedule of this name is this one, created before.
      if (error instanceof ConflictException || (error as Error).name === 'ConflictException') return;
      throw error;
    }
  }

  private async create(schedule: OneTimeSchedule, arn: string): Promise<void> {
    await this.client.send(
      new CreateScheduleCommand({
        Name: schedule.name,
        GroupName: schedule.group,
        ScheduleExpression: `at(${wallTime(schedule.at, schedule.timeZone)})`,
        ScheduleExpressionTimezone: schedule.timeZone,
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: arn,
          RoleArn: this.targets.roleArn,
          Input: JSON.stringify(schedule.input),
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3_600 },
          ...(this.targets.deadLetterQueueArn
            ? { DeadLetterConfig: { Arn: this.targets.deadLetterQueueArn } }
            : {}),
        },
      }),
    );
  }

  async cancel(group: string, name: string): Promise<boolean> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: group }));
      return true;
    } catch (error) {
      if (
        error instanceof ResourceNotFoundException ||
        (error as Error).name === 'ResourceNotFoundException'
      ) {
        return false;
      }
      throw error;
    }
  }
}
