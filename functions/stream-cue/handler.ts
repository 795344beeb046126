import { productionDeps } from '../shared/runtime.js';
import { createStreamCueHandler } from './app.js';

export const handler = createStreamCueHandler(productionDeps());
