import { accountStatuses } from './account-statuses.js';
import { createStatus } from './create-status.js';
import { favouriteStatus } from './favourite.js';
import { homeTimeline } from './home-timeline.js';
import { publicTimeline } from './public-timeline.js';
import { statusThread } from './status-thread.js';
import type { HttpScenario } from './types.js';
import { websiteHome } from './website-home.js';

/** In run order: reads first, then the writes (which change the data the reads would see). */
export const HTTP_SCENARIOS: readonly HttpScenario[] = [
  publicTimeline,
  homeTimeline,
  accountStatuses,
  statusThread,
  websiteHome,
  createStatus,
  favouriteStatus,
];

export type { HttpScenario } from './types.js';
