import { productionDeps } from '../shared/runtime.js';
import { createClaimCouponHandler } from './app.js';

export const handler = createClaimCouponHandler(await productionDeps());
