import { productionDeps } from '../shared/runtime.js';
import { createReleaseCouponHandler } from './app.js';

export const handler = createReleaseCouponHandler(await productionDeps());
