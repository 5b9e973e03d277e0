import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { createdAt, snowflake, snowflakeDefault } from './columns.js';
import { reports } from './moderation.js';
import { oauthApplications } from './oauth.js';

export const VISIBILITIES = ['public', 'unlisted', 'private', 'direct'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const statuses = pgTable(
  'statuses',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    text: text('text').notNull(),
    spoilerText: text('spoiler_text').notNull().default(''),
    sensitive: boolean('sensitive').notNull().default(false),
    language: text('language'),
    visibility: text('visibility').$type<Visibility>().notNull().default('public'),
    inReplyToId: snowflake('in_reply_to_id'),
    inReplyToAccountId: snowflake('in_reply_to_account_id'),
    /** Set on a reblog (boost): the wrapper status points at the original. */
    reblogOfId: snowflake('reblog_of_id'),
    applicationId: snowflake('application_id').references(() => oauthApplications.id, {
      onDelete: 'set null',
    }),
    repliesCount: integer('replies_count').notNull().default(0),
    reblogsCount: integer('reblogs_count').notNull().default(0),
    favouritesCount: integer('favourites_count').notNull().default(0),
    createdAt: createdAt(),
    /** When its author last changed it (its revisions are `status_edits`); null if never. */
    editedAt: timestamp('edited_at', { withTimezone: true }),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    /**
     * Remote statuses only (null for local ones, whose ids are built from the author and id, see
     * @murmur/federation's local-uris): the ActivityPub id (`uri`), the page on the author's server
     * (`url`), and the content as the author's server wrote it, sanitized on arrival (`text` holds
     * its plain-text form, for search and filters).
     */
    uri: text('uri'),
    url: text('url'),
    contentHtml: text('content_html'),
  },
  (t) => [
    check(
      'statuses_visibility',
      sql`${t.visibility} in ('public', 'unlisted', 'private', 'direct')`,
    ),
    index('statuses_account_id_idx')
      .on(t.accountId, t.id.desc())
      .where(sql`${t.deletedAt} is null`),
    index('statuses_public_timeline_idx')
      .on(t.id.desc())
      .where(
        sql`${t.deletedAt} is null and ${t.visibility} = 'public' and ${t.reblogOfId} is null`,
      ),
    index('statuses_in_reply_to_idx')
      .on(t.inReplyToId, t.id)
      .where(sql`${t.inReplyToId} is not null`),
    index('statuses_reblog_of_idx')
      .on(t.reblogOfId, t.id)
      .where(sql`${t.reblogOfId} is not null`),
    index('statuses_text_search_idx').using('gin', sql`to_tsvector('simple', ${t.text})`),
    uniqueIndex('statuses_uri_key')
      .on(t.uri)
      .where(sql`${t.uri} is not null`),
    uniqueIndex('statuses_one_reblog_per_account_key')
      .on(t.accountId, t.reblogOfId)
      .where(sql`${t.reblogOfId} is not null and ${t.deletedAt} is null`),
  ],
);

export const mentions = pgTable(
  'mentions',
  {
    statusId: snowflake('status_id')
      .notNull()
      .references(() => statuses.id, { onDelete: 'cascade' }),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.statusId, t.accountId] }),
    index('mentions_account_status_idx').on(t.accountId, t.statusId),
  ],
);

export const tags = pgTable(
  'tags',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    /** Normalized (NFKC, lower-case): the unique key. */
    name: text('name').notNull(),
    /** As first written, for display. */
    displayName: text('display_name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('tags_name_key').on(t.name),
    index('tags_name_prefix_idx').on(sql`${t.name} text_pattern_ops`),
  ],
);

export const statusTags = pgTable(
  'status_tags',
  {
    tagId: snowflake('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
    statusId: snowflake('status_id')
      .notNull()
      .references(() => statuses.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.tagId, t.statusId] }),
    index('status_tags_status_idx').on(t.statusId),
  ],
);

export const favourites = pgTable(
  'favourites',
  {
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
    uniqueIndex('favourites_account_status_key').on(t.accountId, t.statusId),
    index('favourites_status_idx').on(t.statusId, t.id),
    index('favourites_account_idx').on(t.accountId, t.id),
  ],
);

export const NOTIFICATION_TYPES = [
  'mention',
  'follow',
  'favourite',
  'reblog',
  'follow_request',
  'admin.report',
  'update',
  'poll',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const notifications = pgTable(
  'notifications',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    /** The recipient. */
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    fromAccountId: snowflake('from_account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    type: text('type').$type<NotificationType>().notNull(),
    statusId: snowflake('status_id').references(() => statuses.id, { onDelete: 'cascade' }),
    /** The report an `admin.report` notification is about. */
    reportId: snowflake('report_id').references(() => reports.id, { onDelete: 'cascade' }),
    /**
     * Set aside by the recipient's notification policy: held in a notification request, left out
     * of the lists and counts and never announced, until the request is accepted.
     */
    filtered: boolean('filtered').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    check(
      'notifications_type',
      sql`${t.type} in (${sql.raw(NOTIFICATION_TYPES.map((type) => `'${type}'`).join(', '))})`,
    ),
    index('notifications_account_idx').on(t.accountId, t.id.desc()),
    // A request's notifications (its count, accepting or dismissing it).
    index('notifications_filtered_idx')
      .on(t.accountId, t.fromAccountId)
      .where(sql`${t.filtered}`),
    // The notify step removes every notification about a deleted status (StatusDeleted).
    index('notifications_status_idx')
      .on(t.statusId)
      .where(sql`${t.statusId} is not null`),
    // One notification per fact, however often the fact is reported (events are at-least-once).
    unique('notifications_fact_key')
      .on(t.accountId, t.type, t.fromAccountId, t.statusId, t.reportId)
      .nullsNotDistinct(),
  ],
);

/** `Idempotency-Key` of status creation, remembered for an hour as Mastodon does. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    statusId: snowflake('status_id')
      .notNull()
      .references(() => statuses.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.key] })],
);
