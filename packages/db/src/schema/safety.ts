/**
 * What a person does to keep others out of their view: blocks, mutes, blocked domains and filters. Read by
 * the query layer (`queries/exclusions.ts`) and the notify step, so every reader (REST, website,
 * streaming) applies them the same way, at read time: undoing one restores the view at once.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { statuses } from './statuses.js';
import { createdAt, snowflake, snowflakeDefault } from './columns.js';

export const blocks = pgTable(
  'blocks',
  {
    /** The page cursor of GET /api/v1/blocks: most recently blocked first. */
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    targetAccountId: snowflake('target_account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('blocks_account_target_key').on(t.accountId, t.targetAccountId),
    // "Who blocks me" (blocked_by, and hiding the blocker's posts from the blocked).
    uniqueIndex('blocks_target_account_key').on(t.targetAccountId, t.accountId),
    index('blocks_account_idx').on(t.accountId, t.id),
  ],
);

export const mutes = pgTable(
  'mutes',
  {
    /** The page cursor of GET /api/v1/mutes. */
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    targetAccountId: snowflake('target_account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    /** Their notifications are hidden too (Mastodon's `notifications`, default true). */
    hideNotifications: boolean('hide_notifications').notNull().default(true),
    /**
     * The mute ends by itself at this time: every read compares it with now(), so no job is needed
     * for it to take effect (a sweep may delete expired rows, but nothing depends on it).
     */
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('mutes_account_target_key').on(t.accountId, t.targetAccountId),
    index('mutes_account_idx').on(t.accountId, t.id),
    // "Who mutes this author" (the streaming audience asks it once per event, not per viewer).
    index('mutes_target_account_idx').on(t.targetAccountId, t.accountId),
  ],
);

/**
 * A domain a person blocks (GET/POST/DELETE /api/v1/domain_blocks): that server's accounts and posts
 * are hidden from them (queries/exclusions.ts) and notify them of nothing (operations/notify.ts).
 */
export const accountDomainBlocks = pgTable(
  'account_domain_blocks',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    /** Lower-case, punycode host name. */
    domain: text('domain').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('account_domain_blocks_account_domain_key').on(t.accountId, t.domain),
    index('account_domain_blocks_account_idx').on(t.accountId, t.id),
    // "Who blocks this author's server" (the streaming audience, once per event).
    index('account_domain_blocks_domain_idx').on(t.domain, t.accountId),
    check('account_domain_blocks_domain_length', sql`char_length(${t.domain}) between 1 and 253`),
  ],
);

/** Where a filter applies (Mastodon's `context`). */
export const FILTER_CONTEXTS = ['home', 'notifications', 'public', 'thread', 'account'] as const;
export type FilterContext = (typeof FILTER_CONTEXTS)[number];
/** What a match does: `warn` and `blur` mark the status (`filtered`), `hide` leaves it out. */
export const FILTER_ACTIONS = ['warn', 'hide', 'blur'] as const;
export type FilterAction = (typeof FILTER_ACTIONS)[number];

/** A person's filter (Mastodon's v2 Filter): keywords and statuses, applied when reading. */
export const filters = pgTable(
  'filters',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    context: text('context').array().notNull(),
    action: text('action').$type<FilterAction>().notNull().default('warn'),
    /** The filter stops applying at this time (every read compares it with now()). */
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('filters_account_idx').on(t.accountId, t.id),
    check('filters_title_length', sql`char_length(${t.title}) between 1 and 256`),
    check(
      'filters_context_valid',
      sql`cardinality(${t.context}) > 0 and ${t.context} <@ array['home', 'notifications', 'public', 'thread', 'account']::text[]`,
    ),
    check('filters_action_valid', sql`${t.action} in ('warn', 'hide', 'blur')`),
  ],
);

export const filterKeywords = pgTable(
  'filter_keywords',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    filterId: snowflake('filter_id')
      .notNull()
      .references(() => filters.id, { onDelete: 'cascade' }),
    keyword: text('keyword').notNull(),
    wholeWord: boolean('whole_word').notNull().default(true),
    /** The PostgreSQL regular expression (matched case-insensitively) built from the two above. */
    pattern: text('pattern').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('filter_keywords_filter_idx').on(t.filterId, t.id),
    check('filter_keywords_keyword_length', sql`char_length(${t.keyword}) between 1 and 512`),
  ],
);

export const filterStatuses = pgTable(
  'filter_statuses',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    filterId: snowflake('filter_id')
      .notNull()
      .references(() => filters.id, { onDelete: 'cascade' }),
    statusId: snowflake('status_id')
      .notNull()
      .references(() => statuses.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('filter_statuses_filter_status_key').on(t.filterId, t.statusId)],
);

/**
 * A conversation someone muted (POST /api/v1/statuses/:id/mute): no notifications from any status
 * of the thread. Kept by the thread's root status, found by walking `in_reply_to_id` up.
 */
export const conversationMutes = pgTable(
  'conversation_mutes',
  {
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    rootStatusId: snowflake('root_status_id')
      .notNull()
      .references(() => statuses.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.rootStatusId] })],
);
