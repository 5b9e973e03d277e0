/**
 * @murmur/db/statuses: posting and what one does to a status: create, edit, delete, favourite,
 * reblog, bookmark, pin, polls and votes, scheduled statuses, edit history, and who favourited or
 * reblogged it. The views a status is read as (`StatusView`, `PollView`, `MediaView`) are here.
 */
export {
  createStatus,
  deleteStatus,
  editStatus,
  getVisibleStatus,
  favouriteStatus,
  unfavouriteStatus,
  reblogStatus,
  unreblogStatus,
  type StatusRecord,
} from '../operations/statuses/index.js';
export { VISIBILITIES, type Visibility } from '../schema/index.js';
export { bookmarkStatus } from '../operations/bookmark-status.js';
export { unbookmarkStatus } from '../operations/unbookmark-status.js';
export { pinStatus, MAX_PINNED_STATUSES } from '../operations/pin-status.js';
export { unpinStatus } from '../operations/unpin-status.js';
export { favouritedBy, rebloggedBy } from '../queries/accounts.js';
export { hydrateStatuses } from '../queries/hydrate.js';
export { statusRevisions, type StatusRevisionView } from '../queries/status-revisions.js';
export { findPollOfStatus, findVisiblePoll } from '../queries/polls.js';
export { endDuePolls, POLL_LIMITS, voteInPoll, type PollInput } from '../operations/polls/index.js';
export {
  findScheduledStatus,
  listScheduledStatuses,
  type ScheduledStatusView,
} from '../queries/scheduled-statuses.js';
export {
  cancelScheduledStatus,
  publishDueScheduledStatuses,
  rescheduleStatus,
  scheduleStatus,
} from '../operations/scheduled/index.js';
export type { StatusView, StatusFilterMatch, PollView, MediaView } from '../queries/views.js';
