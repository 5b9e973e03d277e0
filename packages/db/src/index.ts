/**
 * @murmur/db: the only road to the database. This root holds the core every caller needs: the
 * connection (`createDatabase`, read routing), transactions, domain errors, ids, pages and migrations.
 * Operations (which enforce the rules and write their events to the outbox in the same transaction)
 * and read queries live in one subpath per concern, e.g. `@murmur/db/statuses`, `@murmur/db/feeds`
 * (the list is in packages/db/README.md). Tables are not exported; services never write SQL.
 */
export {
  createDatabase,
  readFromPrimaryForThisRequest,
  withReadRouting,
  RecentWriters,
  READ_YOUR_WRITES_WINDOW_MS,
  type Database,
  type Executor,
} from './client.js';
export { markAccountWrote } from './operations/mark-account-wrote.js';
export { withTransaction, isTransientDatabaseError } from './transaction.js';
export { DomainError, isDomainError, type DomainErrorCode } from './errors.js';
export { migrateDatabase, createDatabaseIfMissing } from './migrate.js';
export { checkDurabilitySettings } from './durability.js';
export { isSnowflakeId } from './ids.js';
export { clampLimit, type Page } from './queries/pagination.js';
