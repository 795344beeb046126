import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CueNotYetApplicable, DomainError } from '../../functions/shared/domain/errors.js';
import type { CueInput } from '../../functions/shared/domain/schemas.js';
import { dealInput, HOST_ID, hostActor } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

type Cue = CueInput & { cueId: string; at: string };

const at = (second: number) => `2026-11-26T20:00:${String(second).padStart(2, '0')}.000Z`;

/** What the studio sent, in this order: start, pause, resume, restock 5, pause again. */
const CUES: Cue[] = [
  { cueId: 'c1', at: at(1), action: 'start' },
  { cueId: 'c2', at: at(2), action: 'pause' },
  { cueId: 'c3', at: at(3), action: 'resume' },
  { cueId: 'c4', at: at(4), action: 'restock', quantity: 5 },
  { cueId: 'c5', at: at(5), action: 'pause' },
];

const permutations = <T>(items: T[]): T[][] =>
  items.length <= 1
    ? [items]
    : items.flatMap((item, i) =>
        permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
      );

/**
 * Delivers cues the way EventBridge + Lambda would: in the given order, each refusal that may be an
 * overtaken cue retried afterwards (Lambda retries an async invocation twice; we allow as many rounds as
 * there are cues), every other refusal dropped.
 */
const deliver = async (dealId: string, order: Cue[]) => {
  const engine = h.engine();
  const outcomes: string[] = [];
  let pending = order;
  for (let round = 0; round <= CUES.length && pending.length > 0; round++) {
    const retry: Cue[] = [];
    for (const cue of pending) {
      try {
        await engine.cue(dealId, cue, hostActor, { streamId: 'cue-stream' });
        outcomes.push(`${cue.cueId}:applied`);
      } catch (error) {
        if (error instanceof CueNotYetApplicable) retry.push(cue);
        else if (error instanceof DomainError) outcomes.push(`${cue.cueId}:${error.code}`);
        else throw error;
      }
    }
    pending = retry;
  }
  return outcomes;
};

describe('cues from the bus', () => {
  it('applies a redelivered cue once: the same cueId restocks once however often it arrives', async () => {
    const engine = h.engine();
    const deal = await engine.createDeal(dealInput({ stock: 10, streamId: 'cue-stream' }), HOST_ID);
    await engine.cue(deal.dealId, { cueId: 's', at: at(1), action: 'start' }, hostActor);
    const restock = { cueId: 'r', at: at(2), action: 'restock' as const, quantity: 5 };

    const answers = await Promise.all([1, 2, 3].map(() => engine.cue(deal.dealId, restock, hostActor)));

    expect(answers.every((answer) => answer.stock === 15)).toBe(true);
    expect((await engine.getDeal(deal.dealId)).stock).toBe(15);
  });

  it('refuses a cue older than the last one applied, and any cue after the deal ended', async () => {
    const engine = h.engine();
    const deal = await engine.createDeal(dealInput({ streamId: 'cue-stream' }), HOST_ID);
    await engine.cue(deal.dealId, { cueId: 'a', at: at(5), action: 'start' }, hostActor);

    await expect(
      engine.cue(deal.dealId, { cueId: 'b', at: at(4), action: 'pause' }, hostActor),
    ).rejects.toMatchObject({ code: 'STALE_CUE' });
    await engine.cue(deal.dealId, { cueId: 'c', at: at(6), action: 'end' }, hostActor);
    await expect(
      engine.cue(deal.dealId, { cueId: 'd', at: at(7), action: 'resume' }, hostActor),
    ).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    expect((await engine.getDeal(deal.dealId)).status).toBe('ENDED');
  });

  it('converges to the in-order state whatever the order and duplication of deliveries', async () => {
    const engine = h.engine();
    const orders = permutations(CUES).map((order, i) => [...order, order[i % order.length] as Cue]);
    const finals = new Set<string>();

    for (const order of orders) {
      const deal = await engine.createDeal(dealInput({ stock: 10, streamId: 'cue-stream' }), HOST_ID);
      await deliver(deal.dealId, order);
      const after = await engine.getDeal(deal.dealId);
      finals.add(JSON.stringify({ status: after.status, stock: after.stock }));
    }

    expect(orders).toHaveLength(120);
    expect([...finals]).toEqual([JSON.stringify({ status: 'PAUSED', stock: 15 })]);
  });

  it('extends a running deal with a duration once per cue', async () => {
    const engine = h.engine();
    const deal = await engine.createDeal(dealInput({ streamId: 'cue-stream', durationSeconds: 60 }), HOST_ID);
    const started = await engine.cue(deal.dealId, { cueId: 's', at: at(1), action: 'start' }, hostActor);
    const extend = { cueId: 'x', at: at(2), action: 'extend' as const, durationSeconds: 30 };

    const extended = await engine.cue(deal.dealId, extend, hostActor);
    const again = await engine.cue(deal.dealId, extend, hostActor);

    expect(Date.parse(extended.endsAt ?? '') - Date.parse(started.endsAt ?? '')).toBe(30_000);
    expect(again.endsAt).toBe(extended.endsAt);
    h.clock.advance(60_000);
    await expect(engine.claim(deal.dealId, 'in-extra-time')).resolves.toMatchObject({ replayed: false });
  });
});
