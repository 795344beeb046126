import { describe, expect, it } from 'vitest';
import { type StreamLive, toLiveMetadata } from '../../../functions/shared/domain/stream-live.js';
import {
  announcementOf,
  LiveStore,
  metadataOfMessage,
  type OverlayDeal,
  parseMetadata,
  parseStreamLive,
} from '../../../lib/overlay/live-state.js';

/** What the overlay shows, merged from the full live state, its compact form and the legacy views. */

const DEAL = 'DEAL00000000000000000000A1';
const OTHER = 'DEAL00000000000000000000B2';

const live = (version: number, overrides: Partial<StreamLive['deals'][number]> = {}): StreamLive => ({
  streamId: 's-1',
  version,
  at: '2026-12-05T18:00:00.000Z',
  deals: [
    {
      dealId: DEAL,
      title: 'Puffer jacket',
      status: 'LIVE',
      currency: 'EUR',
      dealPrice: 6000,
      listPrice: 12000,
      priorLowestPrice: 8000,
      endsAt: '2026-12-05T18:05:00.000Z',
      available: 37,
      stock: 50,
      perViewerLimit: 1,
      ...overrides,
    },
  ],
});

describe('the full state', () => {
  it('is shown with every word and figure', () => {
    const store = new LiveStore('s-1');

    const applied = store.applyFull(live(3));

    expect(applied).toBe(true);
    expect(store.version).toBe(3);
    expect(store.deals).toStrictEqual([
      {
        dealId: DEAL,
        status: 'LIVE',
        currency: 'EUR',
        dealPrice: 6000,
        available: 37,
        stock: 50,
        perViewerLimit: 1,
        endsAt: Date.parse('2026-12-05T18:05:00.000Z'),
        title: 'Puffer jacket',
        listPrice: 12000,
        priorLowestPrice: 8000,
      },
    ]);
  });

  it('is ignored when its version is lower than the one shown, or it is another stream’s', () => {
    const store = new LiveStore('s-1');
    store.applyFull(live(5, { available: 10 }));

    expect(store.applyFull(live(4, { available: 30 }))).toBe(false);
    expect(store.applyFull({ ...live(9), streamId: 's-2' })).toBe(false);
    expect(store.deals[0]?.available).toBe(10);
  });

  it('reads a state from before the per-viewer limit was in it as the default limit of one', () => {
    const { perViewerLimit: _, ...older } = live(1).deals[0] as StreamLive['deals'][number];

    const parsed = parseStreamLive(JSON.stringify({ ...live(1), deals: [older] }));

    expect(parsed?.deals[0]?.perViewerLimit).toBe(1);
  });

  it('parses from JSON only when it is one', () => {
    expect(parseStreamLive(JSON.stringify(live(1)))?.version).toBe(1);
    expect(parseStreamLive('{"streamId":"s-1"}')).toBeUndefined();
    expect(parseStreamLive('not json')).toBeUndefined();
  });
});

describe('the compact payload (IVS timed metadata, SSE)', () => {
  it('decodes what the encoder writes', () => {
    const store = new LiveStore('s-1');

    const { applied, needsFull } = store.applyMetadata(toLiveMetadata(live(2)));

    expect({ applied, needsFull }).toStrictEqual({ applied: true, needsFull: false });
    expect(store.deals[0]).toMatchObject({ title: 'Puffer jacket', available: 37, listPrice: 12000 });
    expect(store.deals[0]?.endsAt).toBe(Date.parse('2026-12-05T18:05:00.000Z'));
  });

  it('carries a per-viewer limit above one, and leaves the default of one out to save bytes', () => {
    const store = new LiveStore('s-1');

    const two = toLiveMetadata(live(2, { perViewerLimit: 2 }));
    const one = toLiveMetadata(live(3));
    store.applyMetadata(two);
    const afterTwo = store.deals[0]?.perViewerLimit;
    store.applyMetadata(one);

    expect(two.d[0]?.n).toBe(2);
    expect(one.d[0]).not.toHaveProperty('n');
    expect(afterTwo).toBe(2);
    expect(store.deals[0]?.perViewerLimit).toBe(1);
  });

  it('keeps the words of the last full state when it carries figures only', () => {
    const store = new LiveStore('s-1');
    store.applyFull(live(1));

    const result = store.applyMetadata({
      v: 2,
      s: 's-1',
      d: [{ i: DEAL, s: 'P', a: 12, k: 50, p: 6000, c: 'EUR' }],
    });

    expect(result).toStrictEqual({ applied: true, needsFull: false });
    expect(store.deals[0]).toMatchObject({
      status: 'PAUSED',
      available: 12,
      title: 'Puffer jacket',
      listPrice: 12000,
    });
  });

  it('asks for the full state when a deal’s words are unknown or deals were left out', () => {
    const store = new LiveStore('s-1');
    store.applyFull(live(1));

    const unknown = store.applyMetadata({
      v: 2,
      s: 's-1',
      d: [{ i: OTHER, s: 'L', a: 5, k: 5, p: 100, c: 'EUR' }],
    });
    const leftOut = store.applyMetadata({ v: 3, s: 's-1', d: [], m: 1 });

    expect(unknown.needsFull).toBe(true);
    expect(leftOut.needsFull).toBe(true);
    // The deals left out stay as they were shown until the full state comes.
    expect(store.deals.map((deal) => deal.dealId)).toStrictEqual([OTHER]);
  });

  it('is ignored when older than what is shown, and a deal missing from it has ended', () => {
    const store = new LiveStore('s-1');
    store.applyFull(live(7, { available: 3 }));

    const older = store.applyMetadata({ v: 6, s: 's-1', d: [] });
    const newer = store.applyMetadata({ v: 8, s: 's-1', d: [] });

    expect(older.applied).toBe(false);
    expect(newer.applied).toBe(true);
    expect(store.deals).toStrictEqual([]);
  });

  it.each([
    ['the JSON text', (text: string) => text],
    ['the object', (text: string) => JSON.parse(text) as unknown],
    ['an IVS TextMetadataCue', (text: string) => ({ type: 'TextMetadataCue', startTime: 1, text })],
    ['a livedrop.metadata message', (text: string) => ({ type: 'livedrop.metadata', payload: text })],
  ])('comes by postMessage as %s', (_, wrap) => {
    const text = JSON.stringify(toLiveMetadata(live(4)));

    expect(metadataOfMessage(wrap(text))?.v).toBe(4);
  });

  it('refuses anything else', () => {
    expect(parseMetadata('{"v":-1,"s":"s-1","d":[]}')).toBeUndefined();
    expect(parseMetadata({ v: 1, s: 's-1', d: [{ i: DEAL, s: 'X' }] })).toBeUndefined();
    expect(metadataOfMessage({ text: 42 })).toBeUndefined();
    expect(metadataOfMessage(null)).toBeUndefined();
  });
});

describe('the legacy views (before GET /streams/{id}/live)', () => {
  it('shows live and paused deals with the stock from their figures, never below what is available', () => {
    const store = new LiveStore('s-1');
    const view = {
      dealId: DEAL,
      title: 'Jacket',
      available: 12,
      currency: 'EUR',
      dealPrice: 6000,
      listPrice: 12000,
    };

    store.applyLegacy(
      [
        { ...view, status: 'LIVE' },
        { ...view, dealId: OTHER, status: 'SCHEDULED' },
      ],
      new Map([[DEAL, 10]]),
    );

    expect(store.deals).toHaveLength(1);
    expect(store.deals[0]).toMatchObject({ dealId: DEAL, stock: 12, available: 12, title: 'Jacket' });
    expect(store.titleOf(DEAL)).toBe('Jacket');
  });
});

describe('what the live region says', () => {
  const deal = (available: number, status: OverlayDeal['status'] = 'LIVE'): OverlayDeal => ({
    dealId: DEAL,
    status,
    currency: 'EUR',
    dealPrice: 6000,
    available,
    perViewerLimit: 1,
    stock: 100,
  });

  it('says a new deal, a pause, a resume, sold out and the end', () => {
    expect(announcementOf(undefined, deal(100))).toBe('live');
    expect(announcementOf(deal(50), deal(50, 'PAUSED'))).toBe('paused');
    expect(announcementOf(deal(50, 'PAUSED'), deal(50))).toBe('resumed');
    expect(announcementOf(deal(3), deal(0))).toBe('soldOut');
    expect(announcementOf(deal(3), undefined)).toBe('ended');
  });

  it('says the stock only when it crosses a quarter or reaches a few units, not on every tick', () => {
    expect(announcementOf(deal(99), deal(98))).toBeUndefined();
    expect(announcementOf(deal(76), deal(74))).toBe('stock');
    expect(announcementOf(deal(60), deal(55))).toBeUndefined();
    expect(announcementOf(deal(11), deal(9))).toBe('stock');
    expect(announcementOf(deal(9), deal(8))).toBeUndefined();
    expect(announcementOf(deal(8), deal(18))).toBe('stock');
    expect(announcementOf(deal(5), deal(5))).toBeUndefined();
  });
});
