import { createHash } from 'node:crypto';
import type { RequestRecordStore } from '../domain/store-port.js';
import type { Key } from './key.js';
import type { Table } from './table.js';

/**
 * The record of a request sent with an Idempotency-Key on a route that creates or changes something (the
 * claim keeps its own record in the viewer's partition, viewer.ts). One item per (route, caller, key): the
 * caller's `sub` is hashed into the partition key and the key ends the sort key, so neither caller-chosen
 * string can read as another key part. It holds no stock; TTL removes it once `expiresAtEpoch` passed.
 */
export interface RequestRecordItem {
  PK: string;
  SK: string;
  type: 'REQUEST';
  route: string;
  idempotencyKey: string;
  /** sha256 of the canonical request (path parameters and parsed body): the same key with another request is refused. */
  requestHash: string;
  /** The id the use case creates under (the new dealId, dropId or cueId), allocated before it runs. */
  handle: string;
  /** ISO 8601 UTC: the request's instant, which a re-run uses again so it writes the very same items. */
  at: string;
  status: 'IN_PROGRESS' | 'COMPLETED';
  /** The attempt running the request now; only it may forget the record or end its lease. */
  owner: string;
  /** Epoch ms until which the owner may still be running; past it, a retry takes over. */
  leaseUntil: number;
  /** The first successful answer's body (JSON), once COMPLETED. */
  answer?: string;
  expiresAtEpoch: number;
}

/** Which request a record is for. `caller` is the JWT `sub`. */
export interface RequestRef {
  route: string;
  caller: string;
  idempotencyKey: string;
}

const callerHash = (caller: string): string => createHash('sha256').update(caller).digest('hex');

export const requestRecordKey = (ref: RequestRef): Key => ({
  PK: `REQUEST#${ref.route}#${callerHash(ref.caller)}`,
  SK: `KEY#${ref.idempotencyKey}`,
});

export const REQUEST_CONDITIONS = {
  /** No record holds the key, or only one past its lifetime that TTL has not deleted yet. */
  keyFree: 'attribute_not_exists(PK) OR expiresAtEpoch < :nowEpoch',
  inProgress: '#status = :inProgress',
  leaseAsRead: '#status = :inProgress AND leaseUntil = :seenLease',
  ownedInProgress: '#status = :inProgress AND #owner = :owner',
} as const;

export const newRequestRecordItem = (
  ref: RequestRef,
  record: {
    requestHash: string;
    handle: string;
    at: string;
    owner: string;
    leaseUntil: number;
    expiresAtEpoch: number;
  },
): RequestRecordItem => ({
  ...requestRecordKey(ref),
  type: 'REQUEST',
  route: ref.route,
  idempotencyKey: ref.idempotencyKey,
  ...record,
  status: 'IN_PROGRESS',
});

const STATUS_NAMES = { '#status': 'status' };

export const requestRecordStore = (table: Table): RequestRecordStore => ({
  // A refused put names the record holding the key, so the caller decides without another read.
  putRequestRecord: async (item, nowEpoch) => {
    const result = await table.putIfOrExplain<RequestRecordItem>(item, {
      condition: REQUEST_CONDITIONS.keyFree,
      values: { ':nowEpoch': nowEpoch },
    });
    return 'written' in result ? { recorded: true } : result;
  },

  // Only one retry wins a lapsed lease: the lease it read is the guard.
  takeOverRequest: async (ref, lease) =>
    (await table.updateIf({
      Key: requestRecordKey(ref),
      UpdateExpression: 'SET #owner = :owner, leaseUntil = :leaseUntil',
      ConditionExpression: REQUEST_CONDITIONS.leaseAsRead,
      ExpressionAttributeNames: { ...STATUS_NAMES, '#owner': 'owner' },
      ExpressionAttributeValues: {
        ':inProgress': 'IN_PROGRESS',
        ':seenLease': lease.seenLease,
        ':owner': lease.owner,
        ':leaseUntil': lease.leaseUntil,
      },
    })) !== undefined,

  // Whichever run of the request finishes first keeps its answer; every run created under the same handle.
  completeRequest: async (ref, answer) =>
    (await table.updateIf({
      Key: requestRecordKey(ref),
      UpdateExpression: 'SET #status = :completed, answer = :answer',
      ConditionExpression: REQUEST_CONDITIONS.inProgress,
      ExpressionAttributeNames: STATUS_NAMES,
      ExpressionAttributeValues: {
        ':completed': 'COMPLETED',
        ':inProgress': 'IN_PROGRESS',
        ':answer': answer,
      },
    })) !== undefined,

  endRequestLease: async (ref, owner, nowMs) => {
    await table.updateIf({
      Key: requestRecordKey(ref),
      UpdateExpression: 'SET leaseUntil = :now',
      ConditionExpression: REQUEST_CONDITIONS.ownedInProgress,
      ExpressionAttributeNames: { ...STATUS_NAMES, '#owner': 'owner' },
      ExpressionAttributeValues: { ':inProgress': 'IN_PROGRESS', ':owner': owner, ':now': nowMs },
    });
  },

  forgetRequest: async (ref, owner) => {
    await table.deleteIf({
      Key: requestRecordKey(ref),
      ConditionExpression: REQUEST_CONDITIONS.ownedInProgress,
      ExpressionAttributeNames: { ...STATUS_NAMES, '#owner': 'owner' },
      ExpressionAttributeValues: { ':inProgress': 'IN_PROGRESS', ':owner': owner },
    });
  },
});
