import { productionDeps } from '../shared/runtime.js';
import { eventBridgeScheduler } from '../shared/runtime-scheduler.js';
import { schedulePriceDropKeyed } from '../shared/use-cases/price-drops.js';
import { createCreatePriceDropHandler } from './app.js';

export const handler = createCreatePriceDropHandler(
  productionDeps({ schedulePriceDropKeyed }, { scheduler: eventBridgeScheduler }),
);
