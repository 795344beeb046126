import { productionDeps } from '../shared/runtime.js';
import { eventBridgeEvents } from '../shared/runtime-events.js';
import { createApplyPriceDropHandler } from './app.js';

export const handler = createApplyPriceDropHandler(
  productionDeps(process.env, { events: eventBridgeEvents }),
);
