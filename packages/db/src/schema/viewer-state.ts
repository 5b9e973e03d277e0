/**
 * What only its owner sees: bookmarks, followed hashtags, private notes on accounts and dismissed
 * follow suggestions. Nobody else's view changes with them, so they write no events (ARCHITECTURE.md).
 */
import { sql } from 'drizzle-orm';
import {
  check,
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { createdAt, snowflake, snowflakeDefault } from './columns.js';
import { statuses, tags } from './statuses.js';

export const bookmarks = pgTable(
  'bookmarks',
  {
    /** The page cursor of GET /api/v1/bookmarks: most recently bookmarked first. */
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    statusId: snowflake('status_id')
      .notNull()
      .references(() => statuses.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('bookmarks_account_status_key').on(t.accountId, t.statusId),
    index('bookmarks_account_idx').on(t.accountId, t.id),
    // "Has anyone bookmarked it": the streaming audience reads viewers' flags only for a status
    // someone interacted with (and the status's delete cascades here).
    index('bookmarks_status_idx').on(t.statusId),
  ],
);

export const tagFollows = pgTable(
  'tag_follows',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    tagId: snowflake('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('tag_follows_account_tag_key').on(t.accountId, t.tagId),
    index('tag_follows_tag_idx').on(t.tagId),
  ],
);

/** A private note about another account (`note` in Relationship); an empty note is no row. */
export const accountNotes = pgTable(
  'account_notes',
  {
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    targetAccountId: snowflake('target_account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    comment: text('comment').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.targetAccountId] }),
    check('account_notes_comment_length', sql`char_length(${t.comment}) between 1 and 2000`),
  ],
);

/** Follow suggestions someone dismissed (DELETE /api/v1/suggestions/:id); never suggested again. */
export const suggestionDismissals = pgTable(
  'suggestion_dismissals',
  {
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    targetAccountId: snowflake('target_account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.targetAccountId] })],
);
