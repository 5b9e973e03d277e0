import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { createdAt, snowflake, snowflakeDefault } from './columns.js';

export const ACCOUNT_ROLES = ['owner', 'admin', 'moderator', 'user'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

export const accounts = pgTable(
  'accounts',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    username: text('username').notNull(),
    /** Null for remote accounts (they sign in on their own server), set for every local one. */
    email: text('email'),
    passwordHash: text('password_hash'),
    displayName: text('display_name').notNull().default(''),
    note: text('note').notNull().default(''),
    emailOnMention: boolean('email_on_mention').notNull().default(true),
    statusesCount: integer('statuses_count').notNull().default(0),
    followersCount: integer('followers_count').notNull().default(0),
    followingCount: integer('following_count').notNull().default(0),
    lastStatusAt: date('last_status_at', { mode: 'string' }),
    /** Storage keys of the processed avatar (400×400) and header (1500×500); null: the defaults. */
    avatarKey: text('avatar_key'),
    headerKey: text('header_key'),
    /** Bumped when the password changes, so that sessions created before can be told apart. */
    credentialsChangedAt: timestamp('credentials_changed_at', { withTimezone: true }),
    /** Follows of a locked account are requests its owner accepts or rejects (Mastodon's `locked`). */
    locked: boolean('locked').notNull().default(false),
    /**
     * When the e-mail address was confirmed; null until then (the account cannot post or follow).
     * Defaults to now: accounts made before confirmation existed, and by fixtures, are confirmed.
     */
    emailConfirmedAt: timestamp('email_confirmed_at', { withTimezone: true }).defaultNow(),
    /** Moderation (see `moderation.ts`): the role, and what moderators did to the account. */
    role: text('role').$type<AccountRole>().notNull().default('user'),
    suspendedAt: timestamp('suspended_at', { withTimezone: true }),
    silencedAt: timestamp('silenced_at', { withTimezone: true }),
    /** Its media are shown behind a warning (Mastodon's "sensitive" action). */
    sensitizedAt: timestamp('sensitized_at', { withTimezone: true }),
    /** Cannot sign in, its tokens do not work (Mastodon's "disable", on the login not the profile). */
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    /**
     * Its owner deleted it (`deleteOwnAccount`): suspended for good, its username stays taken (as
     * in Mastodon), its statuses and media purged by the worker.
     */
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    /** False while a sign-up waits for a moderator (REGISTRATIONS_MODE=approval). */
    approved: boolean('approved').notNull().default(true),
    /** Why the applicant wants to join, shown to moderators. */
    registrationReason: text('registration_reason'),
    createdAt: createdAt(),
    // Remote accounts (ActivityPub actors of other servers): null `domain` means local.
    /** The server's host (`mastodon.example`, with its port when not the default), lower case. */
    domain: text('domain'),
    /** The actor's id (ActivityPub URI), its profile page, and where activities are delivered. */
    uri: text('uri'),
    url: text('url'),
    inboxUrl: text('inbox_url'),
    sharedInboxUrl: text('shared_inbox_url'),
    /** Avatar and header of a remote account: URLs on its server (not stored here). */
    remoteAvatarUrl: text('remote_avatar_url'),
    remoteHeaderUrl: text('remote_header_url'),
    /** When the actor document was last read (remote accounts are refreshed after a while). */
    fetchedAt: timestamp('fetched_at', { withTimezone: true }),
  },
  (t) => [
    // One local account per username, one remote account per username and server.
    uniqueIndex('accounts_username_lower_key')
      .on(sql`lower(${t.username})`)
      .where(sql`${t.domain} is null`),
    uniqueIndex('accounts_remote_username_key')
      .on(sql`lower(${t.username})`, t.domain)
      .where(sql`${t.domain} is not null`),
    uniqueIndex('accounts_uri_key').on(t.uri),
    // A person's domain blocks hide that server's accounts (queries/exclusions.ts).
    index('accounts_domain_idx')
      .on(t.domain)
      .where(sql`${t.domain} is not null`),
    check(
      'accounts_local_or_remote',
      sql`(${t.domain} is null and ${t.email} is not null and ${t.passwordHash} is not null)
        or (${t.domain} is not null and ${t.uri} is not null and ${t.inboxUrl} is not null)`,
    ),
    uniqueIndex('accounts_email_lower_key').on(sql`lower(${t.email})`),
    // Prefix search on usernames and display names (LIKE 'abc%' needs the pattern operator class).
    index('accounts_username_prefix_idx').on(sql`lower(${t.username}) text_pattern_ops`),
    index('accounts_display_name_prefix_idx').on(sql`lower(${t.displayName}) text_pattern_ops`),
    // Other servers have their own rules for names (dots, dashes); ours apply to local ones.
    check(
      'accounts_username_format',
      sql`${t.username} ~ '^[A-Za-z0-9_]{1,30}$' or (${t.domain} is not null and char_length(${t.username}) between 1 and 255)`,
    ),
    check(
      'accounts_display_name_length',
      sql`char_length(${t.displayName}) <= 100 or ${t.domain} is not null`,
    ),
    check('accounts_note_length', sql`char_length(${t.note}) <= 1000 or ${t.domain} is not null`),
    check('accounts_role', sql`${t.role} in ('owner', 'admin', 'moderator', 'user')`),
    // The staff, whom reports notify.
    index('accounts_staff_idx')
      .on(t.role)
      .where(sql`${t.role} <> 'user'`),
  ],
);

export const follows = pgTable(
  'follows',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    targetAccountId: snowflake('target_account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    /** The follow began as a request its target accepted (Mastodon sends no `follow` notification). */
    fromRequest: boolean('from_request').notNull().default(false),
    /**
     * The id of the remote `Follow` activity that made the follow (null for a local follower): the
     * `Accept` names it (GoToSocial, for one, finds the request it answers by that id).
     */
    activityUri: text('activity_uri'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('follows_account_target_key').on(t.accountId, t.targetAccountId),
    // A target's followers in follow order (fan-out chunks, follower lists). The follower's id is
    // carried in the index so the fan-out reads it without visiting the table (an index-only scan).
    uniqueIndex('follows_target_id_follower_key').on(t.targetAccountId, t.id, t.accountId),
    // The home read asks whether the reader followed anyone since their feed was built.
    uniqueIndex('follows_account_id_key').on(t.accountId, t.id),
    check('follows_not_self', sql`${t.accountId} <> ${t.targetAccountId}`),
  ],
);

/** Where a person stopped reading (Mastodon markers), per timeline. */
export const markers = pgTable(
  'markers',
  {
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    timeline: text('timeline').notNull(),
    lastReadId: snowflake('last_read_id').notNull(),
    version: integer('version').notNull().default(1),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.timeline] }),
    check('markers_timeline', sql`${t.timeline} in ('home', 'notifications')`),
  ],
);
