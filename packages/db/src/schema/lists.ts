/**
 * Lists: named subsets of the accounts one follows, each with its own timeline. Private to their
 * owner (nobody else can see a list, its members or its timeline), so their changes write no
 * events. A list's timeline is precomputed like the home feed (`list_feed_entries`, filled by the
 * home-feeds consumer's fan-out).
 */
import { sql } from 'drizzle-orm';
import { boolean, check, index, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts, follows } from './accounts.js';
import { createdAt, snowflake, snowflakeDefault } from './columns.js';

/** Which replies a list shows (Mastodon's `replies_policy`). */
export const LIST_REPLIES_POLICIES = ['followed', 'list', 'none'] as const;
export type ListRepliesPolicy = (typeof LIST_REPLIES_POLICIES)[number];

export const lists = pgTable(
  'lists',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    repliesPolicy: text('replies_policy', { enum: LIST_REPLIES_POLICIES })
      .notNull()
      .default('list'),
    /** Members' posts are left out of the owner's home timeline. */
    exclusive: boolean('exclusive').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    index('lists_account_idx').on(t.accountId, t.id),
    check('lists_title_length', sql`char_length(${t.title}) between 1 and 256`),
    check('lists_replies_policy', sql`${t.repliesPolicy} in ('followed', 'list', 'none')`),
  ],
);

/**
 * A member of a list. It hangs on the owner's follow of the member: unfollowing (or being removed
 * from their followers) takes the account out of every list of the owner, by the cascade.
 */
export const listAccounts = pgTable(
  'list_accounts',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    listId: snowflake('list_id')
      .notNull()
      .references(() => lists.id, { onDelete: 'cascade' }),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    followId: snowflake('follow_id')
      .notNull()
      .references(() => follows.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('list_accounts_list_account_key').on(t.listId, t.accountId),
    // The fan-out finds the lists holding a post's author; the home rules, an exclusive list
    // holding a followed account (through the follow).
    index('list_accounts_account_idx').on(t.accountId),
    index('list_accounts_follow_idx').on(t.followId),
  ],
);

/**
 * A list's precomputed timeline, as `home_feed_entries` for the home: no foreign keys (see there);
 * the read checks each row against `statuses` and `list_accounts`.
 */
export const listFeedEntries = pgTable(
  'list_feed_entries',
  {
    listId: snowflake('list_id').notNull(),
    statusId: snowflake('status_id').notNull(),
    authorId: snowflake('author_id').notNull(),
    reblogOfId: snowflake('reblog_of_id'),
  },
  (t) => [primaryKey({ columns: [t.listId, t.statusId] })],
);
