/**
 * @murmur/db/tags: hashtags: following and featuring them, their details and usage history.
 */
export { followTag } from '../operations/follow-tag.js';
export { unfollowTag } from '../operations/unfollow-tag.js';
export { featureTag, MAX_FEATURED_TAGS } from '../operations/feature-tag.js';
export { unfeatureTag } from '../operations/unfeature-tag.js';
export { hashtagName } from '../operations/tag-rows.js';
export {
  findTagDetails,
  tagDetailsByIds,
  followedTags,
  featuredTagsOf,
  featuredTagSuggestions,
  TAG_HISTORY_DAYS,
} from '../queries/tags.js';
export type { TagView, TagDetailView, FeaturedTagView } from '../queries/views.js';
