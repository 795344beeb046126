import { productionDeps } from '../shared/runtime.js';
import { eventBridgeEvents } from '../shared/runtime-events.js';
import { sweep } from '../shared/use-cases/sweep.js';
import { createSweepHandler } from './app.js';

export const handler = createSweepHandler(productionDeps({ sweep }, { events: eventBridgeEvents }));
