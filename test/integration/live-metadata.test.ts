/**
 * A stream's live state into its IVS channel as timed metadata, against the embedded store: the events a claim
 * publishes, handed to the live-metadata handler as one SQS batch, become exactly one PutMetadata carrying the
 * new figures; puts into one channel stay a second apart under a burst (the last state is delayed, never
 * dropped); an offline channel is skipped and a throttled one is answered as batch item failures. Time is the
 * test's clock: waiting advances it, so nothing here sleeps.
 */

import {
  ChannelNotBroadcasting,
  IvsClient,
  PutMetadataCommand,
  ThrottlingException,
} from '@aws-sdk/client-ivs';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLiveMetadataHandler } from '../../functions/live-metadata/app.js';
import { MemoryPublisher } from '../../functions/shared/data/event-publisher.js';
import { IvsMetadataPublisher } from '../../functions/shared/data/ivs-metadata.js';
import type { LivedropEvent } from '../../functions/shared/domain/events.js';
import type { MetadataPublisher } from '../../functions/shared/domain/ports.js';
import type { LiveMetadata } from '../../functions/shared/domain/stream-live.js';
import { Logger } from '../../functions/shared/logger.js';
import { createContext } from '../../functions/shared/use-cases/context.js';
import { Engine } from '../../functions/shared/use-cases/engine.js';
import { readStreamLive } from '../../functions/shared/use-cases/stream-live.js';
import { TestClock } from '../support/clock.js';
import { adminActor, hostActor, liveDeal } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const channel = (id: string) => `arn:aws:ivs:eu-central-1:123456789012:channel/${id}`;

/** The test's clock, where a wait moves time on instead of passing it. */
class WaitingClock extends TestClock {
  async sleep(ms: number): Promise<void> {
    this.advance(ms);
  }
}

/** Keeps each put with the instant it was made. */
class RecordingMetadata implements MetadataPublisher {
  readonly puts: { channelArn: string; at: number; metadata: LiveMetadata }[] = [];
  constructor(private readonly clock: TestClock) {}

  async putMetadata(channelArn: string, metadata: string): Promise<'put'> {
    expect(Buffer.byteLength(metadata)).toBeLessThanOrEqual(1_024);
    this.puts.push({ channelArn, at: this.clock.now(), metadata: JSON.parse(metadata) as LiveMetadata });
    return 'put';
  }
}

const silent = () => new Logger({ serviceName: 'livedrop-test', logLevel: 'SILENT' });
const context = { awsRequestId: 'test' } as Context;

let messages = 0;
/** Events as EventBridge hands them to the queue, one SQS message each. */
const batchOf = (events: readonly LivedropEvent[]): SQSEvent => ({
  Records: events.map((event) => {
    messages++;
    return {
      messageId: `m-${messages}`,
      receiptHandle: `r-${messages}`,
      body: JSON.stringify({
        version: '0',
        id: `e-${messages}`,
        'detail-type': event.detailType,
        source: 'livedrop',
        account: '123456789012',
        time: '2026-11-26T20:00:00Z',
        region: 'eu-central-1',
        resources: [],
        detail: event.detail,
      }),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'events',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-central-1:123456789012:live-state-changes',
      awsRegion: 'eu-central-1',
    };
  }),
});

/** A container of the live-metadata function over the shared store, and one serving claims and cues. */
const setUp = (metadata?: MetadataPublisher) => {
  const clock = new WaitingClock(h.clock.now());
  const recorder = new RecordingMetadata(clock);
  const engine = new Engine({
    store: h.store,
    clock,
    metadata: metadata ?? recorder,
    logger: { error: () => {} },
  });
  const events = new MemoryPublisher();
  const api = h.engine({ events });
  const handler = createLiveMetadataHandler({ engine, logger: silent() });
  /** The events published since the last call, as the batch the queue would hand over. */
  const drain = () => batchOf(events.published.splice(0));
  return { clock, recorder, api, events, handler, drain };
};

describe('a stream’s live state as IVS timed metadata', () => {
  it('turns a claim’s events into exactly one PutMetadata with the new available count', async () => {
    const { recorder, api, handler, drain } = setUp();
    const deal = await liveDeal(api, { streamId: 'meta-claim', stock: 5, ivsChannelArn: channel('Claim1') });
    drain();

    await api.claim(deal.dealId, 'viewer-1');
    const batch = drain();
    const response = await handler(batch, context);

    expect(batch.Records.length).toBeGreaterThanOrEqual(2);
    expect(response).toStrictEqual({ batchItemFailures: [] });
    expect(recorder.puts).toHaveLength(1);
    expect(recorder.puts[0]?.channelArn).toBe(channel('Claim1'));
    expect(recorder.puts[0]?.metadata).toMatchObject({
      s: 'meta-claim',
      d: [{ i: deal.dealId, s: 'L', a: 4, k: 5, p: 6_000, c: 'EUR' }],
    });
  });

  it('keeps puts into one channel a second apart under a burst, and the last state is put, not dropped', async () => {
    const { clock, recorder, api, handler, drain } = setUp();
    const deal = await liveDeal(api, { streamId: 'meta-burst', stock: 50, ivsChannelArn: channel('Burst1') });

    for (let i = 0; i < 6; i++) {
      await api.claim(deal.dealId, `burst-${i}`);
      clock.advance(150);
      // The same events twice, as a redelivery or a second batch 150 ms later would bring them.
      const batch = drain();
      await handler(batch, context);
      await handler(batch, context);
    }

    const times = recorder.puts.map((put) => put.at);
    expect(times).toHaveLength(12);
    for (let i = 1; i < times.length; i++) {
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(1_000);
    }
    expect(recorder.puts.at(-1)?.metadata.d[0]?.a).toBe(44);
    const versions = recorder.puts.map((put) => put.metadata.v);
    expect([...versions].sort((a, b) => a - b)).toStrictEqual(versions);
  });

  it('gives two invocations running at once in one container slots a second apart', async () => {
    const { api, drain } = setUp();
    const waits: number[] = [];
    const now = h.clock.now();
    const clock = { now: () => now, sleep: async (ms: number) => void waits.push(ms) };
    const recorder = new RecordingMetadata(new TestClock(now));
    const engine = new Engine({ store: h.store, clock, metadata: recorder, logger: { error: () => {} } });
    const handler = createLiveMetadataHandler({ engine, logger: silent() });
    const deal = await liveDeal(api, { streamId: 'meta-twice', ivsChannelArn: channel('Twice1') });
    await api.claim(deal.dealId, 'viewer-1');
    const batch = drain();

    await Promise.all([handler(batch, context), handler(batch, context)]);

    expect(recorder.puts).toHaveLength(2);
    expect(waits).toStrictEqual([1_000]);
  });

  it('puts each channel of a batch once even when two of its streams share it, still a second apart', async () => {
    const { recorder, api, handler, drain } = setUp();
    const shared = channel('Shared1');
    const a = await liveDeal(api, { streamId: 'meta-a', ivsChannelArn: shared });
    const b = await liveDeal(api, { streamId: 'meta-b', ivsChannelArn: shared });
    drain();

    await api.claim(a.dealId, 'viewer-a');
    await api.claim(b.dealId, 'viewer-b');
    await handler(drain(), context);

    expect(recorder.puts.map((put) => put.metadata.s).sort()).toStrictEqual(['meta-a', 'meta-b']);
    expect(Math.abs((recorder.puts[1]?.at ?? 0) - (recorder.puts[0]?.at ?? 0))).toBeGreaterThanOrEqual(1_000);
  });

  it('skips an offline channel and answers a throttled one’s messages as batch item failures', async () => {
    const ivs = mockClient(IvsClient);
    try {
      const offline = channel('Offline1');
      const throttled = channel('Throttled1');
      ivs
        .on(PutMetadataCommand, { channelArn: offline })
        .rejects(new ChannelNotBroadcasting({ $metadata: {}, message: 'x' }));
      ivs
        .on(PutMetadataCommand, { channelArn: throttled })
        .rejects(new ThrottlingException({ $metadata: {}, message: 'x' }));
      const publisher = new IvsMetadataPublisher(new IvsClient({ region: 'eu-central-1', maxAttempts: 1 }));
      const { api, handler, drain } = setUp(publisher);
      const quiet = await liveDeal(api, { streamId: 'meta-offline', ivsChannelArn: offline });
      const busy = await liveDeal(api, { streamId: 'meta-throttled', ivsChannelArn: throttled });
      drain();

      await api.claim(quiet.dealId, 'viewer-1');
      const quietBatch = drain();
      await api.claim(busy.dealId, 'viewer-2');
      const busyBatch = drain();
      const response = await handler({ Records: [...quietBatch.Records, ...busyBatch.Records] }, context);

      expect(ivs).toHaveReceivedCommandWith(PutMetadataCommand, { channelArn: offline });
      expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toStrictEqual(
        busyBatch.Records.map((record) => record.messageId).sort(),
      );
    } finally {
      ivs.restore();
    }
  });

  it('answers the messages of a stream whose deals cannot be read as failures, putting nothing', async () => {
    const { recorder, api, drain } = setUp();
    const deal = await liveDeal(api, { streamId: 'meta-unreadable', ivsChannelArn: channel('Unreadable1') });
    await api.claim(deal.dealId, 'viewer-1');
    const batch = drain();
    const failing = new Proxy(h.store, {
      get: (target, property, receiver) =>
        property === 'getDeal'
          ? () => Promise.reject(new Error('ProvisionedThroughputExceededException'))
          : Reflect.get(target, property, receiver),
    });
    const engine = new Engine({
      store: failing,
      clock: new WaitingClock(),
      metadata: recorder,
      logger: { error: () => {} },
    });

    const response = await createLiveMetadataHandler({ engine, logger: silent() })(batch, context);

    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toStrictEqual(
      batch.Records.map((record) => record.messageId).sort(),
    );
    expect(recorder.puts).toStrictEqual([]);
  });

  it('reads a stream’s LIVE and PAUSED deals with their figures, and a version that never falls', async () => {
    const { clock, api } = setUp();
    const ctx = createContext({ store: h.store, clock });
    const ctxRead = (streamId: string) => readStreamLive(ctx, streamId);
    const first = await liveDeal(api, { streamId: 'meta-read', stock: 3 });
    const second = await liveDeal(api, { streamId: 'meta-read', stock: 2 });
    const before = await ctxRead('meta-read');

    await api.claim(first.dealId, 'viewer-1');
    await api.cue(second.dealId, { action: 'pause' }, hostActor);
    const during = await ctxRead('meta-read');
    await api.cue(second.dealId, { action: 'end' }, adminActor);
    const after = await ctxRead('meta-read');

    // Newest first: by dealId (ULIDs made in the same test millisecond order at random).
    expect(before.deals.map((deal) => deal.dealId)).toStrictEqual(
      [first.dealId, second.dealId].sort().reverse(),
    );
    expect(during.deals.find((deal) => deal.dealId === second.dealId)).toMatchObject({
      status: 'PAUSED',
      available: 2,
      stock: 2,
    });
    expect(during.deals.find((deal) => deal.dealId === first.dealId)).toMatchObject({
      status: 'LIVE',
      available: 2,
      stock: 3,
    });
    expect(after.deals.map((deal) => deal.dealId)).toStrictEqual([first.dealId]);
    expect(during.version).toBeGreaterThan(before.version);
    expect(after.version).toBeGreaterThan(during.version);
  });
});
