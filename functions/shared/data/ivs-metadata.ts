import {
  ChannelNotBroadcasting,
  type IvsClient,
  PutMetadataCommand,
  ThrottlingException,
} from '@aws-sdk/client-ivs';
import { MetadataThrottled } from '../domain/errors.js';
import type { MetadataPublisher } from '../domain/ports.js';

/**
 * Timed metadata into Amazon IVS channels with PutMetadata. The same adapter serves the local runtime, whose
 * IVS stand-in speaks PutMetadata at its own endpoint. A channel that is not broadcasting answers `offline`;
 * a throttled put (after the SDK's own retries) becomes MetadataThrottled; anything else is thrown as it is.
 */
export class IvsMetadataPublisher implements MetadataPublisher {
  constructor(private readonly client: IvsClient) {}

  async putMetadata(channelArn: string, metadata: string): Promise<'put' | 'offline'> {
    try {
      await this.client.send(new PutMetadataCommand({ channelArn, metadata }));
      return 'put';
    } catch (error) {
      if (error instanceof ChannelNotBroadcasting) return 'offline';
      if (error instanceof ThrottlingException) {
        throw new MetadataThrottled(`IVS throttled timed metadata for ${channelArn}`, { cause: error });
      }
      throw error;
    }
  }
}
