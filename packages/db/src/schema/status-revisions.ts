/**
 * What a status can carry besides its text, and how it changes after posting: its revisions
 * (edits) and its poll with the votes cast in it.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { MediaView } from '../queries/views.js';
import { accounts } from './accounts.js';
import { createdAt, snowflake, snowflakeDefault } from './columns.js';
import { statuses } from './statuses.js';

/**
 * A status's revisions, oldest first. The first edit also stores the original as it was posted
 * (with the status's creation time), so the history always starts with what was first published.
 */
export const statusEdits = pgTable(
  'status_edits',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    statusId: snowflake('status_id')
      .notNull()
      .references(() => statuses.id, { onDelete: 'cascade' }),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    text: text('text').notNull(),
    spoilerText: text('spoiler_text').notNull().default(''),
    sensitive: boolean('sensitive').notNull().default(false),
    /** The poll's option titles at this revision; null without a poll. */
    pollOptions: text('poll_options').array(),
    /**
     * The attachments at this revision, in order, as they were described then (MediaView JSON).
     * Null for revisions stored before attachments could change: they show the current ones.
     */
    media: jsonb('media').$type<MediaView[]>(),
    /** A remote status's sanitized HTML at this revision (null for local statuses: `text` is it). */
    contentHtml: text('content_html'),
    createdAt: createdAt(),
  },
  (t) => [index('status_edits_status_idx').on(t.statusId, t.id)],
);

/** One poll per status. Vote counts are kept in the row, updated by each vote's transaction. */
export const polls = pgTable(
  'polls',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    statusId: snowflake('status_id')
      .notNull()
      .references(() => statuses.id, { onDelete: 'cascade' }),
    /** The status's author. */
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    options: text('options').array().notNull(),
    /** Votes per option, in the order of `options`. */
    optionVotes: integer('option_votes').array().notNull(),
    multiple: boolean('multiple').notNull().default(false),
    hideTotals: boolean('hide_totals').notNull().default(false),
    votesCount: integer('votes_count').notNull().default(0),
    votersCount: integer('voters_count').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** When the worker claimed the ended poll and wrote its PollEnded event (exactly once). */
    endAnnouncedAt: timestamp('end_announced_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('polls_status_key').on(t.statusId),
    check('polls_options_count', sql`cardinality(${t.options}) between 2 and 10`),
    // The periodic job looks for ended polls not announced yet.
    index('polls_unannounced_end_idx')
      .on(t.expiresAt)
      .where(sql`${t.endAnnouncedAt} is null`),
  ],
);

/** One row per chosen option; a voter's choices are all written by one vote. */
export const pollVotes = pgTable(
  'poll_votes',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    pollId: snowflake('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    /** Index into the poll's options. */
    choice: smallint('choice').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('poll_votes_poll_account_choice_key').on(t.pollId, t.accountId, t.choice)],
);
