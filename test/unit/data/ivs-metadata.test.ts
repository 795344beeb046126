/**
 * The IVS timed-metadata adapter against a mocked client: the PutMetadata it sends, and what each answer
 * becomes (an offline channel is no failure, a throttle is MetadataThrottled, anything else is thrown).
 */
import {
  AccessDeniedException,
  ChannelNotBroadcasting,
  IvsClient,
  PutMetadataCommand,
  ThrottlingException,
} from '@aws-sdk/client-ivs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { IvsMetadataPublisher } from '../../../functions/shared/data/ivs-metadata.js';
import { MetadataThrottled } from '../../../functions/shared/domain/errors.js';

const CHANNEL = 'arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEf123456';
const METADATA = JSON.stringify({ v: 7, s: 'stream-1', d: [] });

const ivs = mockClient(IvsClient);
const publisher = new IvsMetadataPublisher(new IvsClient({ region: 'eu-central-1', maxAttempts: 1 }));

const metadata = { $metadata: {}, message: 'refused' };

beforeEach(() => {
  ivs.reset();
});

afterAll(() => {
  ivs.restore();
});

describe('putting timed metadata into an IVS channel', () => {
  it('sends one PutMetadata with the channel ARN and the payload as it is', async () => {
    ivs.on(PutMetadataCommand).resolves({});

    await expect(publisher.putMetadata(CHANNEL, METADATA)).resolves.toBe('put');

    expect(ivs).toHaveReceivedCommandTimes(PutMetadataCommand, 1);
    expect(ivs).toHaveReceivedCommandWith(PutMetadataCommand, { channelArn: CHANNEL, metadata: METADATA });
  });

  it('answers offline for a channel that is not broadcasting, without failing', async () => {
    ivs.on(PutMetadataCommand).rejects(new ChannelNotBroadcasting(metadata));

    await expect(publisher.putMetadata(CHANNEL, METADATA)).resolves.toBe('offline');
  });

  it('turns a throttle into MetadataThrottled, keeping the cause', async () => {
    const throttled = new ThrottlingException(metadata);
    ivs.on(PutMetadataCommand).rejects(throttled);

    const error = await publisher.putMetadata(CHANNEL, METADATA).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(MetadataThrottled);
    expect((error as Error).cause).toBe(throttled);
  });

  it('throws any other refusal as it is', async () => {
    const denied = new AccessDeniedException(metadata);
    ivs.on(PutMetadataCommand).rejects(denied);

    await expect(publisher.putMetadata(CHANNEL, METADATA)).rejects.toBe(denied);
  });
});
