import { productionDeps } from '../shared/runtime.js';
import { createSweepHandler } from './app.js';

export const handler = createSweepHandler(await productionDeps());
