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
  const [row] = await queryRows<RawMentionContext>(
    executor,
    sql`select ${MENTION_CONTEXT_COLUMNS}
        from (values (${input.statusId}::bigint, ${input.authorId}::bigint, ${input.recipientId}::bigint))
          as e(status_id, author_id, recipient_id)
        ${MENTION_CONTEXT_JOINS}`,
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

/**
 * Joined to a source `e` (columns status_id, author_id, recipient_id): the mention as it is now, if
 * it still exists: the post not deleted, both accounts present, and not a self-mention.
 */
const MENTION_CONTEXT_JOINS = sql.raw(`
  join statuses s on s.id = e.status_id and s.account_id = e.author_id and s.deleted_at is null
  join accounts a on a.id = s.account_id
  join mentions m on m.status_id = s.id and m.account_id = e.recipient_id
  join accounts r on r.id = m.account_id
  where s.account_id <> m.account_id`);

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

/** One UserMentioned event, as the notifications consumer handles it. */
export interface MentionEvent {
  eventId: string;
  statusId: string;
  authorId: string;
  recipientId: string;
}

/**
 * The notifications consumer's first step, in ONE statement for all of `mentions`: is each event
 * processed already? If not, load the mention as it is now (see `loadMentionContext`) and create its
 * in-app notification (unique fact key, so repeats are absorbed), shown at once. One result per
 * mention, in order; the same event listed twice gets the same answer twice.
 */
export async function startMentionNotifications(
  database: Database,
  consumer: string,
  mentions: readonly MentionEvent[],
): Promise<MentionStart[]> {
  return startMentions(database.primary, consumer, mentions);
}

/** `startMentionNotifications` for one event. */
export async function startMentionNotification(
  executor: Executor,
  consumer: string,
  eventId: string,
  input: { statusId: string; authorId: string; recipientId: string },
): Promise<MentionStart> {
  const [start] = await startMentions(executor, consumer, [{ eventId, ...input }]);
  return start!;
}

async function startMentions(
  executor: Executor,
  consumer: string,
  mentions: readonly MentionEvent[],
): Promise<MentionStart[]> {
  if (mentions.length === 0) return [];
  const column = (pick: (m: MentionEvent) => string) => sql.param(mentions.map(pick));
  const rows = await queryRows<
    { position: number; done: boolean } & (RawMentionContext | { status_id: null })
  >(
    executor,
    sql`with ev as (
          select * from unnest(
            ${column((m) => m.eventId)}::uuid[], ${column((m) => m.statusId)}::bigint[],
            ${column((m) => m.authorId)}::bigint[], ${column((m) => m.recipientId)}::bigint[]
          ) with ordinality as e(event_id, status_id, author_id, recipient_id, position)
        ),
        unprocessed as (
          select * from ev
          where not exists (
            select 1 from processed_events p where p.consumer = ${consumer} and p.event_id = ev.event_id
          )
        ),
        ctx as (
          select e.position as mention_position, ${MENTION_CONTEXT_COLUMNS}
          from unprocessed e ${MENTION_CONTEXT_JOINS}
        ),
        notified as (
          insert into notifications (account_id, from_account_id, type, status_id)
          select recipient_id, author_id, 'mention', status_id from ctx
          -- One lock order for every batch, so concurrent batches wait instead of deadlocking.
          order by recipient_id, status_id
          on conflict do nothing
          returning 1
        )
        select ev.position::int as position, unprocessed.position is null as done, ctx.*
        from ev
        left join unprocessed on unprocessed.position = ev.position
        left join ctx on ctx.mention_position = ev.position`,
    // Planning this statement costs about as much as running it; its plan does not depend on the
    // values (the batch is an array parameter).
    { prepared: true },
  );
  const starts: MentionStart[] = new Array(mentions.length);
  for (const row of rows) {
    starts[row.position - 1] = row.done
      ? { processed: true }
      : { processed: false, context: row.status_id == null ? null : toMentionContext(row) };
  }
  return starts;
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

/** What the delivery of a mention e-mail came to, recorded in the same statement as the marker. */
export interface MentionEmailOutcome {
  /** The claimed (`sending`) ledger row. */
  deliveryId: string;
  status: 'sent' | 'unknown' | 'failed';
  /** Why it is not `sent`. */
  error?: string;
}

/** A mention whose handling is complete, with the outcome of its e-mail if one was sent. */
export interface ProcessedMention extends MentionEvent {
  email?: MentionEmailOutcome;
}

/**
 * The notifications consumer's final step, in ONE statement (one implicit transaction) for all of
 * `mentions`: the processed markers, the notification of each event whose marker is new (absorbed by
 * its unique key when the first step created it), and the e-mail outcomes. A concurrent delivery of
 * the same event waits on the marker's row lock, then conflicts. Returns the ids of the events whose
 * marker this call inserted (the others had been processed before).
 */
export async function recordMentionsProcessed(
  database: Database,
  consumer: string,
  mentions: readonly ProcessedMention[],
): Promise<Set<string>> {
  const byEvent = new Map<string, ProcessedMention>();
  for (const mention of mentions) {
    const key = mention.eventId.toLowerCase();
    // A repeated event keeps the copy that carries an e-mail outcome (only one delivery can have one).
    if (!byEvent.get(key)?.email) byEvent.set(key, mention);
  }
  const unique = [...byEvent.values()];
  if (unique.length === 0) return new Set();
  const column = (pick: (m: ProcessedMention) => string | null) => sql.param(unique.map(pick));
  const rows = await queryRows<{ event_id: string }>(
    database.primary,
    sql`with ev as (
          select * from unnest(
            ${column((m) => m.eventId)}::uuid[], ${column((m) => m.statusId)}::bigint[],
            ${column((m) => m.authorId)}::bigint[], ${column((m) => m.recipientId)}::bigint[],
            ${column((m) => m.email?.deliveryId ?? null)}::bigint[],
            ${column((m) => m.email?.status ?? null)}::text[],
            ${column((m) => m.email?.error?.slice(0, 1000) ?? null)}::text[]
          ) as e(event_id, status_id, author_id, recipient_id, delivery_id, email_status, email_error)
        ),
        marked as (
          insert into processed_events (consumer, event_id)
          select ${consumer}, event_id from ev order by event_id
          on conflict do nothing
          returning event_id
        ),
        notified as (
          insert into notifications (account_id, from_account_id, type, status_id)
          select m.account_id, s.account_id, 'mention', s.id
          from (select ev.* from ev join marked using (event_id)) e ${MENTION_CONTEXT_JOINS}
          order by m.account_id, s.id
          on conflict do nothing
          returning 1
        ),
        emailed as (
          update email_deliveries d
          set status = ev.email_status, last_error = ev.email_error, updated_at = now()
          from ev
          where d.id = ev.delivery_id and d.status = 'sending'
          returning 1
        )
        select event_id::text as event_id from marked`,
    { prepared: true },
  );
  return new Set(rows.map((r) => r.event_id));
}

/**
 * `recordMentionsProcessed` for one event; `sentDeliveryId` is a claimed e-mail that was sent.
 * Returns false when the event had been processed already.
 */
export async function recordMentionProcessed(
  database: Database,
  consumer: string,
  eventId: string,
  input: { statusId: string; authorId: string; recipientId: string },
  options: { sentDeliveryId?: string } = {},
): Promise<boolean> {
  const email = options.sentDeliveryId
    ? { deliveryId: options.sentDeliveryId, status: 'sent' as const }
    : undefined;
  const marked = await recordMentionsProcessed(database, consumer, [
    { eventId, ...input, ...(email ? { email } : {}) },
  ]);
  return marked.size > 0;
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
