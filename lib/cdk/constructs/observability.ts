import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { LivedropFunction } from './livedrop-function.js';

export interface ObservabilityProps {
  functions: readonly LivedropFunction[];
  claimFunction: LivedropFunction;
  deadLetterQueues: readonly IQueue[];
  /** Queues a function drains: their oldest message's age is how late that function's work is. */
  triggerQueues?: readonly IQueue[];
  table: ITableV2;
  alarmTopic: ITopic;
  /** p99 claim duration that pages someone. */
  claimLatencyP99Ms?: number;
}

const ONE_MINUTE = Duration.minutes(1);

/** A trigger queue's oldest message older than this pages: the live metadata it carries is stale by then. */
export const TRIGGER_QUEUE_MAX_AGE_SECONDS = 60;

/**
 * What an operator needs on gala night: an alarm on every function's errors and throttles, on any message
 * in a dead-letter queue, on a trigger queue falling behind, on DynamoDB throttling and on the claim path's p99,
 * all to one topic, and a dashboard with the same signals.
 */
export class Observability extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const action = new SnsAction(props.alarmTopic);
    const alarm = (alarmId: string, metric: IMetric, threshold: number, description: string) => {
      const created = new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };

    for (const fn of props.functions) {
      const name = fn.declaration.name;
      alarm(
        `${fn.node.id}Errors`,
        fn.fn.metricErrors({ period: ONE_MINUTE }),
        1,
        `${name}: invocations failed`,
      );
      alarm(`${fn.node.id}Throttles`, fn.fn.metricThrottles({ period: ONE_MINUTE }), 1, `${name}: throttled`);
    }
    for (const queue of props.deadLetterQueues) {
      alarm(
        `${queue.node.id}Messages`,
        queue.metricApproximateNumberOfMessagesVisible({ period: ONE_MINUTE, statistic: 'Maximum' }),
        1,
        `${queue.node.id}: an event or schedule could not be processed; inspect and redrive`,
      );
    }
    const ages = (props.triggerQueues ?? []).map((queue) => {
      const age = queue.metricApproximateAgeOfOldestMessage({ period: ONE_MINUTE, statistic: 'Maximum' });
      // A trigger queue is the `Queue` of a TriggerQueue construct named after its trigger.
      const name = queue.node.scope?.node.id ?? queue.node.id;
      alarm(
        `${name}OldestMessage`,
        age,
        TRIGGER_QUEUE_MAX_AGE_SECONDS,
        `${name}: messages wait over ${TRIGGER_QUEUE_MAX_AGE_SECONDS} s; its function falls behind or fails`,
      );
      return age;
    });
    const throttled = new MathExpression({
      expression: 'readThrottles + writeThrottles',
      usingMetrics: {
        readThrottles: props.table.metric('ReadThrottleEvents', { period: ONE_MINUTE, statistic: 'Sum' }),
        writeThrottles: props.table.metric('WriteThrottleEvents', { period: ONE_MINUTE, statistic: 'Sum' }),
      },
      label: 'DynamoDB throttled requests',
      period: ONE_MINUTE,
    });
    alarm(
      'TableThrottles',
      throttled,
      1,
      'DynamoDB throttled requests: a partition is hotter than it can serve',
    );
    const claimP99 = props.claimFunction.fn.metricDuration({ period: ONE_MINUTE, statistic: 'p99' });
    alarm(
      'ClaimLatencyP99',
      claimP99,
      props.claimLatencyP99Ms ?? 1_000,
      'claim-coupon p99 duration is high: viewers are waiting during a drop',
    );

    const dashboard = new Dashboard(this, 'Dashboard', { dashboardName: 'livedrop' });
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Claims',
        left: [props.claimFunction.fn.metricInvocations({ period: ONE_MINUTE })],
        right: [claimP99],
      }),
      new GraphWidget({
        title: 'Function errors',
        left: props.functions.map((fn) =>
          fn.fn.metricErrors({ period: ONE_MINUTE, label: fn.declaration.name }),
        ),
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'DynamoDB',
        left: [
          props.table.metric('ConsumedWriteCapacityUnits', { period: ONE_MINUTE, statistic: 'Sum' }),
          props.table.metric('ConsumedReadCapacityUnits', { period: ONE_MINUTE, statistic: 'Sum' }),
        ],
        right: [throttled],
      }),
      new GraphWidget({
        title: 'Dead-letter queues',
        left: props.deadLetterQueues.map((queue) =>
          queue.metricApproximateNumberOfMessagesVisible({ period: ONE_MINUTE, statistic: 'Maximum' }),
        ),
        ...(ages.length === 0 ? {} : { right: ages }),
      }),
    );
  }
}
