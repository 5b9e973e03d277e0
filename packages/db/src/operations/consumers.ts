/**
 * Idempotent event consumers (reliability R26, R32). A consumer records `(consumer, event id)` in
 * `processed_events` in the same transaction as its effect; when the row already exists the event was
 * handled before and the effect is skipped. The caller acknowledges the message only after commit.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database, type Executor } from '../client.js';
import { withTransaction } from '../transaction.js';

/** True when `consumer` already processed `eventId` (a cheap check before doing slow work). */
export async function isEventProcessed(
  database: Database,
  consumer: string,
  eventId: string,
): Promise<boolean> {
  const rows = await queryRows<{ one: number }>(
    database.primary,
    sql`select 1 as one from processed_events where consumer = ${consumer} and event_id = ${eventId}`,
  );
  return rows.length > 0;
}

export type ProcessOnceResult<T> = { processed: true; result: T } | { processed: false };

/**
 * Runs `work` and records the marker in one transaction. When the marker exists (the event was
 * processed before, or is being committed by a concurrent delivery that wins the race), `work` is
 * not run — or is rolled back — and `{ processed: false }` is returned.
 */
export async function processEventOnce<T>(
  database: Database,
  consumer: string,
  eventId: string,
  work: (tx: Executor) => Promise<T>,
): Promise<ProcessOnceResult<T>> {
  return withTransaction(database, async (tx) => {
    // The insert comes first: a concurrent delivery of the same event waits on this row's lock and
    // then sees the conflict, so the effect can never be applied twice.
    const inserted = await queryRows<{ one: number }>(
      tx,
      sql`insert into processed_events (consumer, event_id) values (${consumer}, ${eventId})
          on conflict do nothing returning 1 as one`,
    );
    if (inserted.length === 0) return { processed: false } as const;
    return { processed: true, result: await work(tx) } as const;
  });
}

/** Everything a mention notification and its email need, read from the current state. */
export interface MentionContext {
  statusId: string;
  statusText: string;
  statusCreatedAt: Date;
  author: { id: string; username: string; displayName: string };
  recipient: {
    id: string;
    username: string;
    displayName: string;
    email: string;
    emailOnMention: boolean;
  };
}

/**
 * Loads the mention as it is now, or null when there is nothing to notify about any more: the post
 * was deleted, an account is gone, the mention no longer exists, or it is a self-mention.
 */
export async function loadMentionContext(
  executor: Executor,
  input: { statusId: string; authorId: string; recipientId: string },
): Promise<MentionContext | null> {
  if (input.authorId === input.recipientId) return null;
  const [row] = await queryRows<{
    status_id: string;
    text: string;
    created_at: Date | string;
    author_id: string;
    author_username: string;
    author_display_name: string;
    recipient_id: string;
    recipient_username: string;
    recipient_display_name: string;
    recipient_email: string;
    email_on_mention: boolean;
  }>(
    executor,
    sql`select s.id as status_id, s.text, s.created_at,
               a.id as author_id, a.username as author_username, a.display_name as author_display_name,
               r.id as recipient_id, r.username as recipient_username,
               r.display_name as recipient_display_name, r.email as recipient_email,
               r.email_on_mention
        from statuses s
        join accounts a on a.id = s.account_id
        join mentions m on m.status_id = s.id and m.account_id = ${input.recipientId}
        join accounts r on r.id = m.account_id
        where s.id = ${input.statusId} and s.account_id = ${input.authorId} and s.deleted_at is null`,
  );
  if (!row) return null;
  return {
    statusId: row.status_id,
    statusText: row.text,
    statusCreatedAt: new Date(row.created_at),
    author: {
      id: row.author_id,
      username: row.author_username,
      displayName: row.author_display_name,
    },
    recipient: {
      id: row.recipient_id,
      username: row.recipient_username,
      displayName: row.recipient_display_name,
      email: row.recipient_email,
      emailOnMention: row.email_on_mention,
    },
  };
}

/**
 * Creates the in-app `mention` notification, once: the insert only happens while the post exists (not
 * deleted) and still mentions the recipient, and the unique fact key absorbs repeats. Returns whether
 * a row was created.
 */
export async function createMentionNotification(
  executor: Executor,
  input: { statusId: string; authorId: string; recipientId: string },
): Promise<boolean> {
  if (input.authorId === input.recipientId) return false;
  const rows = await queryRows<{ id: string }>(
    executor,
    sql`insert into notifications (account_id, from_account_id, type, status_id)
        select m.account_id, s.account_id, 'mention', s.id
        from statuses s
        join mentions m on m.status_id = s.id and m.account_id = ${input.recipientId}
        where s.id = ${input.statusId} and s.account_id = ${input.authorId} and s.deleted_at is null
        on conflict do nothing
        returning id`,
  );
  return rows.length > 0;
}

/**
 * The notifications consumer's final step: the processed marker and the mention notification in one
 * transaction. Returns false when the event had been processed already.
 */
export async function recordMentionProcessed(
  database: Database,
  consumer: string,
  eventId: string,
  input: { statusId: string; authorId: string; recipientId: string },
): Promise<boolean> {
  const result = await processEventOnce(database, consumer, eventId, (tx) =>
    createMentionNotification(tx, input),
  );
  return result.processed;
}

/** Marks an event processed without any effect (a type the consumer does not handle). */
export async function markEventProcessed(
  database: Database,
  consumer: string,
  eventId: string,
): Promise<boolean> {
  return (await processEventOnce(database, consumer, eventId, async () => undefined)).processed;
}

/** How many events `consumer` has processed (the `/status` page and test oracles). */
export async function countProcessedEvents(database: Database, consumer: string): Promise<number> {
  const [row] = await queryRows<{ events: string }>(
    database.primary,
    sql`select count(*) as events from processed_events where consumer = ${consumer}`,
  );
  return Number(row?.events ?? 0);
}
