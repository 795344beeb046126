import { productionDeps } from '../shared/runtime.js';
import { liveDeal } from '../shared/use-cases/read-deals.js';
import { createGetDealLiveHandler } from './app.js';

export const handler = createGetDealLiveHandler(productionDeps({ liveDeal }));
