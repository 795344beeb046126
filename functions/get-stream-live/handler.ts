import { productionDeps } from '../shared/runtime.js';
import { streamLive } from '../shared/use-cases/stream-live.js';
import { createGetStreamLiveHandler } from './app.js';

export const handler = createGetStreamLiveHandler(productionDeps({ streamLive }));
