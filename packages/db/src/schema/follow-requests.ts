/** Follows of locked accounts wait here until the target accepts (a follow) or rejects them. */
import { sql } from 'drizzle-orm';
import { check, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { createdAt, snowflake, snowflakeDefault } from './columns.js';

export const followRequests = pgTable(
  'follow_requests',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    /** Who asks to follow. */
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    /** The locked account asked. */
    targetAccountId: snowflake('target_account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    /**
     * The id of the remote `Follow` activity that asked (null for a local requester), carried to
     * the follow when the request is authorized.
     */
    activityUri: text('activity_uri'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('follow_requests_account_target_key').on(t.accountId, t.targetAccountId),
    // The target's list of pending requests, newest first, paged by id.
    uniqueIndex('follow_requests_target_id_key').on(t.targetAccountId, t.id),
    check('follow_requests_not_self', sql`${t.accountId} <> ${t.targetAccountId}`),
  ],
);
