/**
 * The live-metadata function's handler over a faked engine: a batch's events are grouped by stream (one
 * putLiveMetadata for all of them, each stream once), the messages of a stream whose put failed come back as
 * batch item failures, and a message that is not one of livedrop's events is dropped.
 */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { createLiveMetadataHandler } from '../../../functions/live-metadata/app.js';
import { type FakeEngine, fakeEngine, lambdaContext, loadEvent, silentLogger } from '../http/support.js';

let engine: FakeEngine;
let handler: ReturnType<typeof createLiveMetadataHandler>;

beforeEach(() => {
  engine = fakeEngine();
  handler = createLiveMetadataHandler({ engine, logger: silentLogger() });
});

/** The sample batch (two events of stream-42) plus one event of `streamId` per extra message id. */
const batch = (extra: Record<string, string> = {}): SQSEvent => {
  const event = loadEvent<SQSEvent>('live-metadata');
  const [first] = event.Records as [SQSRecord];
  for (const [messageId, streamId] of Object.entries(extra)) {
    const body = JSON.parse(first.body) as { detail: { streamId: string } };
    body.detail.streamId = streamId;
    event.Records.push({ ...first, messageId, body: JSON.stringify(body) });
  }
  return event;
};

describe('the live-metadata handler', () => {
  it('puts each stream of the batch once, however many of its events came', async () => {
    engine.putLiveMetadata.mockResolvedValue([
      { streamId: 'stream-42', put: ['arn:ch'], offline: [] },
      { streamId: 'stream-7', put: [], offline: ['arn:ch7'] },
    ]);

    const response = await handler(batch({ m3: 'stream-7', m4: 'stream-7' }), lambdaContext());

    expect(engine.putLiveMetadata).toHaveBeenCalledTimes(1);
    expect(engine.putLiveMetadata).toHaveBeenCalledWith(['stream-42', 'stream-7']);
    expect(response).toStrictEqual({ batchItemFailures: [] });
  });

  it('answers every message of a throttled or failed stream as a batch item failure, and only those', async () => {
    engine.putLiveMetadata.mockResolvedValue([
      { streamId: 'stream-42', put: [], offline: [], failed: 'throttled' },
      { streamId: 'stream-7', put: ['arn:ch7'], offline: [] },
      { streamId: 'stream-9', put: [], offline: [], failed: 'error' },
    ]);

    const response = await handler(batch({ m3: 'stream-7', m4: 'stream-9' }), lambdaContext());

    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toStrictEqual([
      '0a1b2c3d-0000-4000-8000-000000000001',
      '0a1b2c3d-0000-4000-8000-000000000002',
      'm4',
    ]);
  });

  it('drops a message that is not a livedrop event naming its stream, without failing the batch', async () => {
    engine.putLiveMetadata.mockResolvedValue([]);
    const event = batch();
    for (const record of event.Records)
      record.body = record.body.replace('"source": "livedrop"', '"source": "x"');
    event.Records.push({ ...(event.Records[0] as SQSRecord), messageId: 'garbage', body: 'not json' });

    const response = await handler(event, lambdaContext());

    expect(engine.putLiveMetadata).toHaveBeenCalledWith([]);
    expect(response).toStrictEqual({ batchItemFailures: [] });
  });
});
