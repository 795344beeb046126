import { productionDeps } from '../shared/runtime.js';
import { eventBridgeScheduler } from '../shared/runtime-scheduler.js';
import { createCreatePriceDropHandler } from './app.js';

export const handler = createCreatePriceDropHandler(
  productionDeps(process.env, { scheduler: eventBridgeScheduler }),
);
