import { productionDeps } from '../shared/runtime.js';
import { eventBridgeEvents } from '../shared/runtime-events.js';
import { applyPriceDrop } from '../shared/use-cases/apply-price-drop.js';
import { createApplyPriceDropHandler } from './app.js';

export const handler = createApplyPriceDropHandler(
  productionDeps({ applyPriceDrop }, { events: eventBridgeEvents }),
);
