import { productionDeps } from '../shared/runtime.js';
import { createCreateDealHandler } from './app.js';

export const handler = createCreateDealHandler(await productionDeps());
