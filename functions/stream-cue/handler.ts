import { productionDeps } from '../shared/runtime.js';
import { eventBridgeEvents } from '../shared/runtime-events.js';
import { cue } from '../shared/use-cases/cue.js';
import { createStreamCueHandler } from './app.js';

export const handler = createStreamCueHandler(productionDeps({ cue }, { events: eventBridgeEvents }));
