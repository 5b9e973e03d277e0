/**
 * @murmur/db/timelines: reading pages of statuses: home (from the precomputed feed), public, tag,
 * an account's, a thread, favourites, bookmarks, pinned, and statuses by id. Each page is one statement.
 */
export {
  publicTimeline,
  type PublicTimelineScope,
  tagTimeline,
  accountStatuses,
  statusContext,
  findVisibleStatus,
  favouritedStatuses,
  bookmarkedStatuses,
  pinnedStatuses,
  visibleStatuses,
} from '../queries/timelines.js';
export { homeTimeline, explainHomePage } from '../queries/home-timeline.js';
