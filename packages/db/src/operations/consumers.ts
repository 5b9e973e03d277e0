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
  const [row] = await queryRows<RawMentionContext>(
    executor,
    sql`select ${MENTION_CONTEXT_COLUMNS} from ${mentionContextFrom(input)}`,
  );
  return row ? toMentionContext(row) : null;
}

interface RawMentionContext {
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
}

const MENTION_CONTEXT_COLUMNS = sql.raw(`s.id as status_id, s.text, s.created_at,
  a.id as author_id, a.username as author_username, a.display_name as author_display_name,
  r.id as recipient_id, r.username as recipient_username,
  r.display_name as recipient_display_name, r.email as recipient_email, r.email_on_mention`);

/** The mention, if it still exists: the post not deleted, both accounts present. */
function mentionContextFrom(input: { statusId: string; authorId: string; recipientId: string }) {
  return sql`statuses s
    join accounts a on a.id = s.account_id
    join mentions m on m.status_id = s.id and m.account_id = ${input.recipientId}
    join accounts r on r.id = m.account_id
    where s.id = ${input.statusId} and s.account_id = ${input.authorId} and s.deleted_at is null`;
}

function toMentionContext(row: RawMentionContext): MentionContext {
  return {
    statusId: String(row.status_id),
    statusText: row.text,
    statusCreatedAt: new Date(row.created_at),
    author: {
      id: String(row.author_id),
      username: row.author_username,
      displayName: row.author_display_name,
    },
    recipient: {
      id: String(row.recipient_id),
      username: row.recipient_username,
      displayName: row.recipient_display_name,
      email: row.recipient_email,
      emailOnMention: row.email_on_mention,
    },
  };
}

export type MentionStart =
  /** `consumer` processed this event before: nothing to do. */
  | { processed: true }
  /** Not processed yet; `context` is null when there is nothing to notify about any more. */
  | { processed: false; context: MentionContext | null };

/**
 * The notifications consumer's first step, in ONE statement: is the event processed already? If not,
 * load the mention as it is now (`loadMentionContext`) and create its in-app notification
 * (`createMentionNotification`: unique fact key, so repeats are absorbed), shown at once.
 */
export async function startMentionNotification(
  executor: Executor,
  consumer: string,
  eventId: string,
  input: { statusId: string; authorId: string; recipientId: string },
): Promise<MentionStart> {
  const rows = await queryRows<{ done: boolean } & Partial<RawMentionContext>>(
    executor,
    sql`with p as (
          select exists (
            select 1 from processed_events where consumer = ${consumer} and event_id = ${eventId}
          ) as done
        ),
        ctx as (
          select ${MENTION_CONTEXT_COLUMNS} from ${mentionContextFrom(input)}
            and s.account_id <> m.account_id and not (select done from p)
        ),
        notified as (
          insert into notifications (account_id, from_account_id, type, status_id)
          select recipient_id, author_id, 'mention', status_id from ctx
          on conflict do nothing
          returning 1
        )
        select p.done, ctx.* from p left join ctx on true`,
  );
  const row = rows[0]!;
  if (row.done) return { processed: true };
  if (row.status_id == null) return { processed: false, context: null };
  return { processed: false, context: toMentionContext(row as RawMentionContext) };
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
  options: {
    /** A claimed e-mail delivery (`sending`) that was sent: recorded `sent` in the same statement. */
    sentDeliveryId?: string;
  } = {},
): Promise<boolean> {
  const sent = options.sentDeliveryId
    ? sql`, sent as (
          update email_deliveries set status = 'sent', last_error = null, updated_at = now()
          where id = ${options.sentDeliveryId} and status = 'sending'
          returning 1
        )`
    : sql``;
  // One statement (one implicit transaction, one round trip): the marker, and the notification only
  // when the marker is new. A concurrent delivery waits on the marker's row lock, then conflicts.
  const rows = await queryRows<{ one: number }>(
    database.primary,
    sql`with marked as (
          insert into processed_events (consumer, event_id) values (${consumer}, ${eventId})
          on conflict do nothing returning 1 as one
        ),
        notified as (
          insert into notifications (account_id, from_account_id, type, status_id)
          select m.account_id, s.account_id, 'mention', s.id
          from statuses s
          join mentions m on m.status_id = s.id and m.account_id = ${input.recipientId}
          where s.id = ${input.statusId} and s.account_id = ${input.authorId}
            and s.account_id <> m.account_id
            and s.deleted_at is null and exists (select 1 from marked)
          on conflict do nothing
          returning 1
        )${sent}
        select one from marked`,
  );
  return rows.length > 0;
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
