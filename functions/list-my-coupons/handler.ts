import { productionDeps } from '../shared/runtime.js';
import { listCoupons } from '../shared/use-cases/list-coupons.js';
import { createListMyCouponsHandler } from './app.js';

export const handler = createListMyCouponsHandler(productionDeps({ listCoupons }));
