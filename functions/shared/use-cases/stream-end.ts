import { iso } from '../domain/clock.js';
import { InvalidTransition } from '../domain/errors.js';
import { endRecord } from './audit-records.js';
import { type Context, nowIso } from './context.js';
import { changeStatus } from './cue.js';

/** A deal started this long after a Stream End's time belongs to a later broadcast on the channel. */
const STREAM_END_SKEW_MS = 60_000;

/**
 * The stream went off air: every LIVE or PAUSED deal of it ends (those whose streamId is the channel's name
 * and those that named the channel's ARN), and a SCHEDULED one keeps the instant, so a start cue from before
 * it that arrives later leaves it ENDED, as in time order.
 */
export const endStream = async (
  ctx: Context,
  streamId: string,
  channelArn?: string,
  endedAt?: string,
): Promise<{ ended: string[] }> => {
  const ended: string[] = [];
  const dealIds = new Set(await ctx.store.listStreamDeals(streamId));
  if (channelArn !== undefined)
    for (const dealId of await ctx.store.listChannelDeals(channelArn)) dealIds.add(dealId);
  // Event times have second precision and another clock: only deals started well after the end are spared.
  const endedAtMs = endedAt === undefined ? Number.NaN : Date.parse(endedAt);
  const startedTooLate = Number.isFinite(endedAtMs) ? iso(endedAtMs + STREAM_END_SKEW_MS) : undefined;
  for (const dealId of dealIds) {
    let deal = await ctx.store.getDeal(dealId);
    if (!deal) continue;
    if (deal.status === 'SCHEDULED') {
      // A start cue from before this end may still be on its way (overtaken): the deal keeps the instant,
      // and that start then leaves it ENDED, as in time order. A later start (a later broadcast) starts it.
      if (!Number.isFinite(endedAtMs)) continue;
      const streamEndedAt = iso(endedAtMs);
      if (deal.streamEndedAt !== undefined && deal.streamEndedAt >= streamEndedAt) continue;
      if (await ctx.store.markStreamEnded(dealId, streamEndedAt)) continue;
      // Started meanwhile (or a later end recorded): look again.
      deal = await ctx.store.getDeal(dealId);
      if (!deal) continue;
    }
    if (deal.status === 'ENDED' && deal.endedBy === 'stream') {
      // A redelivered end: rewrites the record if the first delivery died before it.
      await ctx.store.putAudit(endRecord(deal, null, nowIso(ctx), streamId));
      continue;
    }
    if (deal.status !== 'LIVE' && deal.status !== 'PAUSED') continue;
    // A Stream End delivered late (a retry) may belong to an earlier broadcast on the same channel: a deal
    // started after the stream ended was not live in it.
    if (startedTooLate !== undefined && deal.startedAt !== undefined && deal.startedAt > startedTooLate)
      continue;
    try {
      const updated = await changeStatus(ctx, deal, 'end', { endedBy: 'stream' });
      ended.push(dealId);
      await ctx.store.putAudit(endRecord(updated, deal, nowIso(ctx), streamId));
    } catch (error) {
      // Ended meanwhile by a cue or the sweep: that is the outcome we wanted.
      if (!(error instanceof InvalidTransition)) throw error;
    }
  }
  return { ended };
};
