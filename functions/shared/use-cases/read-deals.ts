import type { DealItem } from '../data/deal.js';
import { iso } from '../domain/clock.js';
import { DealNotFound } from '../domain/errors.js';
import type { DealView, LiveDealView } from '../domain/schemas.js';
import { type Context, MAX_CACHED_DEALS, nowIso } from './context.js';
import { stockFigures, toDealView, toLiveDealView } from './views.js';

const LIVE_VIEW_TTL_MS = 1_000;

export const getDeal = async (ctx: Context, dealId: string): Promise<DealView> => {
  const deal = await ctx.store.getDeal(dealId);
  if (!deal) throw new DealNotFound(dealId);
  return viewOf(ctx, deal);
};

/** The full view: the deal and its figures, from one read of its shards and their tallies. */
export const viewOf = async (ctx: Context, deal: DealItem): Promise<DealView> => {
  const { shards, tallies } = await ctx.store.getStock(deal.dealId, deal.shardCount);
  return toDealView(deal, stockFigures(shards, tallies), nowIso(ctx));
};

/**
 * The overlay's read, polled by every viewer: the deal and its shards only (no counting), kept for a
 * second per container, so a crowd polling costs the store a few reads a second per container.
 */
export const liveDeal = async (ctx: Context, dealId: string): Promise<LiveDealView> => {
  const now = ctx.clock.now();
  const cached = ctx.liveCache.get(dealId);
  if (cached && now - cached.at < LIVE_VIEW_TTL_MS) return cached.view;
  const deal = await ctx.store.getDeal(dealId, false);
  if (!deal) throw new DealNotFound(dealId);
  const view = toLiveDealView(deal, await ctx.store.getShards(dealId, deal.shardCount), iso(now));
  if (ctx.liveCache.size >= MAX_CACHED_DEALS) ctx.liveCache.clear();
  ctx.liveCache.set(dealId, { at: now, view });
  return view;
};

/** A stream's current deals (not ENDED), for its overlay, newest first. */
export const streamDeals = async (ctx: Context, streamId: string): Promise<LiveDealView[]> => {
  const views = await Promise.all(
    (await ctx.store.listStreamDeals(streamId)).map((dealId) =>
      liveDeal(ctx, dealId).catch((error: unknown) => {
        if (error instanceof DealNotFound) return undefined;
        throw error;
      }),
    ),
  );
  return views
    .filter((view): view is LiveDealView => view !== undefined && view.status !== 'ENDED')
    .sort((a, b) => (a.dealId < b.dealId ? 1 : -1));
};

/** Immutable deal settings, read once per container; status, endsAt and price are read from shards. */
export const dealConfig = (ctx: Context, dealId: string): Promise<DealItem> => {
  const cached = ctx.dealCache.get(dealId);
  if (cached) return cached;
  if (ctx.dealCache.size >= MAX_CACHED_DEALS) ctx.dealCache.clear();
  const loading = ctx.store.getDeal(dealId, false).then((deal) => {
    if (!deal) throw new DealNotFound(dealId);
    return deal;
  });
  ctx.dealCache.set(dealId, loading);
  // A missing deal may be created later, and a failed read may succeed next time: cache only successes.
  loading.catch(() => ctx.dealCache.delete(dealId));
  return loading;
};
