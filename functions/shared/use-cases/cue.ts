import { auditItem } from '../data/audit.js';
import type { CueStamp, DealItem } from '../data/deal.js';
import { iso } from '../domain/clock.js';
import { effectiveStatus, RESTOCKABLE, startOvertakenByStreamEnd, transitionFor } from '../domain/deal.js';
import {
  CueNotYetApplicable,
  DealNotFound,
  Forbidden,
  InvalidTransition,
  StaleCue,
} from '../domain/errors.js';
import { SCOPES } from '../domain/roles.js';
import type { CueInput, DealView } from '../domain/schemas.js';
import { newUlid } from '../domain/ulid.js';
import { announce, statusEvent } from './announce.js';
import { actorOf, dealState, endRecord } from './audit-records.js';
import { type Context, nowIso } from './context.js';
import { idempotentRequest } from './idempotent-request.js';
import { viewOf } from './read-deals.js';
import { applyRestock, mirrorToShards } from './shard-sync.js';
import type { Actor } from './types.js';

/**
 * A host's cue (HTTP or the studio's event): start, pause, resume, end, restock or extend. The deal item is
 * the arbiter of each cue (applied once per cueId; status cues in time order), then its shards follow.
 */
export const cue = async (
  ctx: Context,
  dealId: string,
  input: CueInput & { at?: string },
  actor: Actor,
  origin?: { streamId: string },
): Promise<DealView> => {
  const deal = await ctx.store.getDeal(dealId);
  if (!deal) throw new DealNotFound(dealId);
  const isAdmin = actor.scopes.has(SCOPES.admin);
  if (!isAdmin && !(actor.scopes.has(SCOPES.host) && actor.sub === deal.hostId)) {
    throw new Forbidden('Only the deal’s host or an admin may cue it.');
  }
  if (origin && origin.streamId !== deal.streamId) {
    throw new Forbidden(`Deal ${dealId} does not belong to stream ${origin.streamId}.`);
  }
  // A cue from the HTTP route without a cueId is new by definition; its instant is now.
  const stamp: CueStamp = {
    id: input.cueId ?? newUlid(ctx.clock.now()),
    at: input.at === undefined ? nowIso(ctx) : iso(Date.parse(input.at)),
  };
  const updated =
    input.action === 'restock'
      ? await restock(ctx, deal, input.quantity ?? 0, stamp)
      : input.action === 'extend'
        ? await extend(ctx, deal, input.durationSeconds ?? 0, stamp)
        : await changeStatus(ctx, deal, input.action, { stamp, viaHttp: origin === undefined });
  // A status re-asserted (an end on an ended deal, a pause on a paused one) changed nothing and records nothing.
  if (updated.appliedCues?.[stamp.id] === undefined) return viewOf(ctx, updated);
  // A redelivered cue only rewrites a record a crash lost; the state before it is gone by then.
  const replayed = deal.appliedCues?.[stamp.id] !== undefined;
  await ctx.store.putAudit(
    auditItem({
      bucket: 'deal',
      dealId,
      recordId: `CUE#${stamp.id}`,
      // The instant the cue was applied at, as the deal keeps it: a retry from the HTTP route (no `at`)
      // stamps a new now, which would key a second record of the same cue.
      at: updated.appliedCues?.[stamp.id] ?? stamp.at,
      action: 'deal.cued',
      actor: actorOf(actor, origin === undefined ? undefined : 'studio'),
      cueId: stamp.id,
      before: replayed ? null : dealState(deal),
      after: {
        ...dealState(updated),
        action: input.action,
        ...(input.quantity === undefined ? {} : { quantity: input.quantity }),
        ...(input.durationSeconds === undefined ? {} : { durationSeconds: input.durationSeconds }),
      },
    }),
  );
  return viewOf(ctx, updated);
};

/**
 * Why a cue's conditional write was refused. A redelivered cue (its id already applied) changes nothing
 * and answers with the deal as it is, finishing what a crash may have left; a cue older than the last
 * one applied is stale; anything else is a transition the status machine does not allow.
 */
const refusedCue = async (
  ctx: Context,
  deal: DealItem,
  action: CueInput['action'],
  stamp: CueStamp,
  viaHttp = false,
): Promise<DealItem> => {
  const current = (await ctx.store.getDeal(deal.dealId)) ?? deal;
  if (current.appliedCues?.[stamp.id] !== undefined) {
    await mirrorToShards(ctx, current);
    // A start that found its stream already ended wrote the end too: rewrite its record if a crash lost it.
    if (
      action === 'start' &&
      current.endedBy === 'stream' &&
      startOvertakenByStreamEnd(current.streamEndedAt, stamp.at)
    )
      await ctx.store.putAudit(endRecord(current, null, nowIso(ctx)));
    const pending = current.pendingRestocks?.[stamp.id];
    if (pending !== undefined) await applyRestock(ctx, current, stamp.id, pending);
    return current;
  }
  const ordered = action !== 'restock' && action !== 'extend';
  if (ordered && current.lastCueAt !== undefined && current.lastCueAt > stamp.at) {
    throw new StaleCue(stamp.at, current.lastCueAt);
  }
  // Ending an ended deal (or, over HTTP, pausing a paused one) is the host's retry of a cue that may have died
  // half-way (a new request, so a new cue id): it re-asserts the status on every shard, so once it is answered
  // no shard grants a claim. On the bus a pause meeting a paused deal may have overtaken a resume, so it is
  // thrown back as before; nothing leaves ENDED, so an end may always re-assert.
  if (
    (action === 'end' && current.status === 'ENDED') ||
    (viaHttp && action === 'pause' && current.status === 'PAUSED')
  ) {
    await mirrorToShards(ctx, current);
    return current;
  }
  const status = effectiveStatus(current.status, current.endsAt, nowIso(ctx));
  const message = `Cannot ${action} a deal that is ${status}.`;
  // An ended deal stays ended; anything else may become possible once an earlier cue lands.
  if (status === 'ENDED') throw new InvalidTransition(message, { status, action });
  throw new CueNotYetApplicable(message, { status, action });
};

const extend = async (ctx: Context, deal: DealItem, seconds: number, stamp: CueStamp): Promise<DealItem> => {
  if (deal.endsAt === undefined) {
    if (deal.appliedCues?.[stamp.id] !== undefined) return deal;
    const message = 'Only a deal with a duration that has started can be extended.';
    const details = { status: effectiveStatus(deal.status, deal.endsAt, nowIso(ctx)), action: 'extend' };
    // On the bus an extend may overtake the start it follows: thrown back, it is retried after the start.
    if (deal.durationSeconds !== undefined && deal.status === 'SCHEDULED')
      throw new CueNotYetApplicable(message, details);
    throw new InvalidTransition(message, details);
  }
  const updated = await ctx.store.extendDeal(deal.dealId, {
    fromEndsAt: deal.endsAt,
    toEndsAt: iso(Date.parse(deal.endsAt) + seconds * 1000),
    nowIso: nowIso(ctx),
    cue: stamp,
  });
  if (!updated) return refusedCue(ctx, deal, 'extend', stamp);
  ctx.seam('cue.deal');
  await mirrorToShards(ctx, updated);
  ctx.facts.forget(deal.dealId);
  await announce(ctx, [
    {
      detailType: 'Deal Extended',
      detail: {
        dealId: deal.dealId,
        streamId: deal.streamId,
        at: nowIso(ctx),
        endsAt: updated.endsAt ?? '',
        cueId: stamp.id,
      },
    },
  ]);
  return updated;
};

/**
 * 1. move the deal's status (the arbiter of the transition)  2. mirror it onto every shard. Without a stamp
 * it is an end that no cue asked for (the stream went off air).
 */
export const changeStatus = async (
  ctx: Context,
  deal: DealItem,
  action: 'start' | 'pause' | 'resume' | 'end',
  how: { stamp?: CueStamp; endedBy?: 'stream'; viaHttp?: boolean } = {},
): Promise<DealItem> => {
  const { stamp, endedBy } = how;
  const now = ctx.clock.now();
  const nowText = iso(now);
  const transition = transitionFor(action);
  const starting = action === 'start';
  // A start overtaken by its stream's end (the cue's instant at or before it): started and ended at once.
  const overtaken =
    starting && stamp !== undefined && startOvertakenByStreamEnd(deal.streamEndedAt, stamp.at);
  const updated = await ctx.store.transitionDeal(deal.dealId, {
    from: transition.from,
    to: overtaken ? 'ENDED' : transition.to,
    nowIso: nowText,
    time: action === 'end' ? 'any' : 'whileRunning',
    ...(starting ? { startedAt: nowText } : {}),
    ...(starting && !overtaken && deal.durationSeconds !== undefined
      ? { endsAt: iso(now + deal.durationSeconds * 1000) }
      : {}),
    ...(stamp ? { cue: stamp } : {}),
    ...(starting && stamp ? { streamEnd: overtaken ? 'notBeforeCue' : 'beforeCue' } : {}),
    ...(overtaken ? { endedBy: 'stream' as const } : endedBy === undefined ? {} : { endedBy }),
  });
  if (!updated) {
    if (starting && stamp) {
      // A Stream End recorded meanwhile changes which start applies: decide again on the deal as it is.
      const current = await ctx.store.getDeal(deal.dealId);
      if (
        current?.status === 'SCHEDULED' &&
        current.streamEndedAt !== deal.streamEndedAt &&
        current.appliedCues?.[stamp.id] === undefined
      )
        return changeStatus(ctx, current, action, how);
    }
    if (stamp) return refusedCue(ctx, deal, action, stamp, how.viaHttp);
    const current = (await ctx.store.getDeal(deal.dealId)) ?? deal;
    const status = effectiveStatus(current.status, current.endsAt, nowText);
    throw new InvalidTransition(`Cannot ${action} a deal that is ${status}.`, { status, action });
  }
  ctx.seam('cue.deal');
  await mirrorToShards(ctx, updated);
  ctx.facts.forget(deal.dealId);
  if (overtaken) {
    // What the in-order run publishes and records: the start (LIVE), then the stream's end.
    await announce(ctx, [
      statusEvent(ctx, { ...updated, status: 'LIVE' }, 'start', stamp?.id),
      statusEvent(ctx, updated, 'end'),
    ]);
    await ctx.store.putAudit(endRecord(updated, null, nowIso(ctx)));
    return updated;
  }
  await announce(ctx, [statusEvent(ctx, updated, action, stamp?.id)]);
  return updated;
};

/** 1. record the restock on the deal  2. add each shard's share (once per restockId)  3. clear the record. */
const restock = async (
  ctx: Context,
  deal: DealItem,
  quantity: number,
  stamp: CueStamp,
): Promise<DealItem> => {
  const restockId = stamp.id;
  const accepted = await ctx.store.acceptRestock(deal.dealId, quantity, RESTOCKABLE, nowIso(ctx), stamp);
  if (!accepted) return refusedCue(ctx, deal, 'restock', stamp);
  ctx.seam('restock.deal');
  await applyRestock(ctx, accepted, restockId, quantity);
  const { [restockId]: _, ...pendingRestocks } = accepted.pendingRestocks;
  await announce(
    ctx,
    [
      {
        detailType: 'Deal Restocked',
        detail: {
          dealId: deal.dealId,
          streamId: deal.streamId,
          at: nowIso(ctx),
          quantity,
          cueId: stamp.id,
        },
      },
    ],
    [accepted],
  );
  return { ...accepted, pendingRestocks };
};

/** POST /deals/{id}/cues: without a cueId a keyed cue takes the request's handle as its cueId, so a re-run is the same cue. */
export const cueKeyed = (
  ctx: Context,
  dealId: string,
  input: CueInput,
  actor: Actor,
  idempotencyKey: string | undefined,
) =>
  idempotentRequest(
    ctx,
    { route: 'CUE_DEAL', caller: actor.sub, idempotencyKey, request: { path: { dealId }, body: input } },
    (handle) => cue(ctx, dealId, { ...input, cueId: input.cueId ?? handle.id }, actor),
  );
