import { productionDeps } from '../shared/runtime.js';
import { getDeal } from '../shared/use-cases/read-deals.js';
import { createGetDealHandler } from './app.js';

export const handler = createGetDealHandler(productionDeps({ getDeal }));
