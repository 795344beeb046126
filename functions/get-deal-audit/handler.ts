import { productionDeps } from '../shared/runtime.js';
import { createGetDealAuditHandler } from './app.js';

export const handler = createGetDealAuditHandler(await productionDeps());
