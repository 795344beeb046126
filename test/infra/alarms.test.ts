/**
 * What pages someone on gala night: errors and throttles of every function, any message in a dead-letter
 * queue, a trigger queue falling behind, DynamoDB throttling and the claim path's p99, all to the one alarm topic; plus the dashboard and the
 * outputs operators and scripts read.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../functions/shared/contract/wiring.js';
import { TRIGGER_QUEUE_MAX_AGE_SECONDS } from '../../lib/cdk/constructs/observability.js';
import {
  arnOf,
  asList,
  functionIds,
  type Json,
  logicalIdOf,
  onlyResourceOfType,
  ref,
  resource,
  resourcesOfType,
  type Statement,
  type Synthesised,
  synthLivedrop,
} from './support.js';

let synthesised: Synthesised;
let topicId: string;
let tableId: string;

beforeAll(() => {
  synthesised = synthLivedrop();
  topicId = logicalIdOf(synthesised.stack, synthesised.stack.engine.messaging.alarmTopic);
  [tableId] = onlyResourceOfType(synthesised.template, 'AWS::DynamoDB::GlobalTable');
});

const alarms = () => Object.entries(resourcesOfType(synthesised.template, 'AWS::CloudWatch::Alarm'));

/** Alarms whose properties match `pattern` (an objectLike pattern) and that notify the alarm topic. */
const alarmsMatching = (pattern: Json) =>
  synthesised.template.findResources('AWS::CloudWatch::Alarm', {
    Properties: Match.objectLike({ ...pattern, AlarmActions: Match.arrayWith([ref(topicId)]) }),
  });

const FIRES_ON_THE_FIRST = { Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' };

describe.each(FUNCTIONS)('the $name function', ({ name }) => {
  const lambdaMetric = (metricName: string) => ({
    Namespace: 'AWS/Lambda',
    MetricName: metricName,
    Dimensions: [{ Name: 'FunctionName', Value: ref(functionIds(synthesised, name).function) }],
  });

  it('pages on its first error', () => {
    expect(Object.keys(alarmsMatching({ ...lambdaMetric('Errors'), ...FIRES_ON_THE_FIRST }))).toHaveLength(1);
  });

  it('pages on its first throttle', () => {
    expect(Object.keys(alarmsMatching({ ...lambdaMetric('Throttles'), ...FIRES_ON_THE_FIRST }))).toHaveLength(
      1,
    );
  });
});

describe('dead-letter queues', () => {
  it.each([
    ['events', () => synthesised.stack.engine.messaging.eventsDeadLetterQueue],
    ['schedules', () => synthesised.stack.engine.messaging.schedulesDeadLetterQueue],
  ])('the %s DLQ pages as soon as one message is visible', (_, queue) => {
    const queueId = logicalIdOf(synthesised.stack, queue());
    const matching = alarmsMatching({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      ...FIRES_ON_THE_FIRST,
    });

    expect(Object.keys(matching)).toHaveLength(1);
  });

  it('every queue in the stack is a DLQ with such an alarm, or a trigger queue that ends in one', () => {
    const triggerQueues = [...synthesised.stack.engine.triggerQueues.values()];
    const triggerQueueIds = triggerQueues.map(({ queue }) => logicalIdOf(synthesised.stack, queue));
    const queueIds = Object.keys(resourcesOfType(synthesised.template, 'AWS::SQS::Queue')).filter(
      (id) => !triggerQueueIds.includes(id),
    );
    for (const { queue, deadLetterQueue } of triggerQueues) {
      expect(
        resource(synthesised.template, logicalIdOf(synthesised.stack, queue)).Properties.RedrivePolicy,
      ).toMatchObject({
        deadLetterTargetArn: arnOf(logicalIdOf(synthesised.stack, deadLetterQueue)),
      });
    }
    const watched = alarms().flatMap(([, alarm]) =>
      alarm.Properties.MetricName === 'ApproximateNumberOfMessagesVisible'
        ? asList(alarm.Properties.Dimensions as { Value: { 'Fn::GetAtt': [string] } }[]).map(
            ({ Value }) => Value['Fn::GetAtt'][0],
          )
        : [],
    );

    expect(watched.sort()).toStrictEqual(queueIds.sort());
  });
});

describe('trigger queues', () => {
  it('each pages when its oldest message has waited a minute: its function is falling behind', () => {
    const triggerQueues = [...synthesised.stack.engine.triggerQueues.values()];
    expect(triggerQueues.length).toBeGreaterThan(0);
    for (const { queue } of triggerQueues) {
      const matching = alarmsMatching({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Statistic: 'Maximum',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [logicalIdOf(synthesised.stack, queue), 'QueueName'] },
          },
        ],
        Threshold: TRIGGER_QUEUE_MAX_AGE_SECONDS,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });

      expect(Object.keys(matching)).toHaveLength(1);
    }
  });
});

describe('the table', () => {
  it('pages when DynamoDB throttles reads or writes (one metric-math alarm over both)', () => {
    const [entry, ...others] = Object.values(
      alarmsMatching({ Metrics: Match.arrayWith([Match.objectLike({ Expression: Match.anyValue() })]) }),
    );
    const metrics = (entry?.Properties.Metrics ?? []) as {
      Id: string;
      Expression?: string;
      ReturnData: boolean;
      MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown } };
    }[];
    const idOf = (metricName: string) => {
      const metric = metrics.find(({ MetricStat }) => MetricStat?.Metric.MetricName === metricName);
      expect(metric?.MetricStat?.Metric).toStrictEqual({
        Namespace: 'AWS/DynamoDB',
        MetricName: metricName,
        Dimensions: [{ Name: 'TableName', Value: ref(tableId) }],
      });
      return metric?.Id ?? '';
    };
    const expression = metrics.find(({ ReturnData }) => ReturnData);

    expect(others).toHaveLength(0);
    expect(expression?.Expression).toContain(idOf('ReadThrottleEvents'));
    expect(expression?.Expression).toContain(idOf('WriteThrottleEvents'));
    expect(entry?.Properties).toMatchObject(FIRES_ON_THE_FIRST);
  });
});

describe('the claim path', () => {
  it('pages when claim-coupon’s p99 duration is high', () => {
    const matching = alarmsMatching({
      Namespace: 'AWS/Lambda',
      MetricName: 'Duration',
      ExtendedStatistic: 'p99',
      Dimensions: [{ Name: 'FunctionName', Value: ref(functionIds(synthesised, 'claim-coupon').function) }],
      Threshold: Match.anyValue(),
    });

    expect(Object.keys(matching)).toHaveLength(1);
  });
});

describe('every alarm', () => {
  it('notifies the alarm topic when it fires', () => {
    const silent = alarms().filter(
      ([, alarm]) =>
        !asList(alarm.Properties.AlarmActions).some((action) => ref(topicId).Ref === (action as Json).Ref),
    );

    expect(alarms().length).toBeGreaterThan(0);
    expect(silent.map(([id]) => id)).toStrictEqual([]);
  });

  /**
   * `enforceSSL` makes CDK write an
   * AWS::SNS::TopicPolicy, which replaces SNS's default policy; the one written holds only the
   * "deny without TLS" statement. CloudWatch publishes alarm actions as the alarm, not as an IAM principal of
   * the account, so it needs a resource-policy Allow (alarm history then shows "... is not authorized to
   * perform: SNS:Publish ... because no resource-based policy allows").
   */
  it('may publish to the alarm topic: its policy allows CloudWatch to publish', () => {
    const statements = Object.values(resourcesOfType(synthesised.template, 'AWS::SNS::TopicPolicy'))
      .filter(({ Properties }) => asList(Properties.Topics).some((topic) => (topic as Json).Ref === topicId))
      .flatMap(({ Properties }) => (Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const allowsCloudWatch = statements.some(
      (statement) =>
        statement.Effect === 'Allow' &&
        asList(statement.Action).some((action) => action.toLowerCase() === 'sns:publish') &&
        JSON.stringify(statement.Principal).includes('cloudwatch.amazonaws.com'),
    );

    expect(statements.length).toBeGreaterThan(0);
    expect(allowsCloudWatch).toBe(true);
  });
});

describe('operators', () => {
  it('have a dashboard with the claim path and the dead-letter queues on it', () => {
    const [, dashboard] = onlyResourceOfType(synthesised.template, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);

    expect(body).toContain(JSON.stringify(ref(functionIds(synthesised, 'claim-coupon').function)));
    expect(body).toContain('ApproximateNumberOfMessagesVisible');
    expect(body).toContain('ReadThrottleEvents');
  });

  it('and scripts find the API URL, the bus name and the table name in the outputs', () => {
    const [apiId] = onlyResourceOfType(synthesised.template, 'AWS::ApiGatewayV2::Api');
    const busId = logicalIdOf(synthesised.stack, synthesised.stack.engine.messaging.bus);

    synthesised.template.hasOutput('ApiUrl', { Value: { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] } });
    synthesised.template.hasOutput('BusName', { Value: ref(busId) });
    synthesised.template.hasOutput('TableName', { Value: ref(tableId) });
  });
});
