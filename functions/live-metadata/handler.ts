import { productionDeps } from '../shared/runtime.js';
import { ivsMetadata } from '../shared/runtime-ivs.js';
import { putLiveMetadata } from '../shared/use-cases/live-metadata.js';
import { createLiveMetadataHandler } from './app.js';

export const handler = createLiveMetadataHandler(
  productionDeps({ putLiveMetadata }, { metadata: ivsMetadata }),
);
