import { DealNotFound, MetadataThrottled } from '../domain/errors.js';
import type { StreamLive } from '../domain/stream-live.js';
import { toLiveMetadata } from '../domain/stream-live.js';
import { type Context, MAX_CACHED_DEALS, sleep } from './context.js';
import { dealConfig } from './read-deals.js';
import { readStreamLive } from './stream-live.js';

/** This container puts into one channel at most once a second (IVS allows 5 a second and channel). */
export const METADATA_PUT_SPACING_MS = 1_000;

export interface LiveMetadataOutcome {
  streamId: string;
  /** The channels its state went into. */
  put: string[];
  /** Channels not broadcasting: nobody watches them, so nothing was put and nothing needs redelivery. */
  offline: string[];
  /** Why one of its puts (or the read of its state) failed; the caller has its events delivered again. */
  failed?: 'throttled' | 'error';
}

/**
 * Puts the live state of streams whose deals changed into their IVS channels as timed metadata, coalesced:
 * 1. per stream, the channels its deals name (`ivsChannelArn`, immutable, read once per container);
 * 2. per channel, one stream after the other: wait until a second after this container's last put into it
 *    (the last state is delayed, never dropped), read the stream's state (once, however many channels it has),
 *    and put `toLiveMetadata(state)`.
 * A stream with no channel has nowhere to go. A stream whose read or put failed answers `failed`.
 */
export const putLiveMetadata = async (
  ctx: Context,
  streamIds: readonly string[],
): Promise<LiveMetadataOutcome[]> => {
  const publisher = ctx.metadata;
  if (publisher === undefined) throw new Error('no timed-metadata publisher is configured');
  const outcomes = new Map<string, LiveMetadataOutcome>();
  const streamsOf = new Map<string, string[]>();
  await Promise.all(
    [...new Set(streamIds)].map(async (streamId) => {
      const outcome: LiveMetadataOutcome = { streamId, put: [], offline: [] };
      outcomes.set(streamId, outcome);
      try {
        for (const channelArn of await channelsOf(ctx, streamId)) {
          streamsOf.set(channelArn, [...(streamsOf.get(channelArn) ?? []), streamId]);
        }
      } catch (error) {
        fail(ctx, outcome, error);
      }
    }),
  );
  const states = new Map<string, Promise<StreamLive>>();
  const stateOf = (streamId: string) => {
    let state = states.get(streamId);
    if (state === undefined) {
      state = readStreamLive(ctx, streamId);
      states.set(streamId, state);
    }
    return state;
  };
  await Promise.all(
    [...streamsOf].map(async ([channelArn, streams]) => {
      for (const streamId of streams) {
        const outcome = outcomes.get(streamId) as LiveMetadataOutcome;
        if (outcome.failed !== undefined) continue;
        const wait = reservePut(ctx, channelArn);
        if (wait > 0) await sleep(ctx, wait);
        try {
          const metadata = JSON.stringify(toLiveMetadata(await stateOf(streamId)));
          const result = await publisher.putMetadata(channelArn, metadata);
          outcome[result === 'put' ? 'put' : 'offline'].push(channelArn);
        } catch (error) {
          fail(ctx, outcome, error, channelArn);
        }
      }
    }),
  );
  return [...outcomes.values()];
};

/** The IVS channels the stream's deals name, each once. */
const channelsOf = async (ctx: Context, streamId: string): Promise<string[]> => {
  const deals = await Promise.all(
    (await ctx.store.listStreamDeals(streamId)).map((dealId) =>
      // Listed by the index but never written (its creation died first): no deal, no channel. A failed read
      // fails the stream, so its events come again rather than its channel being skipped.
      dealConfig(ctx, dealId).catch((error: unknown) => {
        if (error instanceof DealNotFound) return undefined;
        throw error;
      }),
    ),
  );
  return [
    ...new Set(deals.flatMap((deal) => (deal?.ivsChannelArn === undefined ? [] : [deal.ivsChannelArn]))),
  ];
};

/**
 * Takes the channel's next slot at once (so puts running side by side in one container cannot share a slot)
 * and answers how long to wait for it.
 */
const reservePut = (ctx: Context, channelArn: string): number => {
  const now = ctx.clock.now();
  const at = Math.max(now, ctx.metadataPutAt.get(channelArn) ?? now);
  if (ctx.metadataPutAt.size >= MAX_CACHED_DEALS) {
    for (const [channel, next] of ctx.metadataPutAt) if (next <= now) ctx.metadataPutAt.delete(channel);
  }
  ctx.metadataPutAt.set(channelArn, at + METADATA_PUT_SPACING_MS);
  return at - now;
};

const fail = (ctx: Context, outcome: LiveMetadataOutcome, error: unknown, channelArn?: string): void => {
  const throttled = error instanceof MetadataThrottled;
  if (outcome.failed !== 'error') outcome.failed = throttled ? 'throttled' : 'error';
  if (!throttled) {
    ctx.logger.error('live metadata not put', { streamId: outcome.streamId, channelArn, error });
  }
};
