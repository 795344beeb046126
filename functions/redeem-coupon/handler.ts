import { productionDeps } from '../shared/runtime.js';
import { eventBridgeEvents } from '../shared/runtime-events.js';
import { createRedeemCouponHandler } from './app.js';

export const handler = createRedeemCouponHandler(
  await productionDeps(process.env, { events: eventBridgeEvents }),
);
