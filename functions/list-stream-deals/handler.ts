import { productionDeps } from '../shared/runtime.js';
import { createListStreamDealsHandler } from './app.js';

export const handler = createListStreamDealsHandler(productionDeps());
