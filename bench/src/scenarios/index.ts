import { accountStatuses } from './account-statuses.js';
import { createStatus } from './create-status.js';
import { homeTimeline } from './home-timeline.js';
import { publicTimeline } from './public-timeline.js';
import { statusThread } from './status-thread.js';
import type { HttpScenario } from './types.js';
import { websiteHome } from './website-home.js';

/** In run order: reads first, then the write (which changes the data the reads would see). */
export const HTTP_SCENARIOS: readonly HttpScenario[] = [
  publicTimeline,
  homeTimeline,
  accountStatuses,
  statusThread,
  websiteHome,
  createStatus,
];

export type { HttpScenario } from './types.js';
