import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { LivedropEvent } from '../domain/events.js';
import { EVENT_SOURCE } from '../domain/identifiers.js';
import type { EventPublisher } from '../domain/ports.js';
import type { Logger } from '../logger.js';

const PUT_EVENTS_LIMIT = 10;

/**
 * Publishes to an EventBridge bus with PutEvents (10 entries a call). The same adapter serves the local
 * runtime, whose bus speaks PutEvents at its own endpoint. Failures are logged and counted as the
 * `EventPublishFailures` metric and swallowed: events never fail the request that caused them.
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    private readonly logger: Pick<Logger, 'error'>,
    /** Counts lost events (the `EventPublishFailures` metric); never throws. */
    private readonly countFailures?: (count: number) => void,
  ) {}

  async publish(events: readonly LivedropEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += PUT_EVENTS_LIMIT) {
      const batch = events.slice(i, i + PUT_EVENTS_LIMIT);
      try {
        const out = await this.client.send(
          new PutEventsCommand({
            Entries: batch.map((event) => ({
              Source: EVENT_SOURCE,
              DetailType: event.detailType,
              Detail: JSON.stringify(event.detail),
              EventBusName: this.busName,
            })),
          }),
        );
        const failed = out.FailedEntryCount ?? 0;
        if (failed > 0) {
          const codes = (out.Entries ?? []).flatMap((entry) => (entry.ErrorCode ? [entry.ErrorCode] : []));
          this.failed(failed, { codes, detailTypes: batch.map((event) => event.detailType) });
        }
      } catch (error) {
        this.failed(batch.length, { error, detailTypes: batch.map((event) => event.detailType) });
      }
    }
  }

  private failed(count: number, extra: Record<string, unknown>): void {
    this.logger.error('events not published', { count, ...extra });
    this.countFailures?.(count);
  }
}

/** Keeps what was published, for tests and the benchmark. */
export class MemoryPublisher implements EventPublisher {
  readonly published: LivedropEvent[] = [];

  async publish(events: readonly LivedropEvent[]): Promise<void> {
    this.published.push(...events);
  }
}
