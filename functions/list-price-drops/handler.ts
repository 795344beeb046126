import { productionDeps } from '../shared/runtime.js';
import { listPriceDrops } from '../shared/use-cases/price-drops.js';
import { createListPriceDropsHandler } from './app.js';

export const handler = createListPriceDropsHandler(productionDeps({ listPriceDrops }));
