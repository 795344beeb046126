import type { DealItem } from '../data/deal.js';
import type { ShardItem } from '../data/shard.js';
import type { TallyItem } from '../data/tally.js';
import { iso } from '../domain/clock.js';
import { effectiveStatus, priorLowestPrice } from '../domain/deal.js';
import type { StreamLive, StreamLiveDeal } from '../domain/stream-live.js';
import type { Context } from './context.js';
import { stockFigures } from './views.js';

interface DealRead {
  deal: DealItem;
  shards: ShardItem[];
  tallies: TallyItem[];
}

/**
 * What every viewer of a stream sees of its deals (domain/stream-live.ts), read in this order:
 * 1. the stream's deals (GSI1: every deal it ever had, ended ones included);
 * 2. per deal, side by side: the deal (strongly consistent), then its K shards and K tallies in one BatchGet,
 *    the figures as GET /deals/{dealId} reads them (counts kept where the writes happen, no COUNT query);
 * 3. the LIVE and PAUSED deals (by the clock: one past its endsAt is ENDED), newest first.
 *
 * `version` sums counters that only ever grow: each deal's configVersion (status, endsAt, price), its shards'
 * `added` (restocks) and `issued` (claims) and its tallies' `returned` (units back). Every change of a figure,
 * status, price or end moves one of them, and they are summed over every deal of the stream, ended ones too,
 * so a deal leaving the state never lowers the version.
 */
export const readStreamLive = async (ctx: Context, streamId: string): Promise<StreamLive> => {
  const at = iso(ctx.clock.now());
  const dealIds = await ctx.store.listStreamDeals(streamId);
  const reads = await Promise.all(
    dealIds.map(async (dealId): Promise<DealRead | undefined> => {
      const deal = await ctx.store.getDeal(dealId);
      // Listed by the index but never written (its creation died before the deal item): not a deal.
      if (!deal) return undefined;
      return { deal, ...(await ctx.store.getStock(dealId, deal.shardCount)) };
    }),
  );
  let version = 0;
  const deals: StreamLiveDeal[] = [];
  for (const read of reads) {
    if (read === undefined) continue;
    version += countersOf(read);
    const status = effectiveStatus(read.deal.status, read.deal.endsAt, at);
    if (status === 'LIVE' || status === 'PAUSED') deals.push(liveDealOf(read, status));
  }
  deals.sort((a, b) => (a.dealId < b.dealId ? 1 : -1));
  return { streamId, version, at, deals };
};

const countersOf = ({ deal, shards, tallies }: DealRead): number =>
  deal.configVersion +
  shards.reduce((sum, shard) => sum + shard.added + shard.issued, 0) +
  tallies.reduce((sum, tally) => sum + tally.returned, 0);

const liveDealOf = ({ deal, shards, tallies }: DealRead, status: 'LIVE' | 'PAUSED'): StreamLiveDeal => {
  const { stock, available } = stockFigures(shards, tallies);
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
    available,
    stock,
  };
};
