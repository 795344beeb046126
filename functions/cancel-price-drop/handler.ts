import { productionDeps } from '../shared/runtime.js';
import { createCancelPriceDropHandler } from './app.js';

export const handler = createCancelPriceDropHandler(productionDeps());
