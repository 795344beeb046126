import { productionDeps } from '../shared/runtime.js';
import { eventBridgeEvents } from '../shared/runtime-events.js';
import { createSweepHandler } from './app.js';

export const handler = createSweepHandler(await productionDeps(process.env, { events: eventBridgeEvents }));
