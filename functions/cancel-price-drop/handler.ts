import { productionDeps } from '../shared/runtime.js';
import { eventBridgeScheduler } from '../shared/runtime-scheduler.js';
import { cancelPriceDrop } from '../shared/use-cases/price-drops.js';
import { createCancelPriceDropHandler } from './app.js';

export const handler = createCancelPriceDropHandler(
  productionDeps({ cancelPriceDrop }, { scheduler: eventBridgeScheduler }),
);
