import { productionDeps } from '../shared/runtime.js';
import { eventBridgeEvents } from '../shared/runtime-events.js';
import { release } from '../shared/use-cases/release.js';
import { createReleaseCouponHandler } from './app.js';

export const handler = createReleaseCouponHandler(productionDeps({ release }, { events: eventBridgeEvents }));
