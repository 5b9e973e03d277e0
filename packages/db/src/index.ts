/**
 * @murmur/db: the only road to the database. It exposes operations (which enforce the rules and
 * write events to the outbox in the same transaction) and read queries (keyset-paginated, a constant
 * number of queries per page). Tables are not exported; services never write SQL.
 */
export {
  createDatabase,
  readFromPrimaryForThisRequest,
  readsFromPrimary,
  withReadRouting,
  RecentWriters,
  READ_YOUR_WRITES_WINDOW_MS,
  type Database,
  type DatabaseConfig,
  type Executor,
} from './client.js';
export { withTransaction, isTransientDatabaseError, isUniqueViolation } from './transaction.js';
export { DomainError, isDomainError, type DomainErrorCode } from './errors.js';
export { migrateDatabase, createDatabaseIfMissing, MIGRATIONS_FOLDER } from './migrate.js';
export {
  MIN_BCRYPT_COST,
  DEFAULT_BCRYPT_COST,
  MIN_PASSWORD_LENGTH,
  MAX_PASSWORD_LENGTH,
  checkPasswordPolicy,
} from './passwords.js';
export {
  VISIBILITIES,
  NOTIFICATION_TYPES,
  MEDIA_TYPES,
  type Visibility,
  type NotificationType,
  type MediaType,
  type MediaMeta,
  type MediaFileMeta,
  type MediaProcessingState,
} from './schema/index.js';

// Operations
export {
  registerAccount,
  authenticate,
  changePassword,
  updateProfile,
  findAccountById,
  findAccountByUsername,
  MAX_DISPLAY_NAME_LENGTH,
  MAX_NOTE_LENGTH,
  type AccountRow,
  type RegisterAccountInput,
  type ProfileChanges,
  type PasswordOptions,
} from './operations/accounts.js';
export {
  createStatus,
  type CreatedStatus,
  deleteStatus,
  getVisibleStatus,
  resolveStatusTarget,
  type StatusActionInput,
  type StatusTarget,
  favouriteStatus,
  unfavouriteStatus,
  reblogStatus,
  unreblogStatus,
  type StatusRow,
  type CreateStatusInput,
  type CreateStatusOptions,
} from './operations/statuses/index.js';
export {
  followAccount,
  unfollowAccount,
  type FollowInput,
  relationships,
  type Relationship,
} from './operations/follows.js';
export {
  getFederationEntry,
  setFederationEntry,
  deleteFederationEntry,
  compareAndSetFederationEntry,
  listFederationEntries,
  deleteExpiredFederationEntries,
  type FederationKey,
} from './operations/federation/kv-store.js';
export {
  findActorKeys,
  storeActorKey,
  type StoredActorKey,
} from './operations/federation/actor-keys.js';
export {
  upsertRemoteAccount,
  findRemoteAccount,
  type RemoteActorProfile,
} from './operations/federation/remote-accounts.js';
export {
  recordRemoteActivity,
  type RemoteActivityInput,
} from './operations/federation/record-remote-activity.js';
export { ACTOR_KEY_ALGORITHMS, type ActorKeyAlgorithm } from './schema/index.js';
export { bookmarkStatus } from './operations/bookmark-status.js';
export { unbookmarkStatus } from './operations/unbookmark-status.js';
export { pinStatus, MAX_PINNED_STATUSES } from './operations/pin-status.js';
export { unpinStatus } from './operations/unpin-status.js';
export { featureTag, MAX_FEATURED_TAGS } from './operations/feature-tag.js';
export { unfeatureTag } from './operations/unfeature-tag.js';
export { followTag } from './operations/follow-tag.js';
export { unfollowTag } from './operations/unfollow-tag.js';
export { hashtagName } from './operations/tag-rows.js';
export { setAccountNote, MAX_ACCOUNT_NOTE_LENGTH } from './operations/set-account-note.js';
export { endorseAccount } from './operations/endorse-account.js';
export { unendorseAccount } from './operations/unendorse-account.js';
export { removeFromFollowers } from './operations/remove-from-followers.js';
export { dismissSuggestion } from './operations/dismiss-suggestion.js';

// Media attachments, avatars and headers
export { createMediaUpload, type MediaUploadInput } from './operations/media/create-upload.js';
export {
  findPendingMedia,
  markMediaProcessed,
  markMediaFailed,
  mediaExists,
  type PendingMedia,
  type ProcessedMedia,
} from './operations/media/processing.js';
export { updateMedia, type MediaChanges } from './operations/media/update-media.js';
export { deleteUnattachedMedia } from './operations/media/delete-unattached.js';
export { MAX_MEDIA_PER_STATUS } from './operations/media/attach-to-status.js';
export { MAX_MEDIA_DESCRIPTION_LENGTH, type Focus } from './operations/media/rules.js';
export { removeExpiredMedia, type ExpiredMediaOptions } from './operations/media/cleanup.js';
export { setProfileImage, type ProfileImageKind } from './operations/media/profile-images.js';
export { findOwnMedia } from './queries/media.js';

// Read queries
export { clampLimit, type Page } from './queries/pagination.js';
export type {
  AccountView,
  StatusView,
  NotificationView,
  TagView,
  TagDetailView,
  FeaturedTagView,
  MediaView,
} from './queries/views.js';
export { hydrateAccounts, hydrateStatuses } from './queries/hydrate.js';
export {
  publicTimeline,
  tagTimeline,
  accountStatuses,
  statusContext,
  findVisibleStatus,
  favouritedStatuses,
  bookmarkedStatuses,
  pinnedStatuses,
  visibleStatuses,
  type FavouritesPage,
  type StatusContext,
  type AccountStatusesFilter,
} from './queries/timelines.js';
export { homeTimeline, explainHomePage } from './queries/home-timeline.js';
export {
  fanOutStatus,
  fanOutStatusesOnce,
  removeStatusFromFeeds,
  addAuthorToFeed,
  removeAuthorFromFeed,
  buildHomeFeed,
  homeFeedNeedsBuild,
  trimHomeFeeds,
  type FanOutEvent,
  type FanOutOutcome,
  type FanOutResult,
  type RemoveAuthorOptions,
  type TrimResult,
} from './operations/home-feeds.js';
export { HOME_FEED_LENGTH, HEAVY_AUTHOR_FOLLOWERS } from './operations/home-feed-rules.js';
export {
  followersOf,
  followingOf,
  favouritedBy,
  rebloggedBy,
  endorsementsOf,
  directoryAccounts,
  followSuggestions,
  familiarFollowers,
  type AccountPage,
  type SuggestedAccount,
} from './queries/accounts.js';
export {
  findTagDetails,
  followedTags,
  featuredTagsOf,
  featuredTagSuggestions,
  TAG_HISTORY_DAYS,
  type FollowedTagsPage,
} from './queries/tags.js';
export {
  searchAccounts,
  searchHashtags,
  searchStatuses,
  findTagByName,
  type SearchOptions,
} from './queries/search.js';
export { isSnowflakeId, snowflakeFromDate, dateFromSnowflake } from './ids.js';

// --- OAuth, notifications, markers, rate limits (used by the API) ---
export {
  listNotifications,
  getNotification,
  unreadNotificationsCount,
  DEFAULT_UNREAD_LIMIT,
  MAX_UNREAD_LIMIT,
  type NotificationFilter,
} from './queries/notifications.js';
export {
  listNotificationGroups,
  getNotificationGroup,
  listNotificationGroupAccounts,
  unreadNotificationGroupsCount,
  GROUPING_SCAN_LIMIT,
  type GroupedNotificationFilter,
  type NotificationGroupView,
  type NotificationGroupPage,
} from './queries/notification-groups.js';
export {
  notificationGroupKey,
  parseGroupKey,
  GROUPABLE_NOTIFICATION_TYPES,
} from './queries/notification-group-keys.js';
export {
  dismissNotification,
  dismissNotificationGroup,
  clearNotifications,
} from './operations/notifications.js';
export {
  getMarkers,
  saveMarkers,
  MARKER_TIMELINES,
  type MarkerTimeline,
  type MarkerView,
} from './operations/markers.js';
export {
  readDailyStatistics,
  readInstanceCounts,
  type DailyStatistics,
  type InstanceCounts,
} from './queries/statistics-read.js';
export {
  registerApplication,
  ensureFirstPartyApplication,
  findApplicationByClientId,
  findApplicationById,
  verifyClientCredentials,
  createAuthorizationCode,
  redeemAuthorizationCode,
  issueAccessToken,
  authenticateAccessToken,
  type AuthenticatedToken,
  revokeAccessToken,
  revokeAccessTokenById,
  listAuthorizedApplications,
  revokeApplicationForAccount,
  pkceS256Challenge,
  type ApplicationRow,
  type AccessTokenRow,
  type AuthorizedApplication,
} from './operations/oauth.js';
export {
  addRateLimitHits,
  hitRateLimit,
  deleteExpiredRateLimits,
  type RateLimitHits,
  type RateLimitResult,
} from './operations/rate-limits.js';

// --- Outbox relay, consumers, email ledger, dead letters, statistics (used by the worker) ---
export {
  relayOutboxBatch,
  reconcileOutboxBatch,
  rescheduleUnprocessedOutboxEvents,
  deleteProcessedOutboxEvents,
  outboxBacklog,
  listenForOutbox,
  type OutboxRow,
  type PublishOutcome,
  type PublishBatch,
  type RelayBatchOptions,
  type RelayBatchResult,
  type ConsumersByEventType,
  type ReconcileBatchOptions,
  type ReconcileBatchResult,
  type OutboxBacklog,
  type OutboxListener,
  type ListenForOutboxOptions,
} from './operations/relay.js';
export {
  countProcessedEvents,
  markEventProcessed,
  deleteOldProcessedEvents,
  PROCESSED_EVENTS_RETENTION_MS,
} from './operations/consumers.js';
export {
  applyNotificationChanges,
  notificationChangeFor,
  recordMentionsProcessed,
  NOTIFYING_EVENT_TYPES,
  type MentionContext,
  type MentionEmailOutcome,
  type NotificationChange,
  type NotifyOutcome,
  type NotifyRequest,
  type ProcessedMention,
} from './operations/notify.js';
export {
  claimEmailDelivery,
  recordEmailOutcome,
  countEmailDeliveries,
  type EmailClaim,
  type EmailDeliveryKey,
  type EmailDeliveryRow,
  type EmailOutcome,
} from './operations/email-deliveries.js';
export {
  recordDeadLetter,
  listDeadLetters,
  countDeadLetters,
  type DeadLetterInput,
  type DeadLetterRow,
} from './operations/dead-letters.js';
export {
  utcDay,
  addDays,
  countEventsInDailyStats,
  computeDailyStatsFromSources,
  recomputeDailyStats,
  finalizeFinishedDays,
  refreshTodayStats,
  getDailyStats,
  type DailyStatsNumbers,
  type DailyStatsRow,
  type StatisticsEvent,
} from './operations/statistics.js';

// --- Website sessions (used by the frontend) ---
export {
  createWebSession,
  loadWebSession,
  deleteWebSession,
  deleteExpiredWebSessions,
  DEFAULT_WEB_SESSION_TIMEOUTS,
  type WebSessionRow,
  type WebSessionTimeouts,
  type LoadedWebSession,
  type SessionAccount,
} from './operations/web-sessions.js';
export { checkDurabilitySettings, type DurabilityReport } from './durability.js';

export {
  claimEmailDeliveries,
  type EmailClaimOptions,
  type EmailDeliveryRequest,
} from './operations/email-deliveries.js';
export { relayOutbox, DEFAULT_RELAY_LEASE_MS } from './operations/relay.js';
