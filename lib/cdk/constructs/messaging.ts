import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface MessagingProps {
  /** Alarms go to this topic instead of one created here; its policy is left as it is. */
  alarmTopic?: ITopic;
}

/**
 * Lets CloudWatch alarms of the topic's account publish to it. A topic with its own policy (enforceSSL writes
 * one) no longer has SNS's default policy, and CloudWatch publishes as the alarm, not as a principal of the
 * account, so it needs this Allow, limited to this account's alarms.
 */
export const allowAlarmsToPublish = (topic: ITopic): void => {
  const stack = Stack.of(topic);
  topic.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
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
};

/**
 * Stateful messaging: the `livedrop` bus, the dead-letter queues every asynchronous path ends in, and the
 * topic operators subscribe to for alarms (unless the embedding app brings its own).
 */
export class Messaging extends Construct {
  readonly bus: EventBus;
  /** Events EventBridge could not deliver, and events our functions failed after Lambda's retries. */
  readonly eventsDeadLetterQueue: Queue;
  /** Scheduler invocations that failed after their retries. */
  readonly schedulesDeadLetterQueue: Queue;
  readonly alarmTopic: ITopic;

  constructor(scope: Construct, id: string, props: MessagingProps = {}) {
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
    if (props.alarmTopic) {
      this.alarmTopic = props.alarmTopic;
    } else {
      const topic = new Topic(this, 'Alarms', { displayName: 'livedrop alarms', enforceSSL: true });
      allowAlarmsToPublish(topic);
      this.alarmTopic = topic;
    }
  }
}
