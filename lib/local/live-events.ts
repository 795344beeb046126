import type { ServerResponse } from 'node:http';
import { type StreamLive, toLiveMetadata } from '../../functions/shared/domain/stream-live.js';
import type { BusEvent } from './bus.js';

/**
 * Locally, `GET /streams/{streamId}/live/events`: Server-Sent Events standing in for the IVS timed metadata.
 * Each event's data is `toLiveMetadata(state)` and its id the state's version. A stream with listeners is re-read
 * when the bus carries a livedrop event of one of its deals, at most every half second: one read shared by every
 * listener, however many there are. A new listener gets the current state at once (unless its Last-Event-ID
 * already names that version); comments keep idle connections open. A deal's end is no event until the sweep
 * records it, so a stream is also re-read just after the earliest `endsAt` among the deals it shows.
 */

/** Reads a stream's state after an instant (epoch ms): the public live state's use case. */
export type StreamLiveReader = (streamId: string, notBefore: number) => Promise<StreamLive>;

export const LIVE_EVENTS_PATH = /^\/streams\/([^/]+)\/live\/events$/;
/**
 * The shortest time between two reads of a stream, and so the longest a change waits to be read. Half a second
 * leaves the other half of the 1 s target (p99 from a claim's answer to all of 5,000 viewers) to the read and to
 * writing one frame to every socket. It stands in for IVS timed metadata, whose publisher keeps to one PutMetadata
 * a second per channel (live-metadata.ts; IVS allows 5): locally only the store limits us, and 2 reads a second per
 * stream stay 2 however many listen. A quarter second met the target too, but on the bench's two cores its 4 frames
 * a second to 5,000 sockets doubled the CPU and the rush's duration, and one run tipped into overload (docs/local.md).
 */
const MIN_GAP_MS = 500;
const PING_MS = 15_000;
/**
 * How long after a deal's `endsAt` its stream is re-read: a read must begin after the end to find the deal ended,
 * and a timer may fire a millisecond early against Date.now().
 */
const END_MARGIN_MS = 100;
/** setTimeout's longest delay; an end further away is looked at again after it (or after the next read). */
const MAX_TIMER_MS = 2_147_483_647;
/** A listener that lets this much pile up unread is dropped (its client reconnects with Last-Event-ID). */
const MAX_BUFFERED_BYTES = 256 * 1024;

interface Listener {
  res: ServerResponse;
  version: number;
}

interface Channel {
  listeners: Set<Listener>;
  /** The frame encoded once, not once per listener: thousands of sockets get the same bytes. */
  current?: { version: number; frame: Buffer };
  lastReadAt: number;
  /**
   * The latest change not yet covered by a read (epoch ms): the next read must begin after it. The latest, not
   * the first: the use case answers from its cache any read begun after the instant it is given, and a read begun
   * between the first and the latest change would miss the latest.
   */
  changedAt?: number;
  timer?: NodeJS.Timeout;
  /** Just after the earliest end of a deal the stream shows (see END_MARGIN_MS). */
  endTimer?: NodeJS.Timeout;
  reading: boolean;
}

export class LiveEvents {
  private readonly channels = new Map<string, Channel>();
  private readonly ping: NodeJS.Timeout;

  constructor(
    private readonly read: StreamLiveReader,
    private readonly log: (message: string, extra: Record<string, unknown>) => void,
  ) {
    this.ping = setInterval(() => {
      for (const channel of this.channels.values()) {
        for (const listener of channel.listeners) this.write(channel, listener, ': ping\n\n');
      }
    }, PING_MS);
    this.ping.unref();
  }

  /** The bus: any livedrop event names its deal's stream. */
  onBusEvent(event: BusEvent): void {
    if (event.source !== 'livedrop') return;
    const streamId = (event.detail as { streamId?: unknown } | null)?.streamId;
    if (typeof streamId !== 'string') return;
    const channel = this.channels.get(streamId);
    if (!channel) return;
    this.changed(streamId, channel, Date.now());
  }

  /** Takes over the response: headers are sent, and the connection stays until the client or close() ends it. */
  attach(streamId: string, res: ServerResponse, headers: Record<string, string>, lastEventId?: string): void {
    let channel = this.channels.get(streamId);
    if (!channel) {
      channel = { listeners: new Set(), lastReadAt: Number.NEGATIVE_INFINITY, reading: false };
      this.channels.set(streamId, channel);
    }
    const parsed = lastEventId === undefined ? Number.NaN : Number(lastEventId);
    const listener: Listener = { res, version: Number.isSafeInteger(parsed) ? parsed : -1 };
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    channel.listeners.add(listener);
    const owner = channel;
    res.on('close', () => {
      owner.listeners.delete(listener);
      if (owner.listeners.size === 0 && this.channels.get(streamId) === owner) {
        clearTimeout(owner.timer);
        clearTimeout(owner.endTimer);
        this.channels.delete(streamId);
      }
    });
    if (channel.current) {
      this.send(channel, listener);
    } else if (!channel.reading && !channel.timer) {
      // First listener: read now (a state one gap old will do). Later ones before it ends get that read's frame.
      this.changed(streamId, channel, Date.now() - MIN_GAP_MS);
    }
  }

  /** Ends every stream, so the server can close. */
  close(): void {
    clearInterval(this.ping);
    for (const channel of this.channels.values()) {
      clearTimeout(channel.timer);
      clearTimeout(channel.endTimer);
      for (const listener of channel.listeners) listener.res.end();
    }
    this.channels.clear();
  }

  private changed(streamId: string, channel: Channel, at: number): void {
    channel.changedAt = Math.max(channel.changedAt ?? at, at);
    this.schedule(streamId, channel);
  }

  private schedule(streamId: string, channel: Channel): void {
    if (channel.timer || channel.reading) return;
    const delay = Math.max(0, channel.lastReadAt + MIN_GAP_MS - Date.now());
    channel.timer = setTimeout(() => {
      channel.timer = undefined;
      void this.refresh(streamId, channel);
    }, delay);
  }

  private async refresh(streamId: string, channel: Channel): Promise<void> {
    const notBefore = channel.changedAt ?? Date.now();
    channel.changedAt = undefined;
    channel.reading = true;
    channel.lastReadAt = Date.now();
    try {
      const state = await this.read(streamId, notBefore);
      if (!channel.current || state.version > channel.current.version) {
        channel.current = {
          version: state.version,
          frame: Buffer.from(`id: ${state.version}\ndata: ${JSON.stringify(toLiveMetadata(state))}\n\n`),
        };
      }
      for (const listener of channel.listeners) this.send(channel, listener);
      this.watchEnds(streamId, channel, state);
    } catch (error) {
      this.log('live events read failed', { streamId, error: String(error) });
      channel.changedAt = Math.max(channel.changedAt ?? notBefore, notBefore);
    } finally {
      channel.reading = false;
    }
    if (channel.changedAt !== undefined && this.channels.get(streamId) === channel) {
      this.schedule(streamId, channel);
    }
  }

  /** Arms the channel's end timer for the earliest end among the state's deals (none: no timer). */
  private watchEnds(streamId: string, channel: Channel, state: StreamLive): void {
    clearTimeout(channel.endTimer);
    channel.endTimer = undefined;
    const ends = state.deals.flatMap((deal) => (deal.endsAt === undefined ? [] : [Date.parse(deal.endsAt)]));
    if (ends.length === 0 || this.channels.get(streamId) !== channel) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, Math.min(...ends) + END_MARGIN_MS - Date.now()));
    channel.endTimer = setTimeout(() => {
      channel.endTimer = undefined;
      this.changed(streamId, channel, Date.now());
    }, delay);
  }

  private send(channel: Channel, listener: Listener): void {
    const current = channel.current;
    if (!current || current.version <= listener.version) return;
    listener.version = current.version;
    this.write(channel, listener, current.frame);
  }

  private write(channel: Channel, listener: Listener, text: string | Buffer): void {
    if (listener.res.writableLength > MAX_BUFFERED_BYTES) {
      channel.listeners.delete(listener);
      listener.res.destroy();
      return;
    }
    listener.res.write(text);
  }
}
