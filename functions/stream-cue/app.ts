import { CueNotYetApplicable } from '../shared/domain/errors.js';
import { SCOPES } from '../shared/domain/roles.js';
import { dealCueDetailSchema } from '../shared/domain/schemas.js';
import { type EventHandlerDeps, eventHandler } from '../shared/events/event-handler.js';
import type { LivedropEngine } from '../shared/use-cases/types.js';

/**
 * `Deal Cue` events from the streaming studio (source livestream.studio): the same cue use case as
 * POST /deals/{dealId}/cues, acting as the host the event names, for a deal of the stream it names.
 * Redelivered cues change nothing; stale ones (older than the last applied) are dropped.
 */
export const createStreamCueHandler = ({ engine, logger }: EventHandlerDeps<Pick<LivedropEngine, 'cue'>>) =>
  eventHandler({
    detail: dealCueDetailSchema,
    logger,
    // It may have overtaken an earlier cue on the bus: let Lambda retry it once that one had its chance.
    retryable: (error) => error instanceof CueNotYetApplicable,
    run: (cue) =>
      engine.cue(
        cue.dealId,
        {
          action: cue.action,
          cueId: cue.cueId,
          at: cue.at,
          ...(cue.quantity === undefined ? {} : { quantity: cue.quantity }),
          ...(cue.durationSeconds === undefined ? {} : { durationSeconds: cue.durationSeconds }),
        },
        { sub: cue.hostId, scopes: new Set([SCOPES.host]) },
        { streamId: cue.streamId },
      ),
  });
