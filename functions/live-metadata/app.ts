import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { EVENT_SOURCE } from '../shared/domain/identifiers.js';
import type { Logger } from '../shared/logger.js';
import type { LivedropEngine } from '../shared/use-cases/types.js';

export interface QueueHandlerDeps<E = LivedropEngine> {
  engine: E;
  logger: Logger;
}

/** What the handler needs of a message: one of livedrop's events (EventBridge's envelope), naming its stream. */
const changeSchema = z.object({
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.string(),
  detail: z.object({ streamId: z.string().check(z.minLength(1)) }),
});

const streamOf = (record: SQSRecord): string | undefined => {
  try {
    const parsed = changeSchema.safeParse(JSON.parse(record.body));
    return parsed.success ? parsed.data.detail.streamId : undefined;
  } catch {
    return undefined;
  }
};

/**
 * livedrop's own events, gathered a second at a time in an SQS queue: the batch's events are grouped by
 * stream and each stream's live state goes into its IVS channels once (engine.putLiveMetadata). The messages of
 * a stream whose put was throttled or failed are answered as batch item failures, so SQS delivers those again;
 * a message that is not one of livedrop's events can never succeed and is logged and dropped.
 */
export const createLiveMetadataHandler = ({
  engine,
  logger,
}: QueueHandlerDeps<Pick<LivedropEngine, 'putLiveMetadata'>>) =>
  middy<SQSEvent, SQSBatchResponse, Error, Context>(async (event: SQSEvent, context: Context) => {
    if (typeof context?.awsRequestId === 'string') logger.addContext(context);
    const messagesOf = new Map<string, string[]>();
    let dropped = 0;
    for (const record of event.Records) {
      const streamId = streamOf(record);
      if (streamId === undefined) {
        dropped++;
        logger.warn('message dropped: not a livedrop event with a streamId', { messageId: record.messageId });
        continue;
      }
      messagesOf.set(streamId, [...(messagesOf.get(streamId) ?? []), record.messageId]);
    }
    const outcomes = await engine.putLiveMetadata([...messagesOf.keys()]);
    const failed = outcomes.filter((outcome) => outcome.failed !== undefined);
    logger.info('live metadata', {
      messages: event.Records.length,
      dropped,
      streams: outcomes.length,
      put: outcomes.reduce((sum, outcome) => sum + outcome.put.length, 0),
      offline: outcomes.reduce((sum, outcome) => sum + outcome.offline.length, 0),
      failed: failed.map(({ streamId, failed: why }) => ({ streamId, why })),
    });
    return {
      batchItemFailures: failed.flatMap(({ streamId }) =>
        (messagesOf.get(streamId) ?? []).map((itemIdentifier) => ({ itemIdentifier })),
      ),
    };
  });
