import { ivsStreamStateDetailSchema } from '../shared/domain/schemas.js';
import { type EventHandlerDeps, eventHandler } from '../shared/events/event-handler.js';
import type { LivedropEngine } from '../shared/use-cases/types.js';

/**
 * Amazon IVS `IVS Stream State Change`: when a channel's stream ends, every LIVE or PAUSED deal whose
 * streamId is the channel's name ends too, unless it started after the stream ended (a late delivery of an
 * earlier broadcast's end). A SCHEDULED deal of the stream keeps the event's time, so a start cued before it
 * and delivered after it ends the deal as in time order. Other state changes (Stream Start, ...) change nothing.
 */
export const createStreamEndHandler = ({
  engine,
  logger,
}: EventHandlerDeps<Pick<LivedropEngine, 'endStream'>>) =>
  eventHandler({
    detail: ivsStreamStateDetailSchema,
    logger,
    run: async (detail, event) =>
      detail.event_name === 'Stream End'
        ? engine.endStream(
            detail.channel_name,
            event.resources.find((arn) => arn.includes(':channel/')),
            event.time,
          )
        : { ended: [] },
  });
