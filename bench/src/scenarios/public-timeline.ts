import { anonymous } from './anonymous.js';
import type { HttpScenario } from './types.js';

export const publicTimeline: HttpScenario = {
  id: 'public',
  title: 'GET /api/v1/timelines/public',
  service: 'api',
  requests: () => [anonymous('/api/v1/timelines/public?limit=20')],
  reference: () => [anonymous('/ref/timelines/public?limit=20')],
  bare: 'json',
};
