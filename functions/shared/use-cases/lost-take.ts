import type { DealItem } from '../data/deal.js';
import { type Context, sleep } from './context.js';
import { settleUnticketed } from './reconcile.js';

/** Tickets looked at below the seq a suspect take was answered with (or the shard's `issued`). */
const LOOK_BACK = 100;

/**
 * A take whose answer was lost may have taken a unit that no claim will ever ticket: the claim does not know
 * its seq, and the SDK's repeat (or the next shard) gives it another. Left alone, the reconciler returns that
 * unit only after the claim grace; stock would seem to vanish for half a minute during a drop.
 *
 * So the claim that saw it (a fault, or an answer after more than one send) settles it early: right away it
 * notes how far the shard had issued (seqs up to there were taken before this moment), and `lostTakeSettleMs`
 * later every seq of the LOOK_BACK below that still without a ticket is taken over and returned. A live
 * claim writes its ticket milliseconds after its take, so after a few seconds an unticketed unit is the lost
 * one, or belongs to a claim stuck for as long, which loses cleanly to the takeover (reconcile.ts).
 *
 * It runs beside the claim, not before its answer. One settle per shard at a time per container; a Lambda
 * container frozen in between finishes it on its next invocation, and the sweep's reconcile remains the net.
 */
export const suspectLostTake = (ctx: Context, deal: DealItem, k: number, issuedUpTo?: number): void => {
  const key = `${deal.dealId}#${k}`;
  if (ctx.lostTakes.has(key)) return;
  const settling = (async () => {
    const upTo = issuedUpTo ?? (await ctx.store.getShard(deal.dealId, k))?.issued;
    if (upTo === undefined || upTo < 1) return;
    await sleep(ctx, ctx.options.lostTakeSettleMs);
    const from = Math.max(1, upTo - LOOK_BACK + 1);
    const seqs = Array.from({ length: upTo - from + 1 }, (_, i) => from + i);
    await settleUnticketed(ctx, deal, k, seqs);
  })()
    .catch((error: unknown) => {
      ctx.logger.error('early settle of a lost take failed; the reconciler will return the unit', {
        dealId: deal.dealId,
        shard: k,
        error,
      });
    })
    .finally(() => ctx.lostTakes.delete(key));
  ctx.lostTakes.set(key, settling);
};

/** Every early settle this container has in flight (tests and the simulation wait for them). */
export const lostTakesSettled = async (ctx: Context): Promise<void> => {
  while (ctx.lostTakes.size > 0) await Promise.all([...ctx.lostTakes.values()]);
};
