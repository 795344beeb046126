import { INDEX } from '../contract/table-definition.js';
import type { PricePoint } from '../domain/deal.js';
import type { DealStatus } from '../domain/schemas.js';
import type { DealStore, DealTransition } from '../domain/store-port.js';
import { EXISTS, type Key } from './key.js';
import type { Table } from './table.js';

/**
 * The deal: its settings, status, price and the bookkeeping of cues, restocks, drops and the sweep. Written
 * by cues, drops and the sweep, never by a claim (claims read it once per container and write shards).
 */
export interface DealItem {
  PK: string;
  SK: string;
  type: 'DEAL';
  dealId: string;
  title: string;
  sku: string;
  streamId: string;
  hostId: string;
  galaId?: string;
  ivsChannelArn?: string;
  currency: string;
  listPrice: number;
  dealPrice: number;
  perViewerLimit: number;
  claimTtlSeconds: number;
  durationSeconds?: number;
  shardCount: number;
  status: DealStatus;
  /** Bumped by every change mirrored onto the shards (status, endsAt, price); shards converge on the highest. */
  configVersion: number;
  /** Bumped whenever work for the sweep appears after the deal ended, so "settled" cannot race it. */
  sweepEpoch: number;
  /** Set by a sweep that found the ENDED deal idle; a later sweep at the same epoch may settle it. */
  settleCandidate?: { epoch: number; at: number };
  /** dropId -> the price a gala drop set: each drop applies to a deal once. */
  appliedDrops: Record<string, number>;
  /** Every price the deal has had, oldest first (for the prior-price rule). */
  priceHistory: PricePoint[];
  /** cueId -> the instant of every cue applied (a redelivered cue changes nothing). */
  appliedCues: Record<string, string>;
  /** The instant of the newest cue applied: an older one arriving later is stale and refused. */
  lastCueAt?: string;
  /** Restocks accepted but possibly not yet applied to every shard (restockId -> quantity). */
  pendingRestocks: Record<string, number>;
  createdAt: string;
  startedAt?: string;
  endsAt?: string;
  endedAt?: string;
  /**
   * Who ended the deal when no cue did: the sweep (its duration ran out) or its stream going off air. A sweep
   * that finds it writes the end's audit record if a crash lost it (a cue's redelivery repairs its own).
   */
  endedBy?: 'time' | 'stream';
  /**
   * The latest instant a Stream End of the deal's stream found it still SCHEDULED (only moves forward). A start
   * cue from at or before it was overtaken by that end: in time order the deal started and the stream ended
   * it, so the start leaves it ENDED by the stream.
   */
  streamEndedAt?: string;
  GSI1PK: string;
  GSI1SK: string;
  GSI2PK?: string;
  GSI2SK?: string;
  GSI3PK?: string;
  GSI3SK?: string;
}

/** A cue's identity and instant: applied once per cueId, and never when older than the last applied one. */
export interface CueStamp {
  id: string;
  /** ISO 8601 UTC. */
  at: string;
}

export const dealKey = (dealId: string): Key => ({ PK: `DEAL#${dealId}`, SK: 'DEAL' });

/** Points an IVS channel at a deal that named it, so a Stream End finds the deal with a consistent Query. */
export const channelDealKey = (channelArn: string, dealId: string): Key => ({
  PK: channelPartition(channelArn),
  SK: `DEAL#${dealId}`,
});
export const channelPartition = (channelArn: string): string => `IVS#${channelArn}`;

/** GSI1: the deals of a stream. */
export const streamDealsPartition = (streamId: string) => `STREAM#${streamId}`;
const streamDeals = (streamId: string, dealId: string) => ({
  GSI1PK: streamDealsPartition(streamId),
  GSI1SK: `DEAL#${dealId}`,
});
/** GSI2: present while the sweep still has work on the deal (sparse). */
export const SWEEP_PARTITION = 'SWEEP';
const sweepDeal = (dealId: string) => ({ GSI2PK: SWEEP_PARTITION, GSI2SK: `DEAL#${dealId}` });
/** GSI3: the deals of a gala (sparse). */
export const galaDealsPartition = (galaId: string) => `GALA#${galaId}`;
const galaDeals = (galaId: string, dealId: string) => ({
  GSI3PK: galaDealsPartition(galaId),
  GSI3SK: `DEAL#${dealId}`,
});

export const DEAL_CONDITIONS = {
  notEndedByTime: '(attribute_not_exists(endsAt) OR endsAt > :now)',
  endedByTime: 'endsAt <= :now',
  newCue: 'attribute_not_exists(#cues.#cueId)',
  freshCue: 'attribute_not_exists(#cues.#cueId) AND (attribute_not_exists(lastCueAt) OR lastCueAt <= :cueAt)',
  streamEndBeforeCue: '(attribute_not_exists(streamEndedAt) OR streamEndedAt < :cueAt)',
  streamEndNotBeforeCue: 'streamEndedAt >= :cueAt',
  laterStreamEnd:
    '#status = :scheduled AND (attribute_not_exists(streamEndedAt) OR streamEndedAt < :streamEndedAt)',
} as const;

export type NewDeal = Omit<
  DealItem,
  | 'PK'
  | 'SK'
  | 'type'
  | 'status'
  | 'configVersion'
  | 'sweepEpoch'
  | 'pendingRestocks'
  | 'appliedCues'
  | 'appliedDrops'
  | 'priceHistory'
  | `GSI${number}${'PK' | 'SK'}`
>;

/** A new SCHEDULED deal: on the sweep's list from the start, in its stream's and gala's index partitions. */
export const newDealItem = (deal: NewDeal): DealItem => ({
  ...dealKey(deal.dealId),
  type: 'DEAL',
  ...deal,
  ...(deal.galaId === undefined ? {} : galaDeals(deal.galaId, deal.dealId)),
  status: 'SCHEDULED',
  configVersion: 1,
  sweepEpoch: 0,
  pendingRestocks: {},
  appliedCues: {},
  appliedDrops: {},
  priceHistory: [{ at: deal.createdAt, price: deal.dealPrice }],
  ...streamDeals(deal.streamId, deal.dealId),
  ...sweepDeal(deal.dealId),
});

/**
 * Adds the cue guard to an update being built; returns its condition. Every cue applies once per cueId;
 * status cues are also ordered (one older than the last status cue applied is stale), while restock and
 * extend commute, so they apply whenever they arrive.
 */
const guardCue = (
  cue: CueStamp,
  names: Record<string, string>,
  values: Record<string, unknown>,
  sets: string[],
  ordered: boolean,
): string => {
  names['#cues'] = 'appliedCues';
  names['#cueId'] = cue.id;
  values[':cueAt'] = cue.at;
  sets.push('#cues.#cueId = :cueAt');
  if (!ordered) return DEAL_CONDITIONS.newCue;
  sets.push('lastCueAt = :cueAt');
  return DEAL_CONDITIONS.freshCue;
};

/** `#status IN (:from0, ...)`, with the values added. */
const statusIn = (from: readonly DealStatus[], values: Record<string, unknown>): string => {
  const names = from.map((status, i) => {
    values[`:from${i}`] = status;
    return `:from${i}`;
  });
  return `#status IN (${names.join(', ')})`;
};

const transitionUpdate = (change: DealTransition) => {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':to': change.to, ':one': 1 };
  let condition = statusIn(change.from, values);
  const sets = ['#status = :to'];
  if (change.startedAt !== undefined) {
    sets.push('startedAt = :startedAt');
    values[':startedAt'] = change.startedAt;
  }
  if (change.endsAt !== undefined) {
    sets.push('endsAt = :endsAt');
    values[':endsAt'] = change.endsAt;
  }
  if (change.to === 'ENDED') {
    sets.push('endedAt = :nowIso');
    values[':nowIso'] = change.nowIso;
    if (change.endedBy !== undefined) {
      sets.push('endedBy = :endedBy');
      values[':endedBy'] = change.endedBy;
    }
  }
  if (change.time !== 'any') {
    values[':now'] = change.nowIso;
    condition += ` AND ${change.time === 'whileRunning' ? DEAL_CONDITIONS.notEndedByTime : DEAL_CONDITIONS.endedByTime}`;
  }
  if (change.cue) condition += ` AND ${guardCue(change.cue, names, values, sets, true)}`;
  if (change.cue && change.streamEnd !== undefined)
    condition += ` AND ${change.streamEnd === 'beforeCue' ? DEAL_CONDITIONS.streamEndBeforeCue : DEAL_CONDITIONS.streamEndNotBeforeCue}`;
  return { sets, condition, names, values };
};

export const dealStore = (table: Table): DealStore => ({
  putDeal: (item) => table.putIfNew(item),

  getDeal: (dealId, consistent = true) => table.get<DealItem>(dealKey(dealId), consistent),

  getDeals: async (dealIds) => [
    ...(await table.batchGet<DealItem>(dealIds.map(dealKey), (item) => item.dealId)).values(),
  ],

  transitionDeal: (dealId, change) => {
    const { sets, condition, names, values } = transitionUpdate(change);
    return table.updateIf<DealItem>({
      Key: dealKey(dealId),
      UpdateExpression: `SET ${sets.join(', ')} ADD configVersion :one`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    });
  },

  markStreamEnded: async (dealId, streamEndedAt) =>
    (await table.updateIf({
      Key: dealKey(dealId),
      UpdateExpression: 'SET streamEndedAt = :streamEndedAt',
      ConditionExpression: DEAL_CONDITIONS.laterStreamEnd,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':scheduled': 'SCHEDULED', ':streamEndedAt': streamEndedAt },
    })) !== undefined,

  // The restockId is the cue's id, so a redelivered restock cue adds nothing.
  acceptRestock: (dealId, quantity, from, nowIso, cue) => {
    const names: Record<string, string> = {
      '#status': 'status',
      '#pending': 'pendingRestocks',
      '#rid': cue.id,
    };
    const values: Record<string, unknown> = { ':q': quantity, ':now': nowIso };
    const status = statusIn(from, values);
    const sets = ['#pending.#rid = :q'];
    const fresh = guardCue(cue, names, values, sets, false);
    return table.updateIf<DealItem>({
      Key: dealKey(dealId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: `${status} AND ${DEAL_CONDITIONS.notEndedByTime} AND ${fresh}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    });
  },

  // Pushes endsAt of a running deal from `fromEndsAt` (as read) to `toEndsAt`, once per cue.
  extendDeal: (dealId, change) => {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':live': 'LIVE',
      ':paused': 'PAUSED',
      ':from': change.fromEndsAt,
      ':to': change.toEndsAt,
      ':now': change.nowIso,
      ':one': 1,
    };
    const sets = ['endsAt = :to'];
    const fresh = guardCue(change.cue, names, values, sets, false);
    return table.updateIf<DealItem>({
      Key: dealKey(dealId),
      UpdateExpression: `SET ${sets.join(', ')} ADD configVersion :one`,
      ConditionExpression: `#status IN (:live, :paused) AND endsAt = :from AND endsAt > :now AND ${fresh}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    });
  },

  finishRestock: (dealId, restockId) =>
    table.update({
      Key: dealKey(dealId),
      UpdateExpression: 'REMOVE #pending.#rid',
      ConditionExpression: EXISTS,
      ExpressionAttributeNames: { '#pending': 'pendingRestocks', '#rid': restockId },
    }),

  markSweepWork: (dealId) => {
    const sweep = sweepDeal(dealId);
    return table.update({
      Key: dealKey(dealId),
      UpdateExpression: 'SET GSI2PK = :pk, GSI2SK = :sk ADD sweepEpoch :one',
      ConditionExpression: EXISTS,
      ExpressionAttributeValues: { ':pk': sweep.GSI2PK, ':sk': sweep.GSI2SK, ':one': 1 },
    });
  },

  settleDeal: async (dealId, epoch) =>
    (await table.updateIf({
      Key: dealKey(dealId),
      UpdateExpression: 'REMOVE GSI2PK, GSI2SK',
      ConditionExpression: 'sweepEpoch = :epoch',
      ExpressionAttributeValues: { ':epoch': epoch },
    })) !== undefined,

  markSettleCandidate: (dealId, epoch, nowMs) =>
    table.update({
      Key: dealKey(dealId),
      UpdateExpression: 'SET settleCandidate = :candidate',
      ConditionExpression: EXISTS,
      ExpressionAttributeValues: { ':candidate': { epoch, at: nowMs } },
    }),

  // The price history grows in the same write as the price.
  applyDealPrice: (dealId, change) =>
    table.updateIf<DealItem>({
      Key: dealKey(dealId),
      UpdateExpression:
        'SET dealPrice = :to, #drops.#drop = :to, priceHistory = list_append(priceHistory, :point) ADD configVersion :one',
      ConditionExpression: `attribute_not_exists(#drops.#drop) AND dealPrice = :from AND #status IN (:scheduled, :live, :paused) AND ${DEAL_CONDITIONS.notEndedByTime}`,
      ExpressionAttributeNames: { '#status': 'status', '#drops': 'appliedDrops', '#drop': change.dropId },
      ExpressionAttributeValues: {
        ':to': change.to,
        ':from': change.from,
        ':point': [{ at: change.nowIso, price: change.to, dropId: change.dropId }],
        ':one': 1,
        ':scheduled': 'SCHEDULED',
        ':live': 'LIVE',
        ':paused': 'PAUSED',
        ':now': change.nowIso,
      },
      ReturnValues: 'ALL_NEW',
    }),

  // Written before the deal itself, so a Stream End never misses a deal that named its channel.
  putChannelDeal: async (channelArn, dealId) => {
    await table.putIfNew({ ...channelDealKey(channelArn, dealId), type: 'CHANNEL_DEAL', dealId });
  },

  listChannelDeals: (channelArn) =>
    table.dealIdsIn({ key: 'PK', value: channelPartition(channelArn), consistent: true }),

  // GSI1 is eventually consistent, which a stream ending seconds after a deal was created tolerates.
  listStreamDeals: (streamId) =>
    table.dealIdsIn({ index: INDEX.byOwner, key: 'GSI1PK', value: streamDealsPartition(streamId) }),

  listSweepDeals: () => table.dealIdsIn({ index: INDEX.byPhase, key: 'GSI2PK', value: SWEEP_PARTITION }),

  listGalaDeals: (galaId) =>
    table.dealIdsIn({ index: INDEX.byGala, key: 'GSI3PK', value: galaDealsPartition(galaId) }),
});
