/**
 * What a profile shows besides its statuses, chosen by its owner and visible to everyone: pinned
 * statuses, featured hashtags and endorsed (featured) accounts. Changes write events to the outbox.
 */
import { sql } from 'drizzle-orm';
import { check, index, pgTable, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { createdAt, snowflake, snowflakeDefault } from './columns.js';
import { statuses, tags } from './statuses.js';

/** At most `MAX_PINNED_STATUSES` per account, checked by `pinStatus` under a lock on the account. */
export const statusPins = pgTable(
  'status_pins',
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
    uniqueIndex('status_pins_account_status_key').on(t.accountId, t.statusId),
    index('status_pins_status_idx').on(t.statusId),
  ],
);

export const featuredTags = pgTable(
  'featured_tags',
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
  (t) => [uniqueIndex('featured_tags_account_tag_key').on(t.accountId, t.tagId)],
);

/** Accounts someone features on their profile (Mastodon's endorsements). */
export const accountEndorsements = pgTable(
  'account_endorsements',
  {
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
    uniqueIndex('account_endorsements_account_target_key').on(t.accountId, t.targetAccountId),
    check('account_endorsements_not_self', sql`${t.accountId} <> ${t.targetAccountId}`),
  ],
);
