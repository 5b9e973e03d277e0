/** Statuses written now and posted later, by the worker, at their `scheduled_at`. */
import { index, jsonb, pgTable, timestamp } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { createdAt, snowflake, snowflakeDefault } from './columns.js';
import type { Visibility } from './statuses.js';

/** What the status will be posted with (Mastodon's ScheduledStatus `params`, as stored). */
export interface ScheduledStatusParams {
  text: string;
  visibility: Visibility;
  spoilerText: string;
  sensitive: boolean | null;
  language: string | null;
  inReplyToId: string | null;
  applicationId: string | null;
  mediaIds: string[];
  poll: { options: string[]; expiresIn: number; multiple: boolean; hideTotals: boolean } | null;
}

export const scheduledStatuses = pgTable(
  'scheduled_statuses',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }).notNull(),
    params: jsonb('params').$type<ScheduledStatusParams>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // The worker's job claims the due ones, oldest first.
    index('scheduled_statuses_due_idx').on(t.scheduledAt),
    index('scheduled_statuses_account_idx').on(t.accountId, t.id),
  ],
);
