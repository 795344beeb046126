import { productionDeps } from '../shared/runtime.js';
import { eventBridgeEvents } from '../shared/runtime-events.js';
import { createReleaseCouponHandler } from './app.js';

export const handler = createReleaseCouponHandler(
  await productionDeps(process.env, { events: eventBridgeEvents }),
);
