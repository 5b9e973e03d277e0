import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { createdAt, snowflake, snowflakeDefault } from './columns.js';

export const OUTBOX_STATUSES = ['pending', 'published'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/**
 * Events written in the same transaction as the change they describe. The relay claims pending rows
 * with FOR UPDATE SKIP LOCKED (never an "id greater than" cursor: ids are allocated before commit),
 * publishes them to JetStream with the event id as message id, and marks them published after the
 * PubAck. Published rows are kept for the reconciler, which republishes events no consumer processed.
 */
export const outboxEvents = pgTable(
  'outbox_events',
  {
    id: uuid('id').primaryKey(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    status: text('status').$type<OutboxStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    streamSeq: bigint('stream_seq', { mode: 'number' }),
    republishCount: integer('republish_count').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [
    check('outbox_events_status', sql`${t.status} in ('pending', 'published')`),
    // The relay's claim reads this index in its order (`claimDueRows`): only due rows, and no sort.
    index('outbox_events_pending_idx')
      .on(t.nextAttemptAt, t.occurredAt)
      .where(sql`${t.status} = 'pending'`),
    index('outbox_events_published_idx')
      .on(t.publishedAt)
      .where(sql`${t.status} = 'published'`),
  ],
);

/** Idempotency of consumers: an effect and its marker commit together. */
export const processedEvents = pgTable(
  'processed_events',
  {
    consumer: text('consumer').notNull(),
    eventId: uuid('event_id').notNull(),
    processedAt: timestamp('processed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.consumer, t.eventId] }),
    index('processed_events_event_idx').on(t.eventId),
  ],
);

export const EMAIL_DELIVERY_STATUSES = [
  'pending',
  'sending',
  'sent',
  'unknown',
  'failed',
  'skipped',
] as const;
export type EmailDeliveryStatus = (typeof EMAIL_DELIVERY_STATUSES)[number];

/**
 * The at-most-once email ledger: one row per (event, recipient, kind), claimed before sending. A send
 * whose outcome is unknown (timeout after the message was handed over) is never retried blindly.
 */
export const emailDeliveries = pgTable(
  'email_deliveries',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    eventId: uuid('event_id').notNull(),
    recipientAccountId: snowflake('recipient_account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    status: text('status').$type<EmailDeliveryStatus>().notNull().default('pending'),
    messageId: text('message_id').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('email_deliveries_event_recipient_kind_key').on(
      t.eventId,
      t.recipientAccountId,
      t.kind,
    ),
    check(
      'email_deliveries_status',
      sql`${t.status} in ('pending', 'sending', 'sent', 'unknown', 'failed', 'skipped')`,
    ),
  ],
);

/** Messages a consumer could not process (invalid payload, or too many failed deliveries). */
export const deadLetters = pgTable(
  'dead_letters',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    consumer: text('consumer').notNull(),
    subject: text('subject').notNull(),
    streamSeq: bigint('stream_seq', { mode: 'number' }).notNull(),
    payload: text('payload').notNull(),
    error: text('error').notNull(),
    deliveryCount: integer('delivery_count').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('dead_letters_consumer_seq_key').on(t.consumer, t.streamSeq)],
);

/** Daily statistics in UTC days: updated live from events, recomputed from source tables when a day is over. */
export const dailyStats = pgTable('daily_stats', {
  day: date('day', { mode: 'string' }).primaryKey(),
  posts: integer('posts').notNull().default(0),
  mentions: integer('mentions').notNull().default(0),
  newAccounts: integer('new_accounts').notNull().default(0),
  activeAccounts: integer('active_accounts').notNull().default(0),
  follows: integer('follows').notNull().default(0),
  favourites: integer('favourites').notNull().default(0),
  logins: integer('logins').notNull().default(0),
  /** Set when the day was recomputed from the source tables after it ended. */
  finalizedAt: timestamp('finalized_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Who posted on a day, so "active accounts" can be counted live without double counting. */
export const dailyActiveAccounts = pgTable(
  'daily_active_accounts',
  {
    day: date('day', { mode: 'string' }).notNull(),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.day, t.accountId] })],
);
