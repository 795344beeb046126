import { auditItem } from '../data/audit.js';
import { newDealItem } from '../data/deal.js';
import { newShardItem } from '../data/shard.js';
import { iso } from '../domain/clock.js';
import { distribute, shardCountFor } from '../domain/deal.js';
import type { CreateDealInput, DealView } from '../domain/schemas.js';
import { dealState } from './audit-records.js';
import type { Context } from './context.js';
import { freshHandle, idempotentRequest, type RequestHandle } from './idempotent-request.js';
import { stockFigures, toDealView } from './views.js';

/**
 * 1. write every shard  2. link the IVS channel  3. write the creation record  4. write the deal. A crash
 * before 4 leaves only items nothing reaches (the deal is what makes them reachable). Every write is
 * put-if-absent under the handle (the dealId and the creation instant), so a re-run with the same handle
 * writes the very same items, creates nothing twice and answers the deal as created.
 */
export const createDeal = async (
  ctx: Context,
  input: CreateDealInput,
  hostId: string,
  handle: RequestHandle = freshHandle(ctx),
): Promise<DealView> => {
  const nowIso = iso(handle.at);
  const dealId = handle.id;
  const shardCount = shardCountFor(input.stock, input.shards);
  const shards = distribute(input.stock, shardCount).map((quantity, k) =>
    newShardItem(dealId, k, quantity, input.dealPrice),
  );
  await Promise.all(
    shards.map(async (shard) => {
      await ctx.store.putShard(shard);
      ctx.seam('create.shard');
    }),
  );
  if (input.ivsChannelArn !== undefined) {
    await ctx.store.putChannelDeal(input.ivsChannelArn, dealId);
    ctx.seam('create.channel');
  }
  const deal = newDealItem({
    dealId,
    title: input.title,
    sku: input.sku,
    streamId: input.streamId,
    hostId,
    ...(input.galaId === undefined ? {} : { galaId: input.galaId }),
    ...(input.ivsChannelArn === undefined ? {} : { ivsChannelArn: input.ivsChannelArn }),
    currency: input.currency,
    listPrice: input.listPrice,
    dealPrice: input.dealPrice,
    perViewerLimit: input.perViewerLimit,
    claimTtlSeconds: input.claimTtlSeconds,
    ...(input.durationSeconds === undefined ? {} : { durationSeconds: input.durationSeconds }),
    shardCount,
    createdAt: nowIso,
  });
  // The record goes first: a crash before the deal leaves it unreachable like the shards, and a crash
  // after the deal cannot leave a deal without it.
  await ctx.store.putAudit(
    auditItem({
      bucket: 'deal',
      dealId,
      recordId: 'CREATED',
      at: nowIso,
      action: 'deal.created',
      actor: { kind: 'host', id: hostId },
      before: null,
      after: {
        ...dealState(deal),
        stock: input.stock,
        listPrice: input.listPrice,
        perViewerLimit: input.perViewerLimit,
      },
    }),
  );
  ctx.seam('create.audit');
  await ctx.store.putDeal(deal);
  ctx.seam('create.deal');
  return toDealView(deal, stockFigures(shards, []), nowIso);
};

/** POST /deals: with an Idempotency-Key, a retry answers the deal its first attempt created. */
export const createDealKeyed = (
  ctx: Context,
  input: CreateDealInput,
  hostId: string,
  idempotencyKey: string | undefined,
) =>
  idempotentRequest(
    ctx,
    { route: 'CREATE_DEAL', caller: hostId, idempotencyKey, request: { body: input } },
    (handle) => createDeal(ctx, input, hostId, handle),
  );
