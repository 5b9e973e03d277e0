/**
 * Announcements the operator publishes to everyone on the server (Mastodon's announcements): shown
 * by apps above the home timeline, with emoji reactions anyone can add and a "read" mark per person.
 */
import { sql } from 'drizzle-orm';
import { boolean, check, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { createdAt, snowflake, snowflakeDefault } from './columns.js';

export const announcements = pgTable(
  'announcements',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    /** Plain text, formatted like a status (links, mentions, hashtags) when served. */
    text: text('text').notNull(),
    /** Local accounts the text mentions, resolved when it was published. */
    mentionedAccountIds: snowflake('mentioned_account_ids')
      .array()
      .notNull()
      .default(sql`'{}'`),
    startsAt: timestamp('starts_at', { withTimezone: true }),
    endsAt: timestamp('ends_at', { withTimezone: true }),
    allDay: boolean('all_day').notNull().default(false),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [
    check(
      'announcements_period',
      sql`${t.startsAt} is null or ${t.endsAt} is null or ${t.startsAt} < ${t.endsAt}`,
    ),
    index('announcements_active_idx').on(t.endsAt),
  ],
);

/** "I have read it": the announcement is still listed, with `read: true`. Only its owner sees it. */
export const announcementDismissals = pgTable(
  'announcement_dismissals',
  {
    announcementId: snowflake('announcement_id')
      .notNull()
      .references(() => announcements.id, { onDelete: 'cascade' }),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.announcementId, t.accountId] })],
);

/** One emoji reaction of one account; the announcement shows the count per emoji. */
export const announcementReactions = pgTable(
  'announcement_reactions',
  {
    announcementId: snowflake('announcement_id')
      .notNull()
      .references(() => announcements.id, { onDelete: 'cascade' }),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.announcementId, t.name, t.accountId] })],
);
