import type { CueAction, DealStatus } from './schemas.js';

/**
 * Pure deal rules: status machine, shard planning and the effective status a reader sees.
 * SCHEDULED -> LIVE <-> PAUSED -> ENDED (terminal); `end` also cancels a deal that never started.
 */
export type StatusCue = Exclude<CueAction, 'restock' | 'extend'>;

/** extend pushes endsAt while a deal with a duration can still sell. */
export const EXTENDABLE: readonly DealStatus[] = ['LIVE', 'PAUSED'];

const TRANSITIONS: Record<StatusCue, { from: readonly DealStatus[]; to: DealStatus }> = {
  start: { from: ['SCHEDULED'], to: 'LIVE' },
  pause: { from: ['LIVE'], to: 'PAUSED' },
  resume: { from: ['PAUSED'], to: 'LIVE' },
  end: { from: ['SCHEDULED', 'LIVE', 'PAUSED'], to: 'ENDED' },
};

export const transitionFor = (cue: StatusCue) => TRANSITIONS[cue];

/** Restock is allowed while a deal can still sell: LIVE or PAUSED. */
export const RESTOCKABLE: readonly DealStatus[] = ['LIVE', 'PAUSED'];

/** A deal whose duration has run out has ended for every reader even before the sweep records it. */
export const effectiveStatus = (
  status: DealStatus,
  endsAt: string | undefined,
  nowIso: string,
): DealStatus =>
  (status === 'LIVE' || status === 'PAUSED') && endsAt !== undefined && endsAt <= nowIso ? 'ENDED' : status;

/**
 * How many stock shards a deal gets. One shard item sustains ~1,000 conditional writes/s on DynamoDB; a
 * shard with few units empties early and makes claims probe elsewhere. So: one shard per 100 units, at
 * least 1 and at most 32, unless the creator passes a `shards` hint (1..64, never more than the stock).
 */
export const UNITS_PER_SHARD = 100;
export const MAX_AUTO_SHARDS = 32;

export const shardCountFor = (stock: number, hint?: number): number =>
  hint ?? Math.min(MAX_AUTO_SHARDS, Math.max(1, Math.ceil(stock / UNITS_PER_SHARD)));

/** Splits `quantity` units over `shards` as evenly as possible; the remainder goes to the first shards. */
export const distribute = (quantity: number, shards: number): number[] => {
  const base = Math.floor(quantity / shards);
  const extra = quantity % shards;
  return Array.from({ length: shards }, (_, k) => base + (k < extra ? 1 : 0));
};
