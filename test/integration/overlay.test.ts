import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminActor, dealInput, HOST_ID, liveDeal } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('overlay reads', () => {
  it('serve the compact live view, kept a second per container so a polling crowd costs a few reads', async () => {
    const engine = h.engine();
    const deal = await liveDeal(engine, { stock: 5, durationSeconds: 600 });
    const first = await engine.liveDeal(deal.dealId);
    await h.engine().claim(deal.dealId, 'viewer-1');
    const mark = h.sent.length;

    const cached = await Promise.all(Array.from({ length: 50 }, () => engine.liveDeal(deal.dealId)));
    const reads = h.sent.length - mark;
    h.clock.advance(1_000);
    const fresh = await engine.liveDeal(deal.dealId);

    expect(first).toEqual({
      dealId: deal.dealId,
      title: deal.title,
      status: 'LIVE',
      available: 5,
      currency: 'EUR',
      dealPrice: 6_000,
      listPrice: 12_000,
      endsAt: expect.any(String),
    });
    expect(reads).toBe(0);
    expect(cached.every((view) => view.available === 5)).toBe(true);
    expect(fresh.available).toBe(4);
  });

  it('list a stream’s current deals newest first, leaving out ended ones and other streams', async () => {
    const engine = h.engine();
    const older = await liveDeal(engine, { streamId: 'overlay-1' });
    h.clock.advance(5);
    const scheduled = await engine.createDeal(dealInput({ streamId: 'overlay-1' }), HOST_ID);
    const ended = await liveDeal(engine, { streamId: 'overlay-1' });
    await engine.cue(ended.dealId, { action: 'end' }, adminActor);
    await liveDeal(engine, { streamId: 'overlay-2' });
    h.clock.advance(1_000);

    const deals = await engine.streamDeals('overlay-1');

    expect(deals.map((view) => [view.dealId, view.status])).toEqual([
      [scheduled.dealId, 'SCHEDULED'],
      [older.dealId, 'LIVE'],
    ]);
  });
});
