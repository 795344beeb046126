import { createHash, randomUUID } from 'node:crypto';

/** The SQS event Lambda hands a function draining a queue (the fields livedrop's handlers read, and the rest). */
export interface LocalSqsEvent {
  Records: {
    messageId: string;
    receiptHandle: string;
    body: string;
    attributes: Record<string, string>;
    messageAttributes: Record<string, never>;
    md5OfBody: string;
    eventSource: 'aws:sqs';
    eventSourceARN: string;
    awsRegion: string;
  }[];
}

export interface LocalQueueOptions {
  /** The trigger's id, in logs and the queue's ARN. */
  id: string;
  batchWindowMs: number;
  batchSize: number;
  maxConcurrency: number;
  /** Deliveries of a message before it is dead-lettered (kept in `deadLetters`, logged). */
  maxReceiveCount: number;
  /** How long a failed message stays hidden before it is delivered again (SQS: the visibility timeout). */
  visibilityMs: number;
  /** Runs the function on a batch; what it answers may name failed messages (ReportBatchItemFailures). */
  deliver: (event: LocalSqsEvent) => Promise<unknown>;
  log: (message: string, extra: Record<string, unknown>) => void;
}

interface Message {
  messageId: string;
  body: string;
  sentAt: number;
  receiveCount: number;
}

const failedIdsOf = (answer: unknown): Set<string> | undefined => {
  const failures = (answer as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (!Array.isArray(failures)) return undefined;
  return new Set(failures.map((failure) => String((failure as { itemIdentifier?: unknown }).itemIdentifier)));
};

/**
 * The local stand-in for an SQS queue and Lambda's event source mapping on it: messages are gathered for the
 * batch window (or until a batch is full), at most `maxConcurrency` batches run at once, the messages a run
 * names as failed (or all of them, when it throws) come back after the visibility delay, and a message
 * delivered `maxReceiveCount` times goes to the dead letters instead.
 */
export class LocalQueue {
  readonly deadLetters: { messageId: string; body: string }[] = [];
  private readonly waiting: Message[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly hidden = new Set<NodeJS.Timeout>();
  private window: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: LocalQueueOptions) {}

  /** SendMessage: the message waits for the next batch. */
  send(body: string): string {
    const messageId = randomUUID();
    this.enqueue({ messageId, body, sentAt: Date.now(), receiveCount: 0 });
    return messageId;
  }

  /** Messages waiting for a batch (not those in a run or hidden after a failure). */
  get depth(): number {
    return this.waiting.length;
  }

  /** Stops gathering; runs in progress finish, messages still waiting or hidden are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.window);
    for (const timer of this.hidden) clearTimeout(timer);
    this.hidden.clear();
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private enqueue(message: Message): void {
    if (this.closed) return;
    this.waiting.push(message);
    if (this.waiting.length >= this.options.batchSize) this.poll();
    else this.window ??= setTimeout(() => this.poll(), this.options.batchWindowMs);
  }

  private poll(): void {
    clearTimeout(this.window);
    this.window = undefined;
    while (!this.closed && this.waiting.length > 0 && this.running.size < this.options.maxConcurrency) {
      const batch = this.waiting.splice(0, this.options.batchSize);
      const run = this.run(batch).finally(() => {
        this.running.delete(run);
        // A full batch goes at once; what is left waits for another window.
        if (this.waiting.length >= this.options.batchSize) this.poll();
        else if (this.waiting.length > 0)
          this.window ??= setTimeout(() => this.poll(), this.options.batchWindowMs);
      });
      this.running.add(run);
    }
  }

  private async run(batch: Message[]): Promise<void> {
    for (const message of batch) message.receiveCount++;
    let failed: Set<string>;
    try {
      failed = failedIdsOf(await this.options.deliver(this.eventOf(batch))) ?? new Set();
    } catch (error) {
      this.options.log('queue batch failed', {
        queue: this.options.id,
        size: batch.length,
        error: String(error),
      });
      failed = new Set(batch.map((message) => message.messageId));
    }
    for (const message of batch.filter((m) => failed.has(m.messageId))) {
      if (message.receiveCount >= this.options.maxReceiveCount) {
        this.deadLetters.push({ messageId: message.messageId, body: message.body });
        this.options.log('message dead-lettered', { queue: this.options.id, messageId: message.messageId });
        continue;
      }
      const timer = setTimeout(() => {
        this.hidden.delete(timer);
        this.enqueue(message);
      }, this.options.visibilityMs);
      this.hidden.add(timer);
    }
  }

  private eventOf(batch: Message[]): LocalSqsEvent {
    return {
      Records: batch.map((message) => ({
        messageId: message.messageId,
        receiptHandle: `${message.messageId}#${message.receiveCount}`,
        body: message.body,
        attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentAt),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: String(message.sentAt),
        },
        messageAttributes: {},
        md5OfBody: createHash('md5').update(message.body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:local:000000000000:${this.options.id}`,
        awsRegion: 'local',
      })),
    };
  }
}
