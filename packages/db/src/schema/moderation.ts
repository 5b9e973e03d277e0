/**
 * Moderation: reports people file, the instance's rules they can cite, and the log of what
 * moderators did. The account-level state (role, suspended, silenced, ...) is on `accounts`.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { createdAt, snowflake, snowflakeDefault } from './columns.js';

export const REPORT_CATEGORIES = ['spam', 'legal', 'violation', 'other'] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

/** The rules of the instance, shown at sign-up and cited by reports; removed ones stay for old reports. */
export const instanceRules = pgTable(
  'instance_rules',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    text: text('text').notNull(),
    hint: text('hint').notNull().default(''),
    /** Rules are listed by position, then id. */
    position: integer('position').notNull().default(0),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    check('instance_rules_text_length', sql`char_length(${t.text}) between 1 and 300`),
    check('instance_rules_hint_length', sql`char_length(${t.hint}) <= 1000`),
  ],
);

export const reports = pgTable(
  'reports',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    /** Who filed it. */
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    targetAccountId: snowflake('target_account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    statusIds: snowflake('status_ids')
      .array()
      .notNull()
      .default(sql`'{}'`),
    ruleIds: snowflake('rule_ids')
      .array()
      .notNull()
      .default(sql`'{}'`),
    comment: text('comment').notNull().default(''),
    category: text('category').$type<ReportCategory>().notNull().default('other'),
    forwarded: boolean('forwarded').notNull().default(false),
    assignedAccountId: snowflake('assigned_account_id').references(() => accounts.id, {
      onDelete: 'set null',
    }),
    actionTakenAt: timestamp('action_taken_at', { withTimezone: true }),
    actionTakenByAccountId: snowflake('action_taken_by_account_id').references(() => accounts.id, {
      onDelete: 'set null',
    }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('reports_category', sql`${t.category} in ('spam', 'legal', 'violation', 'other')`),
    check('reports_comment_length', sql`char_length(${t.comment}) <= 1000`),
    index('reports_target_idx').on(t.targetAccountId, t.id),
    // The queue: unresolved reports, newest first.
    index('reports_unresolved_idx')
      .on(t.id)
      .where(sql`${t.actionTakenAt} is null`),
  ],
);

/** Who did what to whom, with the moderator's note: the audit log. */
export const adminActionLogs = pgTable(
  'admin_action_logs',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    /** The moderator (null: the operator's command line). */
    accountId: snowflake('account_id').references(() => accounts.id, { onDelete: 'set null' }),
    /** e.g. `suspend`, `resolve`, `change_role`. */
    action: text('action').notNull(),
    targetType: text('target_type')
      .$type<'Account' | 'Report' | 'Rule' | 'DomainBlock'>()
      .notNull(),
    targetId: snowflake('target_id').notNull(),
    /** A readable name of the target when the action was taken (the account may go). */
    targetLabel: text('target_label').notNull().default(''),
    note: text('note').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [index('admin_action_logs_target_idx').on(t.targetType, t.targetId)],
);

/** What an instance-level domain block does to a server (Mastodon's admin domain blocks). */
export const DOMAIN_BLOCK_SEVERITIES = ['silence', 'suspend', 'noop'] as const;
export type DomainBlockSeverity = (typeof DOMAIN_BLOCK_SEVERITIES)[number];

/**
 * A server the moderators block for everyone. `silence` limits its accounts (as an account's
 * silence: out of public timelines, their notifications filtered as from limited accounts),
 * `suspend` refuses its activities at the inbox, stops delivery to it, ends follows with it and
 * hides its accounts, `noop` only records the options. A block covers the domain's subdomains.
 * Its accounts carry the state in `silenced_at`/`suspended_at`, set to the block's `created_at` so
 * lifting the block lifts exactly what it set (an account's own moderation stays).
 */
export const instanceDomainBlocks = pgTable(
  'instance_domain_blocks',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    /** Lower-case, punycode host name (normalizeDomain). */
    domain: text('domain').notNull(),
    severity: text('severity').$type<DomainBlockSeverity>().notNull().default('silence'),
    /** Media of its accounts are not fetched or stored. */
    rejectMedia: boolean('reject_media').notNull().default(false),
    /** Reports forwarded from it are refused. */
    rejectReports: boolean('reject_reports').notNull().default(false),
    /** The public list shows the domain partly masked. */
    obfuscate: boolean('obfuscate').notNull().default(false),
    /** Shown to everyone where the list is public; the private one only to moderators. */
    publicComment: text('public_comment').notNull().default(''),
    privateComment: text('private_comment').notNull().default(''),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('instance_domain_blocks_domain_key').on(t.domain),
    check('instance_domain_blocks_severity', sql`${t.severity} in ('silence', 'suspend', 'noop')`),
    check('instance_domain_blocks_domain_length', sql`char_length(${t.domain}) between 1 and 253`),
    check(
      'instance_domain_blocks_comments_length',
      sql`char_length(${t.publicComment}) <= 1000 and char_length(${t.privateComment}) <= 1000`,
    ),
  ],
);
