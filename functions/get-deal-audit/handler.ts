import { productionDeps } from '../shared/runtime.js';
import { auditTrail } from '../shared/use-cases/audit-trail.js';
import { createGetDealAuditHandler } from './app.js';

export const handler = createGetDealAuditHandler(productionDeps({ auditTrail }));
