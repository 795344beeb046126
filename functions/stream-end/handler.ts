import { productionDeps } from '../shared/runtime.js';
import { createStreamEndHandler } from './app.js';

export const handler = createStreamEndHandler(productionDeps());
