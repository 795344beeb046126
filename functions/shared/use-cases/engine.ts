import type { CheckoutInput, CreateDealInput, CueInput, PriceDropInput } from '../domain/schemas.js';
import { applyPriceDrop } from './apply-price-drop.js';
import { auditTrail } from './audit-trail.js';
import { claim } from './claim.js';
import { type Context, createContext, type EngineDeps } from './context.js';
import { createDeal, createDealKeyed } from './create-deal.js';
import { cue, cueKeyed } from './cue.js';
import { listCoupons } from './list-coupons.js';
import { putLiveMetadata } from './live-metadata.js';
import { lostTakesSettled } from './lost-take.js';
import { cancelPriceDrop, listPriceDrops, schedulePriceDrop, schedulePriceDropKeyed } from './price-drops.js';
import { getDeal, liveDeal, streamDeals } from './read-deals.js';
import { redeem } from './redeem.js';
import { release } from './release.js';
import { endStream } from './stream-end.js';
import { streamLive } from './stream-live.js';
import { sweep } from './sweep.js';
import type { Actor, LivedropEngine } from './types.js';

export { DEFAULT_ENGINE_OPTIONS, type EngineDeps, type EngineLogger, type EngineOptions } from './context.js';

/**
 * livedrop's use cases behind one object: one Engine is one container (its own per-container caches and
 * facts over the shared store). Each method is one use-case module; this class only holds the context. Tests,
 * the bench and the simulation use it; a deployed function binds only its own use cases (bind.ts).
 */
export class Engine implements LivedropEngine {
  private readonly ctx: Context;

  constructor(deps: EngineDeps) {
    this.ctx = createContext(deps);
  }

  createDeal(input: CreateDealInput, hostId: string) {
    return createDeal(this.ctx, input, hostId);
  }

  createDealKeyed(input: CreateDealInput, hostId: string, idempotencyKey: string | undefined) {
    return createDealKeyed(this.ctx, input, hostId, idempotencyKey);
  }

  getDeal(dealId: string) {
    return getDeal(this.ctx, dealId);
  }

  liveDeal(dealId: string) {
    return liveDeal(this.ctx, dealId);
  }

  streamDeals(streamId: string) {
    return streamDeals(this.ctx, streamId);
  }

  streamLive(streamId: string, notBefore?: number) {
    return streamLive(this.ctx, streamId, notBefore);
  }

  cue(dealId: string, input: CueInput & { at?: string }, actor: Actor, origin?: { streamId: string }) {
    return cue(this.ctx, dealId, input, actor, origin);
  }

  cueKeyed(dealId: string, input: CueInput, actor: Actor, idempotencyKey: string | undefined) {
    return cueKeyed(this.ctx, dealId, input, actor, idempotencyKey);
  }

  endStream(streamId: string, channelArn?: string, endedAt?: string) {
    return endStream(this.ctx, streamId, channelArn, endedAt);
  }

  claim(dealId: string, viewerId: string, idempotencyKey?: string) {
    return claim(this.ctx, dealId, viewerId, idempotencyKey);
  }

  listCoupons(viewerId: string, page: { limit?: number; cursor?: string }) {
    return listCoupons(this.ctx, viewerId, page);
  }

  redeem(code: string, input: CheckoutInput, actor?: Actor) {
    return redeem(this.ctx, code, input, actor);
  }

  release(code: string, input: CheckoutInput, actor?: Actor) {
    return release(this.ctx, code, input, actor);
  }

  auditTrail(dealId: string, actor: Actor, query: { limit?: number; cursor?: string; couponId?: string }) {
    return auditTrail(this.ctx, dealId, actor, query);
  }

  sweep() {
    return sweep(this.ctx);
  }

  /** Resolves once the early settles of lost takes this container started are done (lost-take.ts). */
  settled(): Promise<void> {
    return lostTakesSettled(this.ctx);
  }

  schedulePriceDrop(galaId: string, input: PriceDropInput, actor: Actor) {
    return schedulePriceDrop(this.ctx, galaId, input, actor);
  }

  schedulePriceDropKeyed(
    galaId: string,
    input: PriceDropInput,
    actor: Actor,
    idempotencyKey: string | undefined,
  ) {
    return schedulePriceDropKeyed(this.ctx, galaId, input, actor, idempotencyKey);
  }

  listPriceDrops(galaId: string) {
    return listPriceDrops(this.ctx, galaId);
  }

  cancelPriceDrop(galaId: string, dropId: string) {
    return cancelPriceDrop(this.ctx, galaId, dropId);
  }

  applyPriceDrop(galaId: string, dropId: string) {
    return applyPriceDrop(this.ctx, galaId, dropId);
  }

  putLiveMetadata(streamIds: readonly string[]) {
    return putLiveMetadata(this.ctx, streamIds);
  }
}
