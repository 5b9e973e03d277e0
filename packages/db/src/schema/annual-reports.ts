/**
 * Annual reports ("Wrapstodon", Mastodon 4.3+): a summary of one person's year, generated when they
 * ask for it and kept, with when they read it. Only its owner sees it: no events.
 */
import { integer, jsonb, pgTable, primaryKey, timestamp } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { createdAt, snowflake } from './columns.js';

export const annualReports = pgTable(
  'annual_reports',
  {
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    year: integer('year').notNull(),
    /** How to read `data` (Mastodon's `schema_version`). */
    schemaVersion: integer('schema_version').notNull(),
    data: jsonb('data').notNull(),
    /** When its owner marked it read (`POST …/read`). */
    viewedAt: timestamp('viewed_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.year] })],
);
