import { pgTable, timestamp } from 'drizzle-orm/pg-core';
import { snowflake } from './columns.js';
import { accounts } from './accounts.js';

/**
 * When each account last wrote through the API, shared by every API process: with a lagging read
 * replica, a person's reads go to the primary for a few seconds after a write, whichever replica of
 * the API their next request reaches. The token lookup every authenticated request already makes on
 * the primary reads it, so knowing costs no extra round trip; recording costs one small upsert per
 * write (at most one a second per account), and only when a read replica is configured.
 */
export const accountWriteMarks = pgTable('account_write_marks', {
  accountId: snowflake('account_id')
    .primaryKey()
    .references(() => accounts.id, { onDelete: 'cascade' }),
  wroteAt: timestamp('wrote_at', { withTimezone: true }).notNull(),
});
