import { productionDeps } from '../shared/runtime.js';
import { eventBridgeEvents } from '../shared/runtime-events.js';
import { createStreamEndHandler } from './app.js';

export const handler = createStreamEndHandler(productionDeps(process.env, { events: eventBridgeEvents }));
