import { productionDeps } from '../shared/runtime.js';
import { createCreatePriceDropHandler } from './app.js';

export const handler = createCreatePriceDropHandler(productionDeps());
