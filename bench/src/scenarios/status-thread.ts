import { anonymous } from './anonymous.js';
import type { HttpScenario } from './types.js';

/** A status in the middle of a 60-reply thread, then its context (each connection alternates). */
export const statusThread: HttpScenario = {
  id: 'thread',
  title: 'GET /api/v1/statuses/:id + /context',
  service: 'api',
  requests: (info) => [
    anonymous(`/api/v1/statuses/${info.threadStatusId}`),
    anonymous(`/api/v1/statuses/${info.threadStatusId}/context`),
  ],
  reference: (info) => [
    anonymous(`/ref/statuses/${info.threadStatusId}`),
    anonymous(`/ref/statuses/${info.threadStatusId}/context`),
  ],
  bare: 'json',
};
