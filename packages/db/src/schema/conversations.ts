/**
 * Direct conversations (Mastodon's account conversations): for each participant of a thread of
 * direct messages, one row per set of other participants, with the thread's direct statuses, the
 * newest one, and whether it is unread. Written by the worker from PostCreated of direct statuses;
 * private to the participant, so reading, marking read and removing write no events.
 */
import { bigint, boolean, index, pgTable, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { snowflake, snowflakeDefault } from './columns.js';

export const accountConversations = pgTable(
  'account_conversations',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    /** The first status of the thread (its conversation). */
    threadId: snowflake('thread_id').notNull(),
    /** The other participants, sorted (the author and the mentioned accounts, minus this one). */
    participantIds: bigint('participant_ids', { mode: 'bigint' }).array().notNull(),
    /** The thread's direct statuses this participant takes part in, oldest first. */
    statusIds: bigint('status_ids', { mode: 'bigint' }).array().notNull(),
    lastStatusId: snowflake('last_status_id').notNull(),
    unread: boolean('unread').notNull().default(false),
  },
  (t) => [
    uniqueIndex('account_conversations_key').on(t.accountId, t.threadId, t.participantIds),
    // The list of conversations, newest message first, paged by it (as Mastodon).
    index('account_conversations_account_last_idx').on(t.accountId, t.lastStatusId.desc()),
  ],
);
