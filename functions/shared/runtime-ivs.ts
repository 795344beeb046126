import { IvsClient } from '@aws-sdk/client-ivs';
import { clientLocation } from './data/client.js';
import { IvsMetadataPublisher } from './data/ivs-metadata.js';
import type { Adapters } from './runtime.js';

/**
 * Two attempts: a put the SDK retries after a throttle is still worth it within the second; past that the
 * message goes back to the queue and a later put carries a newer state anyway.
 */
const IVS_ATTEMPTS = 2;

/** Timed metadata into IVS channels, for the functions whose wiring says `putsMetadata`. */
export const ivsMetadata: NonNullable<Adapters['metadata']> = (config) =>
  new IvsMetadataPublisher(
    new IvsClient({
      ...clientLocation({
        ...(config.ivsEndpoint === undefined ? {} : { endpoint: config.ivsEndpoint }),
        ...(config.region === undefined ? {} : { region: config.region }),
      }),
      maxAttempts: IVS_ATTEMPTS,
    }),
  );
