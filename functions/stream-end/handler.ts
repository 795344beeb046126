import { productionDeps } from '../shared/runtime.js';
import { eventBridgeEvents } from '../shared/runtime-events.js';
import { endStream } from '../shared/use-cases/stream-end.js';
import { createStreamEndHandler } from './app.js';

export const handler = createStreamEndHandler(productionDeps({ endStream }, { events: eventBridgeEvents }));
