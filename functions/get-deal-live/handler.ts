import { productionDeps } from '../shared/runtime.js';
import { createGetDealLiveHandler } from './app.js';

export const handler = createGetDealLiveHandler(productionDeps());
