import { productionDeps } from '../shared/runtime.js';
import { eventBridgeEvents } from '../shared/runtime-events.js';
import { createCueDealHandler } from './app.js';

export const handler = createCueDealHandler(await productionDeps(process.env, { events: eventBridgeEvents }));
