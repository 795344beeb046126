import { productionDeps } from '../shared/runtime.js';
import { createListPriceDropsHandler } from './app.js';

export const handler = createListPriceDropsHandler(productionDeps());
