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

/** A price a deal was sold at from `at` on (ISO 8601 UTC), until the next point. */
export interface PricePoint {
  at: string;
  price: number;
  /** The gala drop that set this price, if one did. */
  dropId?: string;
}

export const PRIOR_PRICE_WINDOW_MS = 30 * 86_400_000;

/**
 * The EU Omnibus "prior price": the lowest price the deal had during the 30 days before its current price
 * took effect. Undefined while the deal has had only one price.
 */
export const priorLowestPrice = (history: readonly PricePoint[]): number | undefined => {
  const current = history[history.length - 1];
  if (!current || history.length < 2) return undefined;
  const windowStart = Date.parse(current.at) - PRIOR_PRICE_WINDOW_MS;
  let lowest: number | undefined;
  for (let i = 0; i < history.length - 1; i++) {
    const point = history[i] as PricePoint;
    const until = Date.parse((history[i + 1] as PricePoint).at);
    if (until <= windowStart) continue;
    lowest = lowest === undefined ? point.price : Math.min(lowest, point.price);
  }
  return lowest;
};

/**
 * A start cue overtaken by its stream's end: the end (recorded on the SCHEDULED deal) is at or after the
 * cue's instant, so in time order the deal started and the stream then ended it.
 */
export const startOvertakenByStreamEnd = (streamEndedAt: string | undefined, cueAt: string): boolean =>
  streamEndedAt !== undefined && cueAt <= streamEndedAt;
