/**
 * @murmur/db: the only road to the database. It exposes operations (which enforce the rules and
 * write events to the outbox in the same transaction) and read queries (keyset-paginated, a constant
 * number of queries per page). Tables are not exported; services never write SQL.
 */
export { createDatabase, type Database, type DatabaseConfig, type Executor } from './client.js';
export {
  withTransaction,
  isTransientDatabaseError,
  isUniqueViolation,
} from './transaction.js';
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
  homeTimeline,
  tagTimeline,
  accountStatuses,
  statusContext,
  type StatusContext,
  type AccountStatusesFilter,
} from './queries/timelines.js';
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
export { snowflakeFromDate, dateFromSnowflake } from './ids.js';
