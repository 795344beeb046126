import { GALA_DROP_SCHEDULE_GROUP, GALA_DROP_TARGET } from '../contract/wiring.js';
import { newPriceDropItem, type PriceDropItem } from '../data/price-drop.js';
import { iso } from '../domain/clock.js';
import { InvalidTransition, PriceDropNotFound, ValidationFailed } from '../domain/errors.js';
import type { SchedulerPort } from '../domain/ports.js';
import type { PriceDropInput, PriceDropView } from '../domain/schemas.js';
import { newUlid } from '../domain/ulid.js';
import { type Context, nowIso } from './context.js';
import type { Actor } from './types.js';

/**
 * An operator schedules a gala-wide price drop: 1. record the drop (SCHEDULED)  2. create its one-time
 * schedule. Should 2 fail, the drop is cancelled so that the sweep's overdue check cannot fire it either.
 */
export const schedulePriceDrop = async (
  ctx: Context,
  galaId: string,
  input: PriceDropInput,
  actor: Actor,
): Promise<PriceDropView> => {
  const scheduler = requireScheduler(ctx);
  const now = ctx.clock.now();
  const at = iso(Date.parse(input.at));
  if (Date.parse(at) <= now) {
    throw new ValidationFailed([{ field: 'body.at', message: 'Must be in the future.' }]);
  }
  const dropId = newUlid(now);
  const item = newPriceDropItem({
    dropId,
    galaId,
    at,
    timeZone: input.timeZone,
    ...(input.dealIds === undefined ? {} : { dealIds: input.dealIds }),
    ...(input.dealPrice === undefined ? {} : { dealPrice: input.dealPrice }),
    ...(input.percentOff === undefined ? {} : { percentOff: input.percentOff }),
    ...(input.stock === undefined ? {} : { stock: input.stock }),
    createdAt: iso(now),
    createdBy: actor.sub,
  });
  await ctx.store.putPriceDrop(item);
  ctx.seam('drop.recorded');
  try {
    await scheduler.scheduleOnce({
      group: GALA_DROP_SCHEDULE_GROUP,
      name: scheduleName(dropId),
      at,
      timeZone: input.timeZone,
      target: GALA_DROP_TARGET,
      input: { galaId, dropId },
    });
  } catch (error) {
    await ctx.store.closePriceDrop(galaId, dropId, 'CANCELLED', nowIso(ctx));
    throw error;
  }
  return toPriceDropView(item);
};

export const listPriceDrops = async (ctx: Context, galaId: string): Promise<PriceDropView[]> =>
  (await ctx.store.listPriceDrops(galaId)).map(toPriceDropView);

/** SCHEDULED -> CANCELLED, then the schedule goes; a firing that races the cancel finds it CANCELLED. */
export const cancelPriceDrop = async (
  ctx: Context,
  galaId: string,
  dropId: string,
): Promise<PriceDropView> => {
  let cancelled = await ctx.store.closePriceDrop(galaId, dropId, 'CANCELLED', nowIso(ctx));
  if (!cancelled) {
    const drop = await ctx.store.getPriceDrop(galaId, dropId);
    if (!drop) throw new PriceDropNotFound(galaId, dropId);
    if (drop.status !== 'CANCELLED') {
      throw new InvalidTransition(`Cannot cancel a price drop that is ${drop.status}.`, {
        status: drop.status,
      });
    }
    // A repeated cancel: delete the schedule again, since the first attempt may have died before it did.
    cancelled = drop;
  }
  ctx.seam('drop.cancelled');
  await requireScheduler(ctx).cancel(GALA_DROP_SCHEDULE_GROUP, scheduleName(dropId));
  return toPriceDropView(cancelled);
};

const requireScheduler = (ctx: Context): SchedulerPort => {
  if (!ctx.scheduler) throw new Error('no scheduler port is configured for gala price drops');
  return ctx.scheduler;
};

const scheduleName = (dropId: string) => `drop-${dropId}`;

export const toPriceDropView = (drop: PriceDropItem): PriceDropView => ({
  dropId: drop.dropId,
  galaId: drop.galaId,
  status: drop.status,
  at: drop.at,
  timeZone: drop.timeZone,
  ...(drop.dealIds === undefined ? {} : { dealIds: drop.dealIds }),
  ...(drop.dealPrice === undefined ? {} : { dealPrice: drop.dealPrice }),
  ...(drop.percentOff === undefined ? {} : { percentOff: drop.percentOff }),
  ...(drop.stock === undefined ? {} : { stock: drop.stock }),
  createdAt: drop.createdAt,
  ...(drop.firedAt === undefined ? {} : { firedAt: drop.firedAt }),
  ...(drop.appliedAt === undefined ? {} : { appliedAt: drop.appliedAt }),
  ...(drop.cancelledAt === undefined ? {} : { cancelledAt: drop.cancelledAt }),
  ...(Object.keys(drop.results ?? {}).length === 0 ? {} : { results: drop.results }),
});
