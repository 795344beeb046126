import { productionDeps } from '../shared/runtime.js';
import { createListMyCouponsHandler } from './app.js';

export const handler = createListMyCouponsHandler(await productionDeps());
