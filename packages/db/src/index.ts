/**
 * @murmur/db: the only road to the database. It exposes operations (which enforce the rules and
 * write events to the outbox in the same transaction) and read queries (keyset-paginated, a constant
 * number of queries per page). Tables are not exported; services never write SQL.
 */
export { createDatabase, type Database, type DatabaseConfig, type Executor } from './client.js';
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
  type Visibility,
  type NotificationType,
} from './schema/index.js';

// Operations
export {
  registerAccount,
  authenticate,
  changePassword,
  updateProfile,
  findAccountById,
  findAccountByUsername,
  findAccountsByUsernames,
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
  favouriteStatus,
  unfavouriteStatus,
  reblogStatus,
  unreblogStatus,
  type StatusRow,
  type CreateStatusInput,
  type CreateStatusOptions,
} from './operations/statuses.js';
export {
  followAccount,
  unfollowAccount,
  relationships,
  type Relationship,
} from './operations/follows.js';
export { enqueueEvents } from './operations/outbox.js';

// Read queries
export { clampLimit, type Page } from './queries/pagination.js';
export type { AccountView, StatusView, NotificationView, TagView } from './queries/views.js';
export { hydrateAccounts, hydrateStatuses } from './queries/hydrate.js';
export {
  publicTimeline,
  tagTimeline,
  accountStatuses,
  statusContext,
  findVisibleStatus,
  favouritedStatuses,
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
  type AccountPage,
} from './queries/accounts.js';
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
export { dismissNotification, clearNotifications } from './operations/notifications.js';
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
  hitRateLimit,
  deleteExpiredRateLimits,
  type RateLimitResult,
} from './operations/rate-limits.js';

// --- Outbox relay, consumers, email ledger, dead letters, statistics (used by the worker) ---
export {
  relayOutboxBatch,
  reconcileOutboxBatch,
  deleteProcessedOutboxEvents,
  outboxBacklog,
  listenForOutbox,
  OUTBOX_CHANNEL,
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
  isEventProcessed,
  processEventOnce,
  markEventProcessed,
  loadMentionContext,
  startMentionNotification,
  createMentionNotification,
  recordMentionProcessed,
  countProcessedEvents,
  type MentionContext,
  type MentionStart,
  type ProcessOnceResult,
} from './operations/consumers.js';
export {
  claimEmailDelivery,
  recordEmailOutcome,
  recordSkippedEmail,
  findEmailDelivery,
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
  countPostInDailyStats,
  countMentionInDailyStats,
  countEventsInDailyStats,
  computeDailyStatsFromSources,
  recomputeDailyStats,
  finalizeFinishedDays,
  refreshTodayStats,
  getDailyStats,
  listDailyStats,
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

// --- Batched steps of the notifications consumer (group commit in the worker) ---
export {
  startMentionNotifications,
  recordMentionsProcessed,
  type MentionEvent,
  type MentionEmailOutcome,
  type ProcessedMention,
} from './operations/consumers.js';
export {
  claimEmailDeliveries,
  type EmailClaimOptions,
  type EmailDeliveryRequest,
} from './operations/email-deliveries.js';
export { relayOutbox, DEFAULT_RELAY_LEASE_MS } from './operations/relay.js';
