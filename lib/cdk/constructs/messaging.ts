import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * Stateful messaging: the `livedrop` bus, the dead-letter queues every asynchronous path ends in, and the
 * topic operators subscribe to for alarms.
 */
export class Messaging extends Construct {
  readonly bus: EventBus;
  /** Events EventBridge could not deliver, and events our functions failed after Lambda's retries. */
  readonly eventsDeadLetterQueue: Queue;
  /** Scheduler invocations that failed after their retries. */
  readonly schedulesDeadLetterQueue: Queue;
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: 'livedrop' });
    const deadLetterQueue = (queueId: string) =>
      new Queue(this, queueId, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
    this.eventsDeadLetterQueue = deadLetterQueue('EventsDeadLetterQueue');
    this.schedulesDeadLetterQueue = deadLetterQueue('SchedulesDeadLetterQueue');
    this.alarmTopic = new Topic(this, 'Alarms', { displayName: 'livedrop alarms', enforceSSL: true });
    // enforceSSL writes a topic policy that replaces SNS's default one; CloudWatch publishes as the alarm,
    // not as a principal of the account, so it needs its own Allow, limited to this account's alarms.
    const stack = Stack.of(this);
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
  }
}
