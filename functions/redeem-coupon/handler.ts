import { productionDeps } from '../shared/runtime.js';
import { eventBridgeEvents } from '../shared/runtime-events.js';
import { redeem } from '../shared/use-cases/redeem.js';
import { createRedeemCouponHandler } from './app.js';

export const handler = createRedeemCouponHandler(productionDeps({ redeem }, { events: eventBridgeEvents }));
