import { productionDeps } from '../shared/runtime.js';
import { eventBridgeEvents } from '../shared/runtime-events.js';
import { cueKeyed } from '../shared/use-cases/cue.js';
import { createCueDealHandler } from './app.js';

export const handler = createCueDealHandler(productionDeps({ cueKeyed }, { events: eventBridgeEvents }));
