import { productionDeps } from '../shared/runtime.js';
import { eventBridgeEvents } from '../shared/runtime-events.js';
import { createClaimCouponHandler } from './app.js';

export const handler = createClaimCouponHandler(
  await productionDeps(process.env, { events: eventBridgeEvents }),
);
