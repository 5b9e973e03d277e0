/**
 * @murmur/db/follows: the social graph between accounts: follows and follow requests, the
 * relationship a viewer has with others, endorsements, private notes, and who to follow.
 */
export {
  followAccount,
  unfollowAccount,
  relationships,
  type Relationship,
} from '../operations/follows.js';
export {
  authorizeFollowRequest,
  rejectFollowRequest,
  type FollowRequestInput,
} from '../operations/follow-requests.js';
export { removeFromFollowers } from '../operations/remove-from-followers.js';
export { endorseAccount } from '../operations/endorse-account.js';
export { unendorseAccount } from '../operations/unendorse-account.js';
export { setAccountNote } from '../operations/set-account-note.js';
export { dismissSuggestion } from '../operations/dismiss-suggestion.js';
export {
  followersOf,
  followingOf,
  endorsementsOf,
  followSuggestions,
  familiarFollowers,
  followRequestsOf,
  pendingFollowRequestsCount,
} from '../queries/accounts.js';
