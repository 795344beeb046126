/**
 * The local live events on a fake clock: when a stream is read again after a change, and that one read serves
 * every listener. Responses are stand-ins that record what was written to them.
 */
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StreamLive } from '../../../functions/shared/domain/stream-live.js';
import type { BusEvent } from '../../../lib/local/bus.js';
import { LiveEvents, type StreamLiveReader } from '../../../lib/local/live-events.js';

const START = new Date('2026-12-05T20:00:00.000Z');

class RecordingResponse extends EventEmitter {
  readonly written: string[] = [];
  readonly writableLength = 0;
  writeHead(): this {
    return this;
  }
  write(chunk: string | Buffer): boolean {
    this.written.push(String(chunk));
    return true;
  }
  end(): void {
    this.emit('close');
  }
  destroy(): void {
    this.emit('close');
  }
  /** The ids of the events written so far. */
  get ids(): number[] {
    return this.written.flatMap((chunk) => [...chunk.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1])));
  }
}

const claimed = (streamId: string): BusEvent => ({
  version: '0',
  id: 'e-1',
  'detail-type': 'Coupon Claimed',
  source: 'livedrop',
  account: '000000000000',
  time: START.toISOString(),
  region: 'local',
  resources: [],
  detail: { dealId: 'd-1', streamId },
});

/** A reader whose every read finds one change more than the one before. */
const growingReader = () => {
  let version = 0;
  return vi.fn<StreamLiveReader>(
    async (streamId): Promise<StreamLive> => ({
      streamId,
      version: ++version,
      at: new Date(Date.now()).toISOString(),
      deals: [],
    }),
  );
};

const attachListeners = (events: LiveEvents, streamId: string, count: number) =>
  Array.from({ length: count }, () => {
    const res = new RecordingResponse();
    events.attach(streamId, res as unknown as ServerResponse, {});
    return res;
  });

let events: LiveEvents | undefined;
beforeEach(() => {
  vi.useFakeTimers({ now: START });
});
afterEach(() => {
  events?.close();
  events = undefined;
  vi.useRealTimers();
});

describe('LiveEvents', () => {
  it('reads a changed stream again half a second after its previous read, once for all its listeners', async () => {
    const read = growingReader();
    events = new LiveEvents(read, () => {});
    const listeners = attachListeners(events, 's-1', 3);
    await vi.advanceTimersByTimeAsync(0);

    await vi.advanceTimersByTimeAsync(10);
    events.onBusEvent(claimed('s-1'));
    await vi.advanceTimersByTimeAsync(490);

    expect(read).toHaveBeenCalledTimes(2);
    for (const listener of listeners) expect(listener.ids).toEqual([1, 2]);
  });

  it('asks for a state read after the latest change, even when a listener joined during the read before it', async () => {
    const read = growingReader();
    events = new LiveEvents(read, () => {});
    attachListeners(events, 's-1', 1);
    vi.advanceTimersByTime(0);
    // The first read is still in flight when the second listener joins.
    attachListeners(events, 's-1', 1);
    await vi.advanceTimersByTimeAsync(100);

    events.onBusEvent(claimed('s-1'));
    const changedAt = Date.now();
    await vi.advanceTimersByTimeAsync(500);

    // The use case answers from its cache any read begun after the instant it is given: that instant must be
    // the claim's, or a read begun before the claim would do.
    expect(read).toHaveBeenCalledTimes(2);
    expect(read.mock.calls[1]?.[1]).toBeGreaterThanOrEqual(changedAt);
  });

  it('coalesces a burst of changes between two reads into one read', async () => {
    const read = growingReader();
    events = new LiveEvents(read, () => {});
    const [listener] = attachListeners(events, 's-1', 1);
    await vi.advanceTimersByTimeAsync(0);

    for (let i = 0; i < 20; i++) {
      events.onBusEvent(claimed('s-1'));
      await vi.advanceTimersByTimeAsync(20);
    }
    await vi.advanceTimersByTimeAsync(500);

    // 20 changes over 400 ms, all before the gap after the first read ends: one more read covers them all.
    expect(read).toHaveBeenCalledTimes(2);
    expect(listener?.ids).toEqual([1, 2]);
  });

  it('re-reads a stream just after the end its deals show, and follows an end that was moved', async () => {
    const ends = [new Date(START.getTime() + 2_000), new Date(START.getTime() + 5_000)];
    let version = 0;
    const read = vi.fn<StreamLiveReader>(async (streamId) => {
      version++;
      const endsAt = ends[Math.min(version, 2) - 1] as Date;
      const deal = {
        dealId: 'd-1',
        title: 'Scarf',
        status: 'LIVE' as const,
        currency: 'EUR',
        dealPrice: 2_000,
        listPrice: 4_000,
        endsAt: endsAt.toISOString(),
        available: 5,
        stock: 5,
        perViewerLimit: 1,
      };
      return {
        streamId,
        version,
        at: new Date(Date.now()).toISOString(),
        deals: Date.now() < endsAt.getTime() ? [deal] : [],
      };
    });
    events = new LiveEvents(read, () => {});
    attachListeners(events, 's-1', 1);
    await vi.advanceTimersByTimeAsync(0);

    // An extension (its cue event) moves the end from 2 s to 5 s.
    await vi.advanceTimersByTimeAsync(1_000);
    events.onBusEvent(claimed('s-1'));
    await vi.advanceTimersByTimeAsync(1_500);
    const readsBeforeTheNewEnd = read.mock.calls.length;
    await vi.advanceTimersByTimeAsync(2_700);

    expect(readsBeforeTheNewEnd).toBe(2);
    expect(read).toHaveBeenCalledTimes(3);
    expect(read.mock.calls[2]?.[1]).toBeGreaterThan(ends[1]?.getTime() ?? Number.POSITIVE_INFINITY);
  });
});
