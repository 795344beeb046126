import { SCOPES } from '../../functions/shared/domain/roles.js';
import type { CreateDealInput } from '../../functions/shared/domain/schemas.js';
import type { Actor, LivedropEngine } from '../../functions/shared/use-cases/types.js';

export const HOST_ID = 'host-1';
export const hostActor: Actor = { sub: HOST_ID, scopes: new Set([SCOPES.host]) };
export const adminActor: Actor = { sub: 'admin-1', scopes: new Set([SCOPES.admin]) };

export const dealInput = (overrides: Partial<CreateDealInput> = {}): CreateDealInput => ({
  title: 'Puffer jacket, half price',
  sku: 'JKT-001',
  streamId: 'gala-stream-1',
  currency: 'EUR',
  listPrice: 12_000,
  dealPrice: 6_000,
  stock: 10,
  perViewerLimit: 1,
  claimTtlSeconds: 600,
  ...overrides,
});

/** Creates a deal and cues it live. */
export const liveDeal = async (engine: LivedropEngine, overrides: Partial<CreateDealInput> = {}) => {
  const deal = await engine.createDeal(dealInput(overrides), HOST_ID);
  await engine.cue(deal.dealId, { action: 'start' }, hostActor);
  return deal;
};

/** The invariant, for a quiet deal: every unit is available, held by an ISSUED coupon, or redeemed. */
export const figures = async (engine: LivedropEngine, dealId: string) => {
  const deal = await engine.getDeal(dealId);
  return { ...deal, accounted: deal.available + deal.held + deal.redeemed };
};
