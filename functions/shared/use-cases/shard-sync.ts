import type { DealItem } from '../data/deal.js';
import { distribute } from '../domain/deal.js';
import { stockReturned } from './announce.js';
import type { Context } from './context.js';

/**
 * What converges a deal's shards on the deal: its sellable config (status, endsAt, price) and the shares of
 * its restocks. Each write is idempotent (config by version, restock by id), so a cue's retry, a drop's
 * redelivery or the sweep finishes what a crash left half done.
 */
export const mirrorToShards = async (ctx: Context, deal: DealItem): Promise<void> => {
  await Promise.all(
    Array.from({ length: deal.shardCount }, async (_, k) => {
      await ctx.store.mirrorConfig(deal.dealId, k, deal);
      ctx.seam('cue.shard');
    }),
  );
};

/** 1. add each shard's share (once per restockId)  2. clear the deal's pending record. */
export const applyRestock = async (
  ctx: Context,
  deal: DealItem,
  restockId: string,
  quantity: number,
): Promise<void> => {
  const shares = distribute(quantity, deal.shardCount);
  await Promise.all(
    shares.map(async (share, k) => {
      if (share === 0) return;
      await ctx.store.applyRestock(deal.dealId, k, restockId, share);
      ctx.seam('restock.shard');
    }),
  );
  await ctx.store.finishRestock(deal.dealId, restockId);
  ctx.seam('restock.finished');
  stockReturned(ctx, deal.dealId);
};
