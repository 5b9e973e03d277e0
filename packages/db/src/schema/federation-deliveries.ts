import { sql } from 'drizzle-orm';
import {
  bigserial,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { createdAt, snowflake } from './columns.js';

export const FEDERATION_DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;
export type FederationDeliveryState = (typeof FEDERATION_DELIVERY_STATES)[number];

/**
 * The delivery ledger of outgoing activities: one row per (event, activity, inbox), written by the
 * worker's `federation-delivery` consumer with the event's marker, so a redelivered event never
 * sends twice to an inbox. Most events send one activity (index 0); a vote with several choices in
 * another server's poll sends one `Create(Note)` per choice, as Mastodon does. A row stays `pending` until the inbox accepts it (`delivered`) or the retries are
 * spent (`failed`); `next_attempt_at` is the back-off, `leased_until` the claim of the process
 * sending it now (a crashed sender's claim runs out and another process takes the row over).
 */
export const federationDeliveries = pgTable(
  'federation_deliveries',
  {
    id: bigserial('id', { mode: 'bigint' }).primaryKey(),
    eventId: uuid('event_id').notNull(),
    inboxUrl: text('inbox_url').notNull(),
    /** Which of the event's activities (in the order planned), 0 for most events. */
    activityIndex: smallint('activity_index').notNull().default(0),
    /** The inbox's host (with port), the circuit breaker's key. */
    host: text('host').notNull(),
    /** The local account whose key signs the request. */
    senderAccountId: snowflake('sender_account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    /** The activity as sent (compacted JSON-LD), the same body on every attempt. */
    activity: jsonb('activity').$type<Record<string, unknown>>().notNull(),
    state: text('state').$type<FederationDeliveryState>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    leasedUntil: timestamp('leased_until', { withTimezone: true }),
    /** The inbox's last answer that was not a success (status code or error), for operators. */
    lastError: text('last_error'),
    createdAt: createdAt(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('federation_deliveries_event_activity_inbox_idx').on(
      t.eventId,
      t.activityIndex,
      t.inboxUrl,
    ),
    index('federation_deliveries_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.state} = 'pending'`),
    index('federation_deliveries_finished_idx').on(t.finishedAt),
    check('federation_deliveries_state', sql`${t.state} in ('pending', 'delivered', 'failed')`),
  ],
);
