/**
 * Single-use, expiring links sent by e-mail: password resets and e-mail confirmations. Only the
 * SHA-256 of a token is stored, and it is written by the worker that sends the e-mail: the raw token
 * exists only in that e-mail, never in the outbox, the event stream or the database.
 */
import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { createdAt, snowflake, snowflakeDefault } from './columns.js';

export const ACCOUNT_TOKEN_PURPOSES = ['password_reset', 'email_confirmation'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

export const accountTokens = pgTable(
  'account_tokens',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    purpose: text('purpose').$type<AccountTokenPurpose>().notNull(),
    /** Hex SHA-256 of the token; null until the worker has made the token and sent the e-mail. */
    tokenHash: text('token_hash'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('account_tokens_hash_key').on(t.tokenHash),
    // Throttling and "a newer link replaces the older ones" look at an account's recent tokens.
    index('account_tokens_account_idx').on(t.accountId, t.purpose, t.createdAt),
    check('account_tokens_purpose', sql`${t.purpose} in ('password_reset', 'email_confirmation')`),
  ],
);
