import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type * as z from 'zod/mini';
import { DomainError } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import type { LivedropEngine } from '../use-cases/types.js';

export interface EventHandlerDeps<E = LivedropEngine> {
  engine: E;
  logger: Logger;
}

export type EventOutcome<T> =
  | { outcome: 'applied'; result: T }
  | { outcome: 'rejected'; code: string; message: string };

type AnyEvent = EventBridgeEvent<string, unknown>;

export type EventHandler<T> = middy.MiddyfiedHandler<AnyEvent, EventOutcome<T>, Error, Context>;

/**
 * The one wrapper for EventBridge targets: validates `detail` with its zod schema, runs the use case and logs
 * one line. An event that can never succeed (invalid, or refused by a domain rule) is logged and dropped:
 * retrying it would only fill the dead-letter queue. Anything else is thrown, so Lambda's async retries and
 * the dead-letter queue apply.
 */
export const eventHandler = <TDetail, TResult>(spec: {
  detail: z.ZodMiniType<TDetail, unknown>;
  logger: Logger;
  run: (detail: TDetail, event: AnyEvent) => Promise<TResult>;
  /** Refusals worth another delivery (thrown, so Lambda retries them) instead of being dropped. */
  retryable?: (error: unknown) => boolean;
}): EventHandler<TResult> =>
  middy<AnyEvent, EventOutcome<TResult>, Error, Context>(async (event: AnyEvent, context: Context) => {
    if (typeof context?.awsRequestId === 'string') spec.logger.addContext(context);
    const line = { source: event.source, detailType: event['detail-type'], eventId: event.id };
    const parsed = spec.detail.safeParse(event.detail);
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || 'detail'}: ${issue.message}`,
      );
      spec.logger.warn('event rejected', { ...line, code: 'VALIDATION_FAILED', problems });
      return { outcome: 'rejected' as const, code: 'VALIDATION_FAILED', message: problems.join('; ') };
    }
    try {
      const result = await spec.run(parsed.data, event);
      spec.logger.info('event applied', line);
      return { outcome: 'applied' as const, result };
    } catch (error) {
      if (error instanceof DomainError && error.expose && !spec.retryable?.(error)) {
        spec.logger.warn('event rejected', { ...line, code: error.code, message: error.message });
        return { outcome: 'rejected' as const, code: error.code, message: error.message };
      }
      spec.logger.error('event failed', { ...line, error });
      throw error;
    }
  });
