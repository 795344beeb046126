import type { IncomingRequest } from './api-event.js';

export interface RecordedMetadata {
  /** Epoch ms the put arrived. */
  at: number;
  metadata: string;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/** IVS keeps no history; the stand-in keeps this many puts per channel for a look at what viewers got. */
const KEPT_PER_CHANNEL = 100;

/**
 * The local stand-in for Amazon IVS's PutMetadata: the functions' own IVS client (the same adapter as in AWS)
 * puts timed metadata here, and it is recorded per channel instead of going into a stream. Every channel
 * counts as broadcasting unless told otherwise (`setBroadcasting`), so the offline answer can be tried too.
 */
export class LocalIvs {
  private readonly byChannel = new Map<string, RecordedMetadata[]>();
  private readonly offline = new Set<string>();
  /** Puts refused per channel because it was not broadcasting. */
  readonly refusedOffline = new Map<string, number>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** What was put into the channel, oldest first (the last 100). */
  puts(channelArn: string): readonly RecordedMetadata[] {
    return this.byChannel.get(channelArn) ?? [];
  }

  channels(): string[] {
    return [...this.byChannel.keys()];
  }

  setBroadcasting(channelArn: string, broadcasting: boolean): void {
    if (broadcasting) this.offline.delete(channelArn);
    else this.offline.add(channelArn);
  }

  /** PutMetadata as IVS answers it: 204, or 404 ChannelNotBroadcasting, or 400 ValidationException. */
  putMetadata(body: unknown): Answer {
    const { channelArn, metadata } = (body ?? {}) as { channelArn?: unknown; metadata?: unknown };
    if (typeof channelArn !== 'string' || typeof metadata !== 'string' || metadata.length === 0) {
      return refusal(400, 'ValidationException', 'channelArn and metadata are required.');
    }
    if (Buffer.byteLength(metadata, 'utf8') > 1_024) {
      return refusal(400, 'ValidationException', 'metadata must be at most 1 KB.');
    }
    if (this.offline.has(channelArn)) {
      this.refusedOffline.set(channelArn, (this.refusedOffline.get(channelArn) ?? 0) + 1);
      return refusal(404, 'ChannelNotBroadcasting', `Channel ${channelArn} is not broadcasting.`);
    }
    const kept = [...this.puts(channelArn), { at: this.now(), metadata }].slice(-KEPT_PER_CHANNEL);
    this.byChannel.set(channelArn, kept);
    return { status: 204, body: '' };
  }
}

const refusal = (status: number, type: string, message: string): Answer => ({
  status,
  headers: { 'x-amzn-errortype': type },
  body: JSON.stringify({ message }),
});

/** Whether a request to the runtime is the IVS API's PutMetadata (REST JSON, `POST /PutMetadata`). */
export const isIvsApiRequest = (request: IncomingRequest): boolean =>
  request.method === 'POST' && request.path === '/PutMetadata';
