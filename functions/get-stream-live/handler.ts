import { productionDeps } from '../shared/runtime.js';
import { createGetStreamLiveHandler } from './app.js';

export const handler = createGetStreamLiveHandler(productionDeps());
