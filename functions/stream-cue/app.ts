import { SCOPES } from '../shared/domain/roles.js';
import { dealCueDetailSchema } from '../shared/domain/schemas.js';
import { type EventHandlerDeps, eventHandler } from '../shared/events/event-handler.js';

/**
 * `Deal Cue` events from the streaming studio (source livestream.studio): the same cue use case as
 * POST /deals/{dealId}/cues, acting as the host the event names, for a deal of the stream it names.
 */
export const createStreamCueHandler = ({ engine, logger }: EventHandlerDeps) =>
  eventHandler({
    detail: dealCueDetailSchema,
    logger,
    run: (cue) =>
      engine.cue(
        cue.dealId,
        cue.action === 'restock' ? { action: 'restock', quantity: cue.quantity } : { action: cue.action },
        { sub: cue.hostId, scopes: new Set([SCOPES.host]) },
        { streamId: cue.streamId },
      ),
  });
