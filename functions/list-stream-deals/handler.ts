import { productionDeps } from '../shared/runtime.js';
import { streamDeals } from '../shared/use-cases/read-deals.js';
import { createListStreamDealsHandler } from './app.js';

export const handler = createListStreamDealsHandler(productionDeps({ streamDeals }));
