import { productionDeps } from '../shared/runtime.js';
import { eventBridgeEvents } from '../shared/runtime-events.js';
import { createStreamCueHandler } from './app.js';

export const handler = createStreamCueHandler(productionDeps(process.env, { events: eventBridgeEvents }));
