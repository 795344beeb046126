import type { DealItem } from '../data/deal.js';
import type { ShardItem } from '../data/shard.js';
import { iso } from '../domain/clock.js';
import { effectiveStatus, priorLowestPrice } from '../domain/deal.js';
import type { StreamLive, StreamLiveDeal } from '../domain/stream-live.js';
import { type Context, MAX_CACHED_DEALS } from './context.js';

/**
 * The public live state of a stream (`GET /streams/{streamId}/live`, and locally its Server-Sent Events): the
 * stream's LIVE and PAUSED deals with their figures, the same for every viewer and nothing personal.
 *
 * It reads, in order, and writes nothing:
 * 1. the stream's deal ids (one Query on GSI1), joined with the ids this container saw before, so an index
 *    replica that lags never makes a deal vanish;
 * 2. those deals (one strongly consistent BatchGet);
 * 3. all their shards (one strongly consistent BatchGet), ENDED deals' too: their counters keep the version
 *    from falling when a deal leaves the list.
 *
 * No count is queried: `version` is a sum of counters that only ever grow, each bumped by the write that
 * changes what a viewer sees. Per deal: `configVersion` (every status, price and end change), and per shard
 * `added` (stock and restocks), `issued` (claims) and `absorbed` (returned units back on sale); available is
 * added - issued + absorbed, so no figure changes without one of them growing. A deal whose end passed before
 * the sweep recorded it counts one more, so it leaves the list with a higher version; the sweep's record then
 * bumps `configVersion` by the same one.
 *
 * Per container, a stream is read at most once per `maxAgeMs` (1 s) however many requests arrive: they share
 * the state and the one read in flight (single flight). A caller that needs a state read after an instant (the
 * local event stream, told of a change) passes `notBefore`.
 */

/** How old a cached state may be for a caller that names no instant. */
export const STREAM_LIVE_MAX_AGE_MS = 1_000;

export interface StreamLiveEntry {
  state?: StreamLive;
  /** When the cached state's read began (the container's clock, epoch ms). */
  readAt: number;
  /** The read in flight, and when it began. */
  loading?: { startedAt: number; promise: Promise<StreamLive> };
  /** Every deal id seen for the stream: the GSI1 answer joined with these. */
  dealIds: Set<string>;
}

/**
 * The stream's live state, read after `notBefore` (epoch ms on the engine's clock; default: a second ago, so
 * a state is kept for less than a second). Versions never fall within a container: a read that finds less keeps the state before it.
 */
export const streamLive = (
  ctx: Context,
  streamId: string,
  notBefore = ctx.clock.now() - STREAM_LIVE_MAX_AGE_MS,
): Promise<StreamLive> => {
  let entry = ctx.streamLive.get(streamId);
  if (!entry) {
    if (ctx.streamLive.size >= MAX_CACHED_DEALS) ctx.streamLive.clear();
    entry = { readAt: Number.NEGATIVE_INFINITY, dealIds: new Set() };
    ctx.streamLive.set(streamId, entry);
  }
  if (entry.state && entry.readAt > notBefore) return Promise.resolve(entry.state);
  if (entry.loading && entry.loading.startedAt > notBefore) return entry.loading.promise;
  return refresh(ctx, streamId, entry);
};

const refresh = (ctx: Context, streamId: string, entry: StreamLiveEntry): Promise<StreamLive> => {
  const startedAt = ctx.clock.now();
  const promise = readState(ctx, streamId, entry, startedAt).then((state) => {
    const kept = entry.state;
    // An older read finishing after a newer one, or (never with consistent reads) a lower version: keep
    // what was served. The same version keeps its first body, so one ETag always names the same bytes.
    if (kept && (startedAt < entry.readAt || state.version <= kept.version)) {
      entry.readAt = Math.max(entry.readAt, startedAt);
      return kept;
    }
    entry.state = state;
    entry.readAt = startedAt;
    return state;
  });
  const loading = { startedAt, promise };
  entry.loading = loading;
  void promise.then(
    () => {
      if (entry.loading === loading) delete entry.loading;
    },
    () => {
      if (entry.loading === loading) delete entry.loading;
    },
  );
  return promise;
};

const readState = async (
  ctx: Context,
  streamId: string,
  entry: StreamLiveEntry,
  startedAt: number,
): Promise<StreamLive> => {
  for (const dealId of await ctx.store.listStreamDeals(streamId)) entry.dealIds.add(dealId);
  const deals = (await ctx.store.getDeals([...entry.dealIds])).filter((deal) => deal.streamId === streamId);
  const shards = await ctx.store.getShardsOfDeals(deals);
  const at = iso(startedAt);
  let version = 0;
  const shown: StreamLiveDeal[] = [];
  for (const deal of deals) {
    const dealShards = shards.get(deal.dealId) ?? [];
    const status = effectiveStatus(deal.status, deal.endsAt, at);
    version += dealVersion(deal, dealShards) + (status !== deal.status ? 1 : 0);
    if (status === 'LIVE' || status === 'PAUSED') shown.push(toStreamLiveDeal(deal, status, dealShards));
  }
  shown.sort((a, b) => (a.dealId < b.dealId ? 1 : -1));
  return { streamId, version, at, deals: shown };
};

/** The deal's share of the version: counters that only grow, one of which every visible change bumps. */
const dealVersion = (deal: DealItem, shards: readonly ShardItem[]): number =>
  shards.reduce((sum, shard) => sum + shard.added + shard.issued + (shard.absorbed ?? 0), deal.configVersion);

/** Only what every viewer may see: no host, sku, channel or viewer. */
const toStreamLiveDeal = (
  deal: DealItem,
  status: 'LIVE' | 'PAUSED',
  shards: readonly ShardItem[],
): StreamLiveDeal => {
  const prior = priorLowestPrice(deal.priceHistory ?? []);
  return {
    dealId: deal.dealId,
    title: deal.title,
    status,
    currency: deal.currency,
    dealPrice: deal.dealPrice,
    listPrice: deal.listPrice,
    ...(prior === undefined ? {} : { priorLowestPrice: prior }),
    ...(deal.endsAt === undefined ? {} : { endsAt: deal.endsAt }),
    available: shards.reduce((sum, shard) => sum + shard.available, 0),
    stock: shards.reduce((sum, shard) => sum + shard.added, 0),
    perViewerLimit: deal.perViewerLimit,
  };
};

/** The stream's live state read now, not from the second-long cache: what the timed-metadata publisher sends. */
export const readStreamLive = (ctx: Context, streamId: string): Promise<StreamLive> =>
  streamLive(ctx, streamId, ctx.clock.now());
