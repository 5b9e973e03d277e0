/**
 * @murmur/db/feeds: the precomputed home and list feeds: the worker's fan-out and feed events, feed
 * building and trimming, and lists (their members and their timeline).
 */
export {
  fanOutChunk,
  fanOutStatus,
  fanOutStatusesOnce,
  fanOutToTagsAndLists,
  trimHomeFeeds,
  type FanOutChunkResult,
  type FanOutEvent,
  type FanOutOutcome,
} from '../operations/home-feeds.js';
export { FAN_OUT_CHUNK, HEAVY_AUTHOR_FOLLOWERS } from '../operations/home-feed-rules.js';
export {
  applyHomeFeedEvent,
  HOME_FEED_EVENT_TYPES,
  type HomeFeedEvent,
} from '../operations/home-feed-events.js';
export {
  listsOf,
  findOwnList,
  listsHoldingAccount,
  listMembers,
  listTimeline,
  type ListView,
} from '../queries/lists.js';
export { createList } from '../operations/lists/create-list.js';
export { updateList } from '../operations/lists/update-list.js';
export { deleteList } from '../operations/lists/delete-list.js';
export { addListAccounts } from '../operations/lists/add-list-accounts.js';
export { removeListAccounts } from '../operations/lists/remove-list-accounts.js';
export { trimListFeeds } from '../operations/lists/trim-list-feeds.js';
