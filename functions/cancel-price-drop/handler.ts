import { productionDeps } from '../shared/runtime.js';
import { eventBridgeScheduler } from '../shared/runtime-scheduler.js';
import { createCancelPriceDropHandler } from './app.js';

export const handler = createCancelPriceDropHandler(
  productionDeps(process.env, { scheduler: eventBridgeScheduler }),
);
