import { createHash } from 'node:crypto';
import { newRequestRecordItem, type RequestRecordItem, type RequestRef } from '../data/request-record.js';
import { iso } from '../domain/clock.js';
import { DomainError, IdempotencyKeyReused, RequestInProgress, RequestUndone } from '../domain/errors.js';
import { newUlid } from '../domain/ulid.js';
import type { Context } from './context.js';
import type { Replayable } from './types.js';

/** How long a request record answers retries (TTL then deletes it); a key reused later is a new request. */
export const REQUEST_RECORD_LIFETIME_SECONDS = 24 * 60 * 60;
/** Rounds of put / read / take over before a request that keeps finding the key busy answers 409. */
const ROUNDS = 3;

/** What the use case creates under: an id allocated before it runs, and the request's instant. */
export interface RequestHandle {
  id: string;
  /** Epoch ms. */
  at: number;
}

export interface KeyedRequest {
  /** Names the route (fixed by the code, never caller-chosen): one key means one request per route. */
  route: string;
  /** The JWT `sub`: keys are per caller. */
  caller: string;
  idempotencyKey: string | undefined;
  /** What makes two requests the same: path parameters and the parsed body. */
  request: unknown;
}

/** JSON with every object's keys sorted, so the order a client wrote them in does not matter. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );

const requestHash = (request: unknown): string =>
  createHash('sha256').update(canonicalJson(request)).digest('hex');

/** A new id at the current instant: what a request without an Idempotency-Key creates under. */
export const freshHandle = (ctx: Context): RequestHandle => {
  const at = ctx.clock.now();
  return { id: newUlid(at), at };
};

/**
 * A POST that creates or changes something, with an optional Idempotency-Key (the IETF draft's contract): the
 * same caller, route, key and request get the first answer again; the same key with another request is
 * refused (422); while the first still runs the answer is 409 REQUEST_IN_PROGRESS. Crash-exact:
 *   1. put the record if the key is free: IN_PROGRESS, the request's hash, a lease, and the handle
 *   2. run the use case with that handle; it is idempotent on it (its items are put-if-absent under the handle)
 *   3. complete the record with the answer
 * A crash between 1 and 3 leaves the record IN_PROGRESS: once its lease passed, a retry re-runs the use case
 * with the recorded handle, which finishes what was half done and creates nothing twice, and completes it.
 * Only successful answers are kept. A refusal (a DomainError: nothing changed) or an undone attempt forgets
 * the record, so the caller may retry, even with a corrected request; any other failure may have left writes
 * behind, so it keeps the record and only ends the lease: the retry re-runs the same request at once.
 */
export const idempotentRequest = async <T>(
  ctx: Context,
  request: KeyedRequest,
  run: (handle: RequestHandle) => Promise<T>,
): Promise<Replayable<T>> => {
  const { idempotencyKey } = request;
  if (idempotencyKey === undefined) return { value: await run(freshHandle(ctx)), replayed: false };
  const ref: RequestRef = { route: request.route, caller: request.caller, idempotencyKey };
  const hash = requestHash(request.request);
  for (let round = 0; round < ROUNDS; round++) {
    const attempt = freshHandle(ctx);
    const put = await ctx.store.putRequestRecord(
      newRequestRecordItem(ref, {
        requestHash: hash,
        handle: attempt.id,
        at: iso(attempt.at),
        owner: attempt.id,
        leaseUntil: attempt.at + ctx.options.requestLeaseMs,
        expiresAtEpoch: Math.ceil(attempt.at / 1000) + REQUEST_RECORD_LIFETIME_SECONDS,
      }),
      Math.floor(attempt.at / 1000),
    );
    // The SDK repeats a put whose answer was lost, and its own first write refuses it: that record is ours.
    if (!('refused' in put) || put.refused?.owner === attempt.id) {
      ctx.seam('request.recorded');
      return runOwned(ctx, ref, attempt, attempt.id, run);
    }
    // DynamoDB hands back the record that refused the put; a store that does not cannot tell, so: busy.
    const held = put.refused;
    if (held === undefined) throw new RequestInProgress();
    const answer = replayOf<T>(ctx, held, hash);
    if (answer) return answer;
    const taken = await ctx.store.takeOverRequest(ref, {
      seenLease: held.leaseUntil,
      owner: attempt.id,
      leaseUntil: attempt.at + ctx.options.requestLeaseMs,
    });
    if (taken) {
      ctx.seam('request.taken-over');
      return runOwned(ctx, ref, { id: held.handle, at: Date.parse(held.at) }, attempt.id, run);
    }
  }
  throw new RequestInProgress();
};

/** What a record someone else holds answers: its replay, a refusal, or undefined when its lease has passed. */
const replayOf = <T>(ctx: Context, held: RequestRecordItem, hash: string): Replayable<T> | undefined => {
  if (held.requestHash !== hash) throw new IdempotencyKeyReused();
  if (held.status === 'COMPLETED') return { value: JSON.parse(held.answer ?? 'null') as T, replayed: true };
  if (held.leaseUntil > ctx.clock.now()) throw new RequestInProgress();
  return undefined;
};

const runOwned = async <T>(
  ctx: Context,
  ref: RequestRef,
  handle: RequestHandle,
  owner: string,
  run: (handle: RequestHandle) => Promise<T>,
): Promise<Replayable<T>> => {
  try {
    const value = await run(handle);
    // Refused only when another run of the same request (one that took over after our lease) completed it
    // first; it created under the same handle, so this answer is as good as the one it kept.
    await ctx.store.completeRequest(ref, JSON.stringify(value));
    ctx.seam('request.completed');
    return { value, replayed: false };
  } catch (error) {
    const nothingLeft = error instanceof DomainError || error instanceof RequestUndone;
    // Best effort: a record left IN_PROGRESS only makes retries wait for its lease.
    await (nothingLeft
      ? ctx.store.forgetRequest(ref, owner)
      : ctx.store.endRequestLease(ref, owner, ctx.clock.now())
    ).catch(() => undefined);
    throw error;
  }
};
