import { GALA_DROP_SCHEDULE_GROUP, GALA_DROP_TARGET } from '../contract/wiring.js';
import { newPriceDropItem, type PriceDropItem } from '../data/price-drop.js';
import { iso } from '../domain/clock.js';
import { InvalidTransition, PriceDropNotFound, RequestUndone, ValidationFailed } from '../domain/errors.js';
import type { SchedulerPort } from '../domain/ports.js';
import type { PriceDropInput, PriceDropView } from '../domain/schemas.js';
import { type Context, nowIso } from './context.js';
import { freshHandle, idempotentRequest, type RequestHandle } from './idempotent-request.js';
import type { Actor } from './types.js';

/**
 * An operator schedules a gala-wide price drop: 1. record the drop (SCHEDULED)  2. create its one-time
 * schedule. Should 2 fail, the drop is cancelled so that the sweep's overdue check cannot fire it either.
 * Both are idempotent on the handle (the dropId and the request's instant): the drop is put-if-absent and its
 * schedule is named after it (an existing one is the same schedule), so a re-run finishes and never repeats.
 */
export const schedulePriceDrop = async (
  ctx: Context,
  galaId: string,
  input: PriceDropInput,
  actor: Actor,
  handle: RequestHandle = freshHandle(ctx),
): Promise<PriceDropView> => {
  const scheduler = requireScheduler(ctx);
  const at = iso(Date.parse(input.at));
  // Judged at the request's instant, so a re-run after the drop's instant finishes the drop it recorded.
  if (Date.parse(at) <= handle.at) {
    throw new ValidationFailed([{ field: 'body.at', message: 'Must be in the future.' }]);
  }
  const dropId = handle.id;
  const item = newPriceDropItem({
    dropId,
    galaId,
    at,
    timeZone: input.timeZone,
    ...(input.dealIds === undefined ? {} : { dealIds: input.dealIds }),
    ...(input.dealPrice === undefined ? {} : { dealPrice: input.dealPrice }),
    ...(input.percentOff === undefined ? {} : { percentOff: input.percentOff }),
    ...(input.stock === undefined ? {} : { stock: input.stock }),
    createdAt: iso(handle.at),
    createdBy: actor.sub,
  });
  const recorded = await ctx.store.putPriceDrop(item);
  const drop = recorded ? item : ((await ctx.store.getPriceDrop(galaId, dropId)) ?? item);
  ctx.seam('drop.recorded');
  // A re-run whose drop fired or was cancelled, or is past its instant (the sweep applies it), schedules nothing.
  if (!recorded && (drop.status !== 'SCHEDULED' || Date.parse(at) <= ctx.clock.now())) {
    return toPriceDropView(drop);
  }
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
    throw new RequestUndone('The price drop could not be scheduled; it was cancelled.', { cause: error });
  }
  return toPriceDropView(drop);
};

/** POST /galas/{id}/price-drops: with an Idempotency-Key, a retry answers the drop its first attempt scheduled. */
export const schedulePriceDropKeyed = (
  ctx: Context,
  galaId: string,
  input: PriceDropInput,
  actor: Actor,
  idempotencyKey: string | undefined,
) =>
  idempotentRequest(
    ctx,
    {
      route: 'CREATE_PRICE_DROP',
      caller: actor.sub,
      idempotencyKey,
      request: { path: { galaId }, body: input },
    },
    (handle) => schedulePriceDrop(ctx, galaId, input, actor, handle),
  );

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
