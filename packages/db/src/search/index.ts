/**
 * @murmur/db/search: finding things: accounts, hashtags and statuses by text, and what is trending.
 */
export {
  searchAccounts,
  searchHashtags,
  searchStatuses,
  findTagByName,
} from '../queries/search.js';
export { trendingTagIds, trendingStatusIds } from '../queries/trends.js';
