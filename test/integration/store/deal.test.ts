/**
 * Deals on the embedded store: status moves, cues, restocks, extensions, a stream's end, the sweep's work
 * list, IVS channel links and the lists of deals. Every refusal is checked against the deal as stored.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DealItem } from '../../../functions/shared/data/deal.js';
import { type Harness, startHarness } from '../../support/harness.js';
import { at, dealItem, freshId, LATER, MINUTE, NOW, padding } from '../../support/store-items.js';

let harness: Harness;
let store: Harness['store'];
beforeAll(async () => {
  harness = await startHarness();
  store = harness.store;
});
afterAll(async () => {
  await harness.close();
});

/** Prepares a deal in the table; `never` names optional attributes it never had (e.g. no endsAt). */
const storedDeal = async (overrides: Partial<DealItem> = {}, ...never: (keyof DealItem)[]) => {
  const built: Partial<DealItem> = dealItem(overrides);
  for (const name of never) delete built[name];
  const deal = built as DealItem;
  expect(await store.putDeal(deal)).toBe(true);
  return deal;
};

/** Queries sent so far (a read that pages sends several). */
const queries = () => harness.sent.filter((command) => command === 'QueryCommand').length;

const reread = (deal: DealItem) => store.getDeal(deal.dealId);

const EARLIER_CUE = at(-5 * MINUTE);
const pause = { from: ['LIVE'] as const, to: 'PAUSED' as const, nowIso: NOW };

describe('putDeal and getDeal', () => {
  it('writes a new deal and reads it back as written, also eventually consistent', async () => {
    const deal = dealItem();

    const written = await store.putDeal(deal);

    expect(written).toBe(true);
    expect(await store.getDeal(deal.dealId)).toEqual(deal);
    expect(await store.getDeal(deal.dealId, false)).toEqual(deal);
  });

  it('refuses a second deal at the same key and leaves the first untouched', async () => {
    const first = await storedDeal({ title: 'first' });

    const written = await store.putDeal({ ...first, title: 'second', status: 'ENDED' });

    expect(written).toBe(false);
    expect(await reread(first)).toEqual(first);
  });

  it('reads nothing for a deal that does not exist', async () => {
    expect(await store.getDeal(freshId('deal'))).toBeUndefined();
  });
});

describe('transitionDeal: statuses and times', () => {
  it('moves a deal in a from-status to the new status, bumping configVersion, and answers the deal after', async () => {
    const deal = await storedDeal({ status: 'LIVE', configVersion: 3 });

    const moved = await store.transitionDeal(deal.dealId, { ...pause, time: 'any' });

    expect(moved).toEqual({ ...deal, status: 'PAUSED', configVersion: 4 });
    expect(await reread(deal)).toEqual(moved);
  });

  it('sets startedAt and endsAt when given', async () => {
    const deal = await storedDeal({ status: 'SCHEDULED' }, 'startedAt', 'endsAt');

    const moved = await store.transitionDeal(deal.dealId, {
      from: ['SCHEDULED'],
      to: 'LIVE',
      nowIso: NOW,
      time: 'any',
      startedAt: NOW,
      endsAt: LATER,
    });

    expect(moved).toMatchObject({ status: 'LIVE', startedAt: NOW, endsAt: LATER });
  });

  it('accepts any of several from-statuses', async () => {
    const deal = await storedDeal({ status: 'PAUSED', endsAt: at(-MINUTE) });

    const moved = await store.transitionDeal(deal.dealId, {
      from: ['LIVE', 'PAUSED'],
      to: 'ENDED',
      nowIso: NOW,
      time: 'onlyIfEndedByTime',
    });

    expect(moved?.status).toBe('ENDED');
  });

  it('records endedAt and who ended the deal when moving it to ENDED', async () => {
    const deal = await storedDeal({ status: 'LIVE' });

    const moved = await store.transitionDeal(deal.dealId, {
      from: ['LIVE'],
      to: 'ENDED',
      nowIso: NOW,
      time: 'any',
      endedBy: 'stream',
    });

    expect(moved).toMatchObject({ status: 'ENDED', endedAt: NOW, endedBy: 'stream' });
  });

  it('refuses a deal in none of the from-statuses and leaves it as it was', async () => {
    const deal = await storedDeal({ status: 'ENDED' });

    const moved = await store.transitionDeal(deal.dealId, {
      from: ['LIVE', 'PAUSED'],
      to: 'PAUSED',
      nowIso: NOW,
      time: 'any',
    });

    expect(moved).toBeUndefined();
    expect(await reread(deal)).toEqual(deal);
  });

  it('refuses a deal that does not exist and creates nothing', async () => {
    const dealId = freshId('deal');

    const moved = await store.transitionDeal(dealId, { ...pause, time: 'any' });

    expect(moved).toBeUndefined();
    expect(await store.getDeal(dealId)).toBeUndefined();
  });

  it('whileRunning: moves a deal whose endsAt is still ahead', async () => {
    const deal = await storedDeal({ endsAt: at(1) });

    expect(await store.transitionDeal(deal.dealId, { ...pause, time: 'whileRunning' })).toBeDefined();
  });

  it('whileRunning: moves a deal without endsAt', async () => {
    const deal = await storedDeal({}, 'endsAt');

    expect(await store.transitionDeal(deal.dealId, { ...pause, time: 'whileRunning' })).toBeDefined();
  });

  it.each([
    ['exactly at endsAt', NOW],
    ['past endsAt', at(-MINUTE)],
  ])('whileRunning: refuses %s and leaves the deal as it was', async (_when, endsAt) => {
    const deal = await storedDeal({ endsAt });

    const moved = await store.transitionDeal(deal.dealId, { ...pause, time: 'whileRunning' });

    expect(moved).toBeUndefined();
    expect(await reread(deal)).toEqual(deal);
  });

  it.each([
    ['exactly at endsAt', NOW],
    ['past endsAt', at(-MINUTE)],
  ])('onlyIfEndedByTime: ends a deal %s', async (_when, endsAt) => {
    const deal = await storedDeal({ endsAt });

    const ended = await store.transitionDeal(deal.dealId, {
      from: ['LIVE'],
      to: 'ENDED',
      nowIso: NOW,
      time: 'onlyIfEndedByTime',
      endedBy: 'time',
    });

    expect(ended).toMatchObject({ status: 'ENDED', endedAt: NOW, endedBy: 'time' });
  });

  it.each([
    ['whose endsAt is a millisecond ahead', { endsAt: at(1) }, []],
    ['without endsAt', {}, ['endsAt']],
  ] as const)(
    'onlyIfEndedByTime: refuses a deal %s and leaves it as it was',
    async (_which, overrides, never) => {
      const deal = await storedDeal(overrides, ...never);

      const ended = await store.transitionDeal(deal.dealId, {
        from: ['LIVE'],
        to: 'ENDED',
        nowIso: NOW,
        time: 'onlyIfEndedByTime',
      });

      expect(ended).toBeUndefined();
      expect(await reread(deal)).toEqual(deal);
    },
  );

  it('any: moves a deal whatever its endsAt', async () => {
    const deal = await storedDeal({ endsAt: at(-MINUTE) });

    expect(await store.transitionDeal(deal.dealId, { ...pause, time: 'any' })).toBeDefined();
  });
});

describe('transitionDeal: cues', () => {
  it('records the cue’s instant under its id and as the last cue applied', async () => {
    const deal = await storedDeal({ appliedCues: { 'cue-0': EARLIER_CUE } });

    const moved = await store.transitionDeal(deal.dealId, {
      ...pause,
      time: 'any',
      cue: { id: 'cue-1', at: NOW },
    });

    expect(moved).toMatchObject({ appliedCues: { 'cue-0': EARLIER_CUE, 'cue-1': NOW }, lastCueAt: NOW });
  });

  it('applies a cue id once: a redelivery is refused even where the status would allow it', async () => {
    const deal = await storedDeal({ status: 'LIVE' });
    const cue = { id: 'cue-1', at: NOW };
    await store.transitionDeal(deal.dealId, { ...pause, time: 'any', cue });
    const once = await reread(deal);

    const again = await store.transitionDeal(deal.dealId, {
      from: ['PAUSED'],
      to: 'LIVE',
      nowIso: at(MINUTE),
      time: 'any',
      cue,
    });

    expect(again).toBeUndefined();
    expect(await reread(deal)).toEqual(once);
  });

  it('refuses a cue older than the last one applied (stale), leaving the deal as it was', async () => {
    const deal = await storedDeal({ status: 'PAUSED', lastCueAt: NOW, appliedCues: { 'cue-1': NOW } });

    const moved = await store.transitionDeal(deal.dealId, {
      from: ['PAUSED'],
      to: 'LIVE',
      nowIso: NOW,
      time: 'any',
      cue: { id: 'cue-0', at: at(-1) },
    });

    expect(moved).toBeUndefined();
    expect(await reread(deal)).toEqual(deal);
  });

  it('applies another cue from the same instant as the last one', async () => {
    const deal = await storedDeal({ status: 'PAUSED', lastCueAt: NOW, appliedCues: { 'cue-1': NOW } });

    const moved = await store.transitionDeal(deal.dealId, {
      from: ['PAUSED'],
      to: 'LIVE',
      nowIso: NOW,
      time: 'any',
      cue: { id: 'cue-2', at: NOW },
    });

    expect(moved).toMatchObject({ status: 'LIVE', lastCueAt: NOW });
  });
});

describe('transitionDeal: a start cue and its stream’s recorded end', () => {
  const scheduled = (streamEndedAt?: string) =>
    storedDeal(
      { status: 'SCHEDULED', ...(streamEndedAt === undefined ? {} : { streamEndedAt }) },
      'startedAt',
      'endsAt',
    );
  const start = (dealId: string) =>
    store.transitionDeal(dealId, {
      from: ['SCHEDULED'],
      to: 'LIVE',
      nowIso: NOW,
      time: 'any',
      startedAt: NOW,
      cue: { id: freshId('cue'), at: NOW },
      streamEnd: 'beforeCue',
    });
  const startOvertaken = (dealId: string) =>
    store.transitionDeal(dealId, {
      from: ['SCHEDULED'],
      to: 'ENDED',
      nowIso: NOW,
      time: 'any',
      startedAt: NOW,
      cue: { id: freshId('cue'), at: NOW },
      endedBy: 'stream',
      streamEnd: 'notBeforeCue',
    });

  it.each([
    ['no Stream End recorded', undefined],
    ['a Stream End recorded before the cue', at(-1)],
  ])('a normal start goes LIVE with %s', async (_with, streamEndedAt) => {
    const deal = await scheduled(streamEndedAt);

    expect(await start(deal.dealId)).toMatchObject({ status: 'LIVE' });
  });

  it.each([
    ['at', NOW],
    ['after', at(1)],
  ])('a normal start is refused when a Stream End is recorded %s the cue’s instant', async (_w, ended) => {
    const deal = await scheduled(ended);

    expect(await start(deal.dealId)).toBeUndefined();
    expect(await reread(deal)).toEqual(deal);
  });

  it.each([
    ['at', NOW],
    ['after', at(1)],
  ])(
    'an overtaken start ends the deal by its stream when the end is recorded %s the cue',
    async (_w, ended) => {
      const deal = await scheduled(ended);

      expect(await startOvertaken(deal.dealId)).toMatchObject({ status: 'ENDED', endedBy: 'stream' });
    },
  );

  it.each([
    ['no Stream End recorded', undefined],
    ['a Stream End recorded before the cue', at(-1)],
  ])('an overtaken start is refused with %s', async (_with, streamEndedAt) => {
    const deal = await scheduled(streamEndedAt);

    expect(await startOvertaken(deal.dealId)).toBeUndefined();
    expect(await reread(deal)).toEqual(deal);
  });
});

describe('markStreamEnded', () => {
  it('records the Stream End on a SCHEDULED deal', async () => {
    const deal = await storedDeal({ status: 'SCHEDULED' });

    const marked = await store.markStreamEnded(deal.dealId, NOW);

    expect(marked).toBe(true);
    expect(await reread(deal)).toEqual({ ...deal, streamEndedAt: NOW });
  });

  it('moves a recorded end forward to a later one', async () => {
    const deal = await storedDeal({ status: 'SCHEDULED', streamEndedAt: EARLIER_CUE });

    expect(await store.markStreamEnded(deal.dealId, NOW)).toBe(true);
    expect((await reread(deal))?.streamEndedAt).toBe(NOW);
  });

  it.each([
    ['the same end', NOW],
    ['an earlier end', at(-1)],
  ])('refuses %s and keeps the recorded one', async (_which, streamEndedAt) => {
    const deal = await storedDeal({ status: 'SCHEDULED', streamEndedAt: NOW });

    expect(await store.markStreamEnded(deal.dealId, streamEndedAt)).toBe(false);
    expect(await reread(deal)).toEqual(deal);
  });

  it('refuses a deal that is no longer SCHEDULED', async () => {
    const deal = await storedDeal({ status: 'LIVE' });

    expect(await store.markStreamEnded(deal.dealId, NOW)).toBe(false);
    expect(await reread(deal)).toEqual(deal);
  });

  it('refuses a deal that does not exist and creates nothing', async () => {
    const dealId = freshId('deal');

    expect(await store.markStreamEnded(dealId, NOW)).toBe(false);
    expect(await store.getDeal(dealId)).toBeUndefined();
  });
});

describe('acceptRestock and finishRestock', () => {
  const cue = (id = freshId('restock'), cueAt = NOW) => ({ id, at: cueAt });

  it('records the restock as pending under its cue id and the cue as applied, answering the deal after', async () => {
    const deal = await storedDeal({ pendingRestocks: { 'restock-0': 5 } });

    const accepted = await store.acceptRestock(deal.dealId, 40, ['LIVE', 'PAUSED'], NOW, cue('restock-1'));

    expect(accepted).toEqual({
      ...deal,
      pendingRestocks: { 'restock-0': 5, 'restock-1': 40 },
      appliedCues: { 'restock-1': NOW },
    });
    expect(await reread(deal)).toEqual(accepted);
  });

  it('accepts a restock once per cue id', async () => {
    const deal = await storedDeal();
    const restock = cue();
    await store.acceptRestock(deal.dealId, 40, ['LIVE'], NOW, restock);
    const once = await reread(deal);

    const again = await store.acceptRestock(deal.dealId, 99, ['LIVE'], NOW, restock);

    expect(again).toBeUndefined();
    expect(await reread(deal)).toEqual(once);
  });

  it('accepts a restock cue older than the last status cue (restocks commute)', async () => {
    const deal = await storedDeal({ lastCueAt: NOW, appliedCues: { 'cue-1': NOW } });

    const accepted = await store.acceptRestock(deal.dealId, 40, ['LIVE'], NOW, cue('restock-1', EARLIER_CUE));

    expect(accepted?.pendingRestocks).toEqual({ 'restock-1': 40 });
    expect(accepted?.lastCueAt).toBe(NOW);
  });

  it('refuses a deal in none of the from-statuses', async () => {
    const deal = await storedDeal({ status: 'ENDED' });

    expect(await store.acceptRestock(deal.dealId, 40, ['LIVE', 'PAUSED'], NOW, cue())).toBeUndefined();
    expect(await reread(deal)).toEqual(deal);
  });

  it.each([
    ['exactly at endsAt', NOW],
    ['past endsAt', at(-MINUTE)],
  ])('refuses a deal %s', async (_when, endsAt) => {
    const deal = await storedDeal({ endsAt });

    expect(await store.acceptRestock(deal.dealId, 40, ['LIVE'], NOW, cue())).toBeUndefined();
    expect(await reread(deal)).toEqual(deal);
  });

  it('accepts on a deal without endsAt', async () => {
    const deal = await storedDeal({}, 'endsAt');

    expect(await store.acceptRestock(deal.dealId, 40, ['LIVE'], NOW, cue())).toBeDefined();
  });

  it('finishRestock forgets one pending restock and keeps the others', async () => {
    const deal = await storedDeal({ pendingRestocks: { 'restock-1': 5, 'restock-2': 7 } });

    await store.finishRestock(deal.dealId, 'restock-1');

    expect((await reread(deal))?.pendingRestocks).toEqual({ 'restock-2': 7 });
  });

  it('finishRestock throws for a deal that does not exist and creates nothing', async () => {
    const dealId = freshId('deal');

    await expect(store.finishRestock(dealId, 'restock-1')).rejects.toThrow();
    expect(await store.getDeal(dealId)).toBeUndefined();
  });
});

describe('extendDeal', () => {
  const extend = (deal: DealItem, overrides: Partial<Parameters<Harness['store']['extendDeal']>[1]> = {}) =>
    store.extendDeal(deal.dealId, {
      fromEndsAt: LATER,
      toEndsAt: at(20 * MINUTE),
      nowIso: NOW,
      cue: { id: freshId('cue'), at: NOW },
      ...overrides,
    });

  it.each(['LIVE', 'PAUSED'] as const)(
    'pushes endsAt of a %s deal, bumping configVersion and recording the cue',
    async (status) => {
      const deal = await storedDeal({ status, endsAt: LATER, configVersion: 3 });

      const extended = await extend(deal, { cue: { id: 'cue-9', at: NOW } });

      expect(extended).toEqual({
        ...deal,
        endsAt: at(20 * MINUTE),
        configVersion: 4,
        appliedCues: { 'cue-9': NOW },
      });
      expect(await reread(deal)).toEqual(extended);
    },
  );

  it('refuses when endsAt is no longer the one read', async () => {
    const deal = await storedDeal({ endsAt: at(15 * MINUTE) });

    expect(await extend(deal)).toBeUndefined();
    expect(await reread(deal)).toEqual(deal);
  });

  it.each(['SCHEDULED', 'ENDED'] as const)('refuses a %s deal', async (status) => {
    const deal = await storedDeal({ status, endsAt: LATER });

    expect(await extend(deal)).toBeUndefined();
    expect(await reread(deal)).toEqual(deal);
  });

  it('refuses a deal whose endsAt has come (it has run out)', async () => {
    const deal = await storedDeal({ endsAt: NOW });

    expect(await extend(deal, { fromEndsAt: NOW })).toBeUndefined();
    expect(await reread(deal)).toEqual(deal);
  });

  it('extends once per cue id', async () => {
    const deal = await storedDeal({ endsAt: LATER });
    const cue = { id: 'cue-1', at: NOW };
    await extend(deal, { cue, toEndsAt: at(20 * MINUTE) });
    const once = await reread(deal);

    const again = await extend(deal, { cue, fromEndsAt: at(20 * MINUTE), toEndsAt: at(30 * MINUTE) });

    expect(again).toBeUndefined();
    expect(await reread(deal)).toEqual(once);
  });

  it('accepts an extend cue older than the last status cue (extensions commute)', async () => {
    const deal = await storedDeal({ endsAt: LATER, lastCueAt: NOW, appliedCues: { 'cue-1': NOW } });

    const extended = await extend(deal, { cue: { id: 'cue-0', at: EARLIER_CUE } });

    expect(extended?.endsAt).toBe(at(20 * MINUTE));
    expect(extended?.lastCueAt).toBe(NOW);
  });
});

describe('the sweep’s work list', () => {
  it('markSweepWork puts the deal on the list and bumps its epoch', async () => {
    const deal = await storedDeal({ sweepEpoch: 2 });

    await store.markSweepWork(deal.dealId);

    expect(await store.listSweepDeals()).toContain(deal.dealId);
    expect((await reread(deal))?.sweepEpoch).toBe(3);
  });

  it('settleDeal takes the deal off the list when the epoch is the one read', async () => {
    const deal = await storedDeal();
    await store.markSweepWork(deal.dealId);
    const epoch = (await reread(deal))?.sweepEpoch ?? -1;

    const settled = await store.settleDeal(deal.dealId, epoch);

    expect(settled).toBe(true);
    expect(await store.listSweepDeals()).not.toContain(deal.dealId);
  });

  it('settleDeal loses to work marked after the epoch was read: the deal stays on the list', async () => {
    const deal = await storedDeal();
    await store.markSweepWork(deal.dealId);
    const epoch = (await reread(deal))?.sweepEpoch ?? -1;
    await store.markSweepWork(deal.dealId);

    const settled = await store.settleDeal(deal.dealId, epoch);

    expect(settled).toBe(false);
    expect(await store.listSweepDeals()).toContain(deal.dealId);
  });

  it('settleDeal on a deal that does not exist is refused and creates nothing', async () => {
    const dealId = freshId('deal');

    expect(await store.settleDeal(dealId, 0)).toBe(false);
    expect(await store.getDeal(dealId)).toBeUndefined();
  });

  it('markSettleCandidate records the epoch and time on the deal', async () => {
    const deal = await storedDeal({ sweepEpoch: 4 });

    await store.markSettleCandidate(deal.dealId, 4, 1_000);

    expect((await reread(deal))?.settleCandidate).toEqual({ epoch: 4, at: 1_000 });
  });

  it.each([
    ['markSweepWork', (dealId: string) => store.markSweepWork(dealId)],
    ['markSettleCandidate', (dealId: string) => store.markSettleCandidate(dealId, 1, 1)],
  ])('%s throws for a deal that does not exist and creates nothing', async (_name, call) => {
    const dealId = freshId('deal');

    await expect(call(dealId)).rejects.toThrow();
    expect(await store.getDeal(dealId)).toBeUndefined();
  });
});

describe('IVS channel links', () => {
  it('lists the deals linked to a channel, and only that channel’s', async () => {
    const channel = freshId('arn:aws:ivs:eu-central-1:123456789012:channel/');
    await store.putChannelDeal(channel, 'deal-a');
    await store.putChannelDeal(channel, 'deal-b');
    await store.putChannelDeal(freshId('other-channel'), 'deal-c');

    expect(await store.listChannelDeals(channel)).toEqual(['deal-a', 'deal-b']);
  });

  it('treats a link written again (a retried create) as done', async () => {
    const channel = freshId('channel');
    await store.putChannelDeal(channel, 'deal-a');

    await expect(store.putChannelDeal(channel, 'deal-a')).resolves.toBeUndefined();
    expect(await store.listChannelDeals(channel)).toEqual(['deal-a']);
  });

  it('lists nothing for a channel without deals', async () => {
    expect(await store.listChannelDeals(freshId('channel'))).toEqual([]);
  });
});

describe('lists of deals', () => {
  it('lists the deals of a stream, and only that stream’s', async () => {
    const streamId = freshId('stream');
    const a = await storedDeal({ streamId });
    const b = await storedDeal({ streamId });
    await storedDeal({ streamId: freshId('stream') });

    expect((await store.listStreamDeals(streamId)).sort()).toEqual([a.dealId, b.dealId].sort());
  });

  it('lists every deal of a stream even when they fill more than one result page', async () => {
    const streamId = freshId('stream');
    const big = padding(300_000);
    const deals = [];
    for (let i = 0; i < 5; i++) deals.push(await storedDeal({ streamId, title: big }));

    const queriesBefore = queries();
    const listed = await store.listStreamDeals(streamId);

    expect(queries() - queriesBefore).toBeGreaterThan(1);
    expect(listed.sort()).toEqual(deals.map((deal) => deal.dealId).sort());
  });

  it('lists only the deals on the sweep’s work list', async () => {
    const marked = await storedDeal();
    const unmarked = await storedDeal();
    await store.markSweepWork(marked.dealId);

    const listed = await store.listSweepDeals();

    expect(listed).toContain(marked.dealId);
    expect(listed).not.toContain(unmarked.dealId);
  });
});
