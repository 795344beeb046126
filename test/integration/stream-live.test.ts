import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminActor, liveDeal } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('the public live state of a stream', () => {
  it('shows the LIVE and PAUSED deals with their figures and nothing personal', async () => {
    const engine = h.engine();
    const live = await liveDeal(engine, { streamId: 'sl-1', stock: 5 });
    h.clock.advance(5);
    const paused = await liveDeal(engine, { streamId: 'sl-1', stock: 3 });
    await engine.cue(paused.dealId, { action: 'pause' }, adminActor);
    h.clock.advance(5);
    const ended = await liveDeal(engine, { streamId: 'sl-1' });
    await engine.cue(ended.dealId, { action: 'end' }, adminActor);
    await engine.claim(live.dealId, 'viewer-secret-1');

    const state = await h.engine().streamLive('sl-1');

    expect(state.streamId).toBe('sl-1');
    expect(state.deals.map((deal) => [deal.dealId, deal.status])).toEqual([
      [paused.dealId, 'PAUSED'],
      [live.dealId, 'LIVE'],
    ]);
    expect(state.deals[1]).toMatchObject({ available: 4, stock: 5, dealPrice: 6_000, listPrice: 12_000 });
    expect(JSON.stringify(state)).not.toContain('viewer-secret-1');
    expect(JSON.stringify(state)).not.toContain('hostId');
  });

  it('grows its version with a claim and a cue, and never lowers it when a deal ends', async () => {
    const engine = h.engine();
    const deal = await liveDeal(engine, { streamId: 'sl-2', stock: 5 });
    const before = await h.engine().streamLive('sl-2');

    await engine.claim(deal.dealId, 'viewer-1');
    const claimed = await h.engine().streamLive('sl-2');
    await engine.cue(deal.dealId, { action: 'end' }, adminActor);
    const ended = await h.engine().streamLive('sl-2');

    expect(claimed.version).toBeGreaterThan(before.version);
    expect(ended.version).toBeGreaterThan(claimed.version);
    expect(ended.deals).toEqual([]);
  });

  it('reads the store at most once a second per container, however many requests arrive', async () => {
    const engine = h.engine();
    const deal = await liveDeal(engine, { streamId: 'sl-3', stock: 5 });
    const reader = h.engine();
    await reader.streamLive('sl-3');
    await engine.claim(deal.dealId, 'viewer-1');
    const mark = h.sent.length;

    const cached = await Promise.all(Array.from({ length: 200 }, () => reader.streamLive('sl-3')));
    const cachedReads = h.sent.length - mark;
    h.clock.advance(1_000);
    const refreshed = await Promise.all(Array.from({ length: 200 }, () => reader.streamLive('sl-3')));
    const refreshReads = h.sent.length - mark;

    expect(cachedReads).toBe(0);
    expect(cached.every((state) => state.deals[0]?.available === 5)).toBe(true);
    // One Query and two BatchGets for the 200 requests together.
    expect(refreshReads).toBe(3);
    expect(refreshed.every((state) => state.deals[0]?.available === 4)).toBe(true);
  });

  it('reads again when asked for a state no older than a change', async () => {
    const engine = h.engine();
    const deal = await liveDeal(engine, { streamId: 'sl-4', stock: 5 });
    const reader = h.engine();
    const first = await reader.streamLive('sl-4');
    await engine.claim(deal.dealId, 'viewer-1');

    const fresh = await reader.streamLive('sl-4', h.clock.now());

    expect(fresh.version).toBeGreaterThan(first.version);
    expect(fresh.deals[0]?.available).toBe(4);
  });
});
