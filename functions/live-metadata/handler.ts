import { productionDeps } from '../shared/runtime.js';
import { ivsMetadata } from '../shared/runtime-ivs.js';
import { createLiveMetadataHandler } from './app.js';

export const handler = createLiveMetadataHandler(productionDeps(process.env, { metadata: ivsMetadata }));
