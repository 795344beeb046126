import { productionDeps } from '../shared/runtime.js';
import { createRedeemCouponHandler } from './app.js';

export const handler = createRedeemCouponHandler(await productionDeps());
