import { productionDeps } from '../shared/runtime.js';
import { eventBridgeEvents } from '../shared/runtime-events.js';
import { claim } from '../shared/use-cases/claim.js';
import { createClaimCouponHandler } from './app.js';

export const handler = createClaimCouponHandler(productionDeps({ claim }, { events: eventBridgeEvents }));
