import { Duration } from 'aws-cdk-lib';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueTrigger } from '../../../functions/shared/contract/wiring.js';

export interface TriggerQueueProps {
  trigger: QueueTrigger;
  bus: IEventBus;
  /** The function draining the queue; its timeout sets the queue's visibility timeout. */
  fn: IFunction;
  timeoutSeconds: number;
  /** Where EventBridge puts events it could not deliver to the queue. */
  eventsDeadLetterQueue: IQueue;
}

/**
 * A queue trigger of the wiring: a rule on the bus fills an SQS queue (SSE, SSL only, with its own dead-letter
 * queue), and the function drains it in batches gathered for `batchWindowSeconds`, at most `maxConcurrency`
 * at once, answering the messages that failed (ReportBatchItemFailures) so only those come again.
 */
export class TriggerQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: TriggerQueueProps) {
    super(scope, id);
    const { trigger } = props;
    this.deadLetterQueue = new Queue(this, `${id}DeadLetterQueue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's advice for a Lambda event source: six times the function's timeout, so a slow batch is not
      // delivered again while it still runs.
      visibilityTimeout: Duration.seconds(6 * props.timeoutSeconds),
      // What the messages say is soon stale: a newer event brings the stream's state again.
      retentionPeriod: Duration.hours(1),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: trigger.maxReceiveCount },
    });
    this.rule = new Rule(this, 'Rule', {
      eventBus: props.bus,
      eventPattern: { source: [...trigger.pattern.source], detailType: [...trigger.pattern.detailType] },
      targets: [
        new SqsQueue(this.queue, {
          deadLetterQueue: props.eventsDeadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
    props.fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: trigger.batchSize,
        maxBatchingWindow: Duration.seconds(trigger.batchWindowSeconds),
        maxConcurrency: trigger.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }
}
