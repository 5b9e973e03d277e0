/**
 * @murmur/db/safety: what a person hides from themselves: blocks, mutes (accounts and
 * conversations), domain blocks and content filters. Every query applies them (queries/exclusions.ts,
 * and filters through hydration).
 */
export { blockAccount } from '../operations/safety/block-account.js';
export { unblockAccount } from '../operations/safety/unblock-account.js';
export { muteAccount } from '../operations/safety/mute-account.js';
export { unmuteAccount } from '../operations/safety/unmute-account.js';
export { muteConversation, unmuteConversation } from '../operations/safety/mute-conversation.js';
export { blockDomain, unblockDomain } from '../operations/safety/block-domain.js';
export { domainBlocksOf } from '../queries/domain-blocks.js';
export { blockedBy } from '../queries/accounts.js';
export { mutedAccounts } from '../queries/mutes.js';
export { createFilter } from '../operations/filters/create-filter.js';
export {
  updateFilter,
  deleteFilter,
  type KeywordChange,
} from '../operations/filters/update-filter.js';
export {
  addFilterKeyword,
  updateFilterKeyword,
  removeFilterKeyword,
  addFilterStatus,
  removeFilterStatus,
} from '../operations/filters/filter-parts.js';
export {
  filtersOf,
  findFilter,
  findFilterByKeyword,
  findFilterByStatusEntry,
  type FilterView,
  type FilterKeywordView,
  type FilterStatusView,
} from '../queries/filters.js';
