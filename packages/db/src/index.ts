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
export { markAccountWrote } from './operations/mark-account-wrote.js';
export {
  publishAnnouncement,
  withdrawAnnouncement,
  addAnnouncementReaction,
  removeAnnouncementReaction,
  dismissAnnouncement,
  isReactionEmoji,
  MAX_ANNOUNCEMENT_CHARACTERS,
  MAX_ANNOUNCEMENT_REACTIONS,
  type PublishAnnouncementInput,
} from './operations/announcements/index.js';
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
  editStatus,
  type EditStatusInput,
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
export {
  requestPasswordReset,
  requestEmailConfirmation,
  findAccountTokenEmail,
  issueAccountTokenSecret,
  findAccountTokenOwner,
  resetPassword,
  confirmEmail,
  requireConfirmedEmail,
  PASSWORD_RESET_TTL_MS,
  EMAIL_CONFIRMATION_TTL_MS,
  type AccountTokenEmail,
} from './operations/account-tokens.js';
export { ACCOUNT_TOKEN_PURPOSES, type AccountTokenPurpose } from './schema/index.js';
export {
  authorizeFollowRequest,
  rejectFollowRequest,
  type FollowRequestInput,
} from './operations/follow-requests.js';
export { dismissSuggestion } from './operations/dismiss-suggestion.js';

// Blocks and mutes (what they hide: queries/exclusions.ts)
export { blockAccount, type BlockInput } from './operations/safety/block-account.js';
export { unblockAccount } from './operations/safety/unblock-account.js';
export {
  muteAccount,
  MAX_MUTE_DURATION_SECONDS,
  type MuteInput,
} from './operations/safety/mute-account.js';
export { unmuteAccount } from './operations/safety/unmute-account.js';
export { muteConversation, unmuteConversation } from './operations/safety/mute-conversation.js';
export { blockDomain, unblockDomain, normalizeDomain } from './operations/safety/block-domain.js';
export { domainBlocksOf, type DomainBlocksPage } from './queries/domain-blocks.js';

// Filters (v2; applied at read time by filterMatchesJson in hydration)
export {
  createFilter,
  type CreateFilterInput,
  type KeywordInput,
} from './operations/filters/create-filter.js';
export {
  updateFilter,
  deleteFilter,
  type UpdateFilterInput,
  type KeywordChange,
} from './operations/filters/update-filter.js';
export {
  addFilterKeyword,
  updateFilterKeyword,
  removeFilterKeyword,
  addFilterStatus,
  removeFilterStatus,
} from './operations/filters/filter-parts.js';
export {
  keywordPattern,
  MAX_FILTER_KEYWORD_LENGTH,
  MAX_FILTER_TITLE_LENGTH,
  MAX_KEYWORDS_PER_FILTER,
  MAX_FILTERS_PER_ACCOUNT,
} from './operations/filters/rules.js';
export {
  filtersOf,
  findFilter,
  findFilterByKeyword,
  findFilterByStatusEntry,
  type FilterView,
  type FilterKeywordView,
  type FilterStatusView,
} from './queries/filters.js';
export { mutedAccounts, type MutedAccount, type MutedAccountsPage } from './queries/mutes.js';

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
  StatusFilterMatch,
  PollView,
  NotificationView,
  TagView,
  TagDetailView,
  FeaturedTagView,
  MediaView,
} from './queries/views.js';
export { hydrateAccounts, hydrateStatuses } from './queries/hydrate.js';
export { statusRevisions, type StatusRevisionView } from './queries/status-revisions.js';
export { findVisiblePoll } from './queries/polls.js';
export {
  findScheduledStatus,
  listScheduledStatuses,
  type ScheduledStatusView,
} from './queries/scheduled-statuses.js';
export {
  cancelScheduledStatus,
  publishDueScheduledStatuses,
  rescheduleStatus,
  scheduleStatus,
  SCHEDULED_STATUS_RULES,
  type ScheduledPublishOutcome,
  type ScheduleStatusInput,
} from './operations/scheduled/index.js';
export {
  endDuePolls,
  POLL_LIMITS,
  validatePoll,
  voteInPoll,
  type PollInput,
  type ValidPoll,
  type VoteInput,
} from './operations/polls/index.js';
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
  removeStatusesFromFeeds,
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
  applyHomeFeedEvent,
  HOME_FEED_EVENT_TYPES,
  type HomeFeedEvent,
} from './operations/home-feed-events.js';
export {
  followersOf,
  followingOf,
  blockedBy,
  favouritedBy,
  rebloggedBy,
  endorsementsOf,
  directoryAccounts,
  followSuggestions,
  familiarFollowers,
  followRequestsOf,
  pendingFollowRequestsCount,
  type AccountPage,
  type SuggestedAccount,
} from './queries/accounts.js';
export {
  findTagDetails,
  tagDetailsByIds,
  followedTags,
  featuredTagsOf,
  featuredTagSuggestions,
  TAG_HISTORY_DAYS,
  type FollowedTagsPage,
} from './queries/tags.js';
export { activeAnnouncements, type AnnouncementView } from './queries/announcements.js';
export { trendingTagIds, trendingStatusIds, TRENDS_RANKING_SIZE } from './queries/trends.js';
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
  streamingAudience,
  followersAmong,
  listsReceiving,
  validTokenIds,
  notificationByFact,
  type ConnectedAccounts,
  type StreamingAudience,
  type StreamingViewer,
  type NotificationFact,
} from './queries/streaming.js';
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
export {
  listsOf,
  findOwnList,
  listsHoldingAccount,
  listMembers,
  listTimeline,
  type ListView,
  type ListMembersPage,
} from './queries/lists.js';
export { createList } from './operations/lists/create-list.js';
export { updateList } from './operations/lists/update-list.js';
export { deleteList } from './operations/lists/delete-list.js';
export { addListAccounts } from './operations/lists/add-list-accounts.js';
export { removeListAccounts } from './operations/lists/remove-list-accounts.js';
export { trimListFeeds } from './operations/lists/trim-list-feeds.js';
export {
  MAX_LIST_MEMBERS,
  MAX_LISTS_PER_ACCOUNT,
  MAX_LIST_TITLE_LENGTH,
} from './operations/lists/list-rules.js';
export { recordDirectMessageOnce } from './operations/conversations/record-direct-message.js';
export { markConversationRead } from './operations/conversations/mark-conversation-read.js';
export { removeConversation } from './operations/conversations/remove-conversation.js';
export {
  conversationsOf,
  findConversation,
  type ConversationView,
  type ConversationsPage,
} from './queries/conversations.js';

// Moderation: roles, reports, rules, actions on accounts, the audit log
export {
  ROLES,
  ACCOUNT_ROLES,
  PERMISSIONS,
  isAccountRole,
  isStaff,
  hasPermission,
  outranks,
  type AccountRole,
  type RoleDefinition,
} from './roles.js';
export { REPORT_CATEGORIES, type ReportCategory } from './schema/index.js';
export { signInRefusal } from './operations/moderation/sign-in-refusal.js';
export { setAccountRole } from './operations/moderation/set-account-role.js';
export {
  takeAccountAction,
  ACCOUNT_ACTIONS,
  ACCOUNT_UNDO_ACTIONS,
  type AccountAction,
  type AccountUndoAction,
  type AccountActionInput,
} from './operations/moderation/take-account-action.js';
export { reviewSignUp } from './operations/moderation/review-sign-up.js';
export {
  fileReport,
  MAX_REPORT_COMMENT_LENGTH,
  type FileReportInput,
  type ReportRow,
} from './operations/moderation/file-report.js';
export {
  changeReportState,
  REPORT_CHANGES,
  type ReportChange,
} from './operations/moderation/change-report-state.js';
export {
  listInstanceRules,
  addInstanceRule,
  removeInstanceRule,
  type InstanceRule,
} from './operations/moderation/instance-rules.js';
export type { ModeratorId } from './operations/moderation/moderator.js';
export {
  adminAccountsById,
  listAdminAccounts,
  findReport,
  listReports,
  listAuditLog,
  recentStatusesForModeration,
  type AdminAccountView,
  type AdminAccountFilter,
  type ReportView,
  type ReportFilter,
  type AuditLogEntry,
} from './queries/moderation.js';
export {
  findVisibleAccountById,
  findVisibleAccountByUsername,
} from './queries/visible-accounts.js';

// --- Web Push (api: subscriptions; worker: delivery) ---
export {
  WEB_PUSH_ALERTS,
  WEB_PUSH_POLICIES,
  type WebPushAlert,
} from './operations/web-push/subscription-input.js';
export {
  subscribeWebPush,
  type WebPushSubscriptionRow,
} from './operations/web-push/subscribe-web-push.js';
export { updateWebPushSubscription } from './operations/web-push/update-web-push-subscription.js';
export { unsubscribeWebPush } from './operations/web-push/unsubscribe-web-push.js';
export {
  claimWebPushTargets,
  type AnnouncedNotification,
  type WebPushClaim,
  type WebPushNotification,
} from './operations/web-push/claim-web-push-targets.js';
export {
  deleteOldWebPushDeliveries,
  finishWebPushEvents,
  type WebPushOutcome,
} from './operations/web-push/web-push-deliveries.js';
export { findWebPushSubscription } from './queries/web-push-subscription.js';
