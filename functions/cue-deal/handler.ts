import { productionDeps } from '../shared/runtime.js';
import { createCueDealHandler } from './app.js';

export const handler = createCueDealHandler(await productionDeps());
