import { productionDeps } from '../shared/runtime.js';
import { createApplyPriceDropHandler } from './app.js';

export const handler = createApplyPriceDropHandler(productionDeps());
