import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { dealIdSchema, galaIdSchema, type PriceDropView } from '../shared/domain/schemas.js';
import type { Logger } from '../shared/logger.js';
import type { LivedropEngine } from '../shared/use-cases/types.js';

const inputSchema = z.object({ galaId: galaIdSchema, dropId: dealIdSchema });

/**
 * Target of a drop's one-time schedule (EventBridge Scheduler passes the schedule's input as the event).
 * A failure is thrown, so the schedule's retry policy and then its dead-letter queue apply; applying is
 * exactly-once per deal, so retries are safe.
 */
export const createApplyPriceDropHandler = ({
  engine,
  logger,
}: {
  engine: Pick<LivedropEngine, 'applyPriceDrop'>;
  logger: Logger;
}) =>
  middy<unknown, PriceDropView, Error, Context>(async (event: unknown, context: Context) => {
    if (typeof context?.awsRequestId === 'string') logger.addContext(context);
    const parsed = inputSchema.safeParse(event);
    if (!parsed.success) {
      logger.error('price drop schedule input is not valid', { problems: parsed.error.issues });
      throw new Error('invalid price drop schedule input');
    }
    const drop = await engine.applyPriceDrop(parsed.data.galaId, parsed.data.dropId);
    logger.info('price drop', {
      dropId: drop.dropId,
      status: drop.status,
      firedAt: drop.firedAt,
      results: drop.results,
    });
    return drop;
  });
