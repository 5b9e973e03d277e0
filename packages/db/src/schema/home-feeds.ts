import { pgTable, primaryKey, timestamp } from 'drizzle-orm/pg-core';
import { snowflake } from './columns.js';

/**
 * Precomputed home feeds (fan-out on write): one row per (reader, status) the worker pushed into
 * the reader's home. A cache of what the pull query would answer, bounded per reader (the newest
 * `HOME_FEED_LENGTH`, trimmed by the worker). No foreign keys on purpose: each one would cost a
 * trigger and a lookup per row on a table written a thousand rows per post, and the read joins
 * `statuses` and `follows` for the page's rows anyway, so an entry whose status is deleted or whose
 * author is no longer followed is never shown.
 */
export const homeFeedEntries = pgTable(
  'home_feed_entries',
  {
    accountId: snowflake('account_id').notNull(),
    statusId: snowflake('status_id').notNull(),
    authorId: snowflake('author_id').notNull(),
    reblogOfId: snowflake('reblog_of_id'),
  },
  // The primary key is the only index: every other lookup (a status's entries, an author's entries
  // in one feed) goes through the reader's key range, at most HOME_FEED_LENGTH rows.
  (t) => [primaryKey({ columns: [t.accountId, t.statusId] })],
);

/**
 * Which feeds are built, and what they cover: the feed holds every home status with an id at or
 * above `completeFromId` ('0': since the beginning), and it reflects every follow with an id below
 * `followsMergedBeforeId`. Older pages come from the pull query; a follow made later makes the
 * reader's next read rebuild the feed.
 */
export const homeFeedState = pgTable('home_feed_state', {
  accountId: snowflake('account_id').primaryKey(),
  completeFromId: snowflake('complete_from_id').notNull(),
  followsMergedBeforeId: snowflake('follows_merged_before_id').notNull(),
  builtAt: timestamp('built_at', { withTimezone: true }).notNull().defaultNow(),
});
