import { productionDeps } from '../shared/runtime.js';
import { createGetDealHandler } from './app.js';

export const handler = createGetDealHandler(await productionDeps());
