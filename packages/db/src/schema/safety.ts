/**
 * What a person does to keep others out of their view: blocks, mutes and blocked domains. Read by
 * the query layer (`queries/exclusions.ts`) and the notify step, so every reader (REST, website,
 * streaming) applies them the same way, at read time: undoing one restores the view at once.
 */
import { sql } from 'drizzle-orm';
import { boolean, check, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
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
  ],
);

/**
 * A domain a person blocks (GET/POST/DELETE /api/v1/domain_blocks). Stored and listed; no remote
 * account exists yet, so nothing is hidden by it until federation lands (ARCHITECTURE.md says how).
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
    check('account_domain_blocks_domain_length', sql`char_length(${t.domain}) between 1 and 253`),
  ],
);
