import { productionDeps } from '../shared/runtime.js';
import { createDealKeyed } from '../shared/use-cases/create-deal.js';
import { createCreateDealHandler } from './app.js';

export const handler = createCreateDealHandler(productionDeps({ createDealKeyed }));
