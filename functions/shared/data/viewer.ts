import type { ViewerStore } from '../domain/store-port.js';
import type { Key } from './key.js';
import type { Table } from './table.js';

/**
 * A viewer's items in one deal's viewer partition: holding slots and claim retry records; and the viewer's
 * (or a code's) rate-limit windows. None of them holds a unit, and none is shared by many callers.
 */

/** Slot n (1..perViewerLimit) holds one claim: the key space itself enforces the per-viewer limit. */
export interface SlotItem {
  PK: string;
  SK: string;
  type: 'SLOT';
  dealId: string;
  viewerId: string;
  slot: number;
  code: string;
  couponId: string;
  claimedAt: string;
}

/** A claim's Idempotency-Key: where a retry finds the code and coupon id of the first attempt. */
export interface IdempotencyItem {
  PK: string;
  SK: string;
  type: 'IDEMPOTENCY';
  dealId: string;
  viewerId: string;
  idempotencyKey: string;
  code: string;
  couponId: string;
  at: string;
}

export const viewerPartition = (dealId: string, viewerId: string): string =>
  `DEAL#${dealId}#VIEWER#${viewerId}`;
export const SLOT_PREFIX = 'SLOT#';

export const slotKey = (dealId: string, viewerId: string, n: number): Key => ({
  PK: viewerPartition(dealId, viewerId),
  SK: `${SLOT_PREFIX}${n}`,
});

export const idempotencyKeyOf = (dealId: string, viewerId: string, idempotencyKey: string): Key => ({
  PK: viewerPartition(dealId, viewerId),
  SK: `IDEM#${idempotencyKey}`,
});

/**
 * One fixed window of a rate limit. The subject (a viewer id or a code) is per caller, so no window item is
 * shared by many callers; `scope` names the limit (CLAIM#VIEWER, CHECKOUT#VIEWER, CHECKOUT#CODE).
 */
export const rateWindowKey = (scope: string, subject: string, windowStartMs: number): Key => ({
  PK: `RATE#${scope}#${subject}`,
  SK: `WINDOW#${windowStartMs}`,
});

export const VIEWER_CONDITIONS = {
  sameCode: 'code = :code',
  underLimit: 'attribute_not_exists(hits) OR hits < :limit',
} as const;

type Claim = { dealId: string; viewerId: string; code: string; couponId: string };

export const slotItem = (claim: Claim, slot: number, claimedAt: string): SlotItem => ({
  ...slotKey(claim.dealId, claim.viewerId, slot),
  type: 'SLOT',
  dealId: claim.dealId,
  viewerId: claim.viewerId,
  slot,
  code: claim.code,
  couponId: claim.couponId,
  claimedAt,
});

export const idempotencyItem = (claim: Claim, idempotencyKey: string, at: string): IdempotencyItem => ({
  ...idempotencyKeyOf(claim.dealId, claim.viewerId, idempotencyKey),
  type: 'IDEMPOTENCY',
  dealId: claim.dealId,
  viewerId: claim.viewerId,
  idempotencyKey,
  code: claim.code,
  couponId: claim.couponId,
  at,
});

export const viewerStore = (table: Table): ViewerStore => ({
  putSlot: (item) => table.putIfNew(item),

  querySlots: (dealId, viewerId) =>
    table.queryAll<SlotItem>({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :slot)',
      ExpressionAttributeValues: { ':pk': viewerPartition(dealId, viewerId), ':slot': SLOT_PREFIX },
      ConsistentRead: true,
    }),

  freeSlot: (dealId, viewerId, slot, code) =>
    table.deleteIf({
      Key: slotKey(dealId, viewerId, slot),
      ConditionExpression: VIEWER_CONDITIONS.sameCode,
      ExpressionAttributeValues: { ':code': code },
    }),

  // A refused put names the record holding the key, so a replay reads it no more.
  putIdempotency: async (item) => {
    const result = await table.putIfNewOrExplain<IdempotencyItem>(item);
    return 'written' in result ? { recorded: true } : result;
  },

  getIdempotency: (dealId, viewerId, idempotencyKey) =>
    table.get<IdempotencyItem>(idempotencyKeyOf(dealId, viewerId, idempotencyKey)),

  // A failed attempt forgets its retry record, so a retry runs afresh (failures are not replayed).
  dropIdempotency: async (dealId, viewerId, idempotencyKey, code) => {
    await table.deleteIf({
      Key: idempotencyKeyOf(dealId, viewerId, idempotencyKey),
      ConditionExpression: VIEWER_CONDITIONS.sameCode,
      ExpressionAttributeValues: { ':code': code },
    });
  },

  // The item expires by TTL after its window, so the counts clean themselves up.
  countRequest: async (key, limit, expiresAtEpoch) =>
    (await table.updateIf({
      Key: key,
      UpdateExpression: 'SET #type = :type, expiresAtEpoch = :ttl ADD hits :one',
      ConditionExpression: VIEWER_CONDITIONS.underLimit,
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':type': 'RATE', ':ttl': expiresAtEpoch, ':one': 1, ':limit': limit },
    })) !== undefined,
});
