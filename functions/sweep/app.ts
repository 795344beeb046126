import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Logger } from '../shared/logger.js';
import type { LivedropEngine, SweepReport } from '../shared/use-cases/types.js';

export interface SweepDeps<E = LivedropEngine> {
  engine: E;
  logger: Logger;
}

type SweepInternal = { startedAt?: number };
export type SweepHandler = middy.MiddyfiedHandler<unknown, SweepReport, Error, Context, SweepInternal>;

/** A run that changed nothing is only worth a debug line (the schedule runs every minute, locally every few seconds). */
const isIdle = (report: SweepReport): boolean =>
  report.expired +
    report.unitsReturned +
    report.orphansReturned +
    report.slotsFreed +
    report.dealsEnded +
    report.dealsSettled +
    report.dropsApplied ===
  0;

/** One line per run; a failed run is logged and rethrown so Lambda's async retries apply and the run then lands in the sweep's dead-letter queue. */
const logRun = (logger: Logger): middy.MiddlewareObj<unknown, SweepReport, Error, Context, SweepInternal> => {
  const elapsed = (startedAt: number | undefined): number | undefined =>
    startedAt === undefined ? undefined : Math.round(performance.now() - startedAt);
  return {
    before: (request) => {
      request.internal.startedAt = performance.now();
      if (typeof request.context?.awsRequestId === 'string') logger.addContext(request.context);
    },
    after: (request) => {
      const report = request.response;
      const line = { report, durationMs: elapsed(request.internal.startedAt) };
      // Per-deal failures do not fail the run (the next run retries them), but someone should look.
      if (report !== null && report.errors > 0) logger.warn('sweep finished with errors', line);
      else if (report !== null && isIdle(report)) logger.debug('sweep finished', line);
      else logger.info('sweep finished', line);
    },
    onError: (request) => {
      logger.error('sweep failed', { durationMs: elapsed(request.internal.startedAt), error: request.error });
    },
  };
};

/**
 * EventBridge Scheduler target: expires lapsed coupons, returns their stock and ends deals past their end.
 * The event carries nothing we need, so it is ignored.
 */
export const createSweepHandler = ({
  engine,
  logger,
}: SweepDeps<Pick<LivedropEngine, 'sweep'>>): SweepHandler =>
  middy<unknown, SweepReport, Error, Context, SweepInternal>(() => engine.sweep()).use(logRun(logger));
