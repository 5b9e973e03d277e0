import { anonymous } from './anonymous.js';
import type { HttpScenario } from './types.js';

export const accountStatuses: HttpScenario = {
  id: 'account',
  title: 'GET /api/v1/accounts/:id/statuses (busiest)',
  service: 'api',
  requests: (info) => [anonymous(`/api/v1/accounts/${info.busyAccountId}/statuses?limit=20`)],
  reference: (info) => [anonymous(`/ref/accounts/${info.busyAccountId}/statuses?limit=20`)],
  bare: 'json',
};
