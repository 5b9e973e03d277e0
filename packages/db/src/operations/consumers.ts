/**
 * Idempotent event consumers (reliability R26, R32). A consumer records `(consumer, event id)` in
 * `processed_events` in the same statement as its effect (see `notify.ts`, `statistics.ts`); when
 * the row already exists the event was handled before and the effect is skipped. The caller
 * acknowledges the message only after commit.
 */
import { sql } from 'drizzle-orm';
import { opaque, queryRows, type Database } from '../client.js';
import { asyncCommit } from './async-commit.js';

/**
 * Records that `consumer` has handled an event whose effect is idempotent by itself (the media step
 * checks the upload's state before processing), so the reconciler does not republish it.
 */
export async function markEventProcessed(
  database: Database,
  consumer: string,
  eventId: string,
): Promise<void> {
  await database.primary.execute(
    sql`insert into processed_events (consumer, event_id) values (${consumer}, ${eventId})
      on conflict do nothing`,
  );
}

/**
 * Whether `consumer` has processed the event: for a consumer whose effect cannot share the marker's
 * statement (a request to another server), so that a redelivery after the marker does nothing.
 */
export async function isEventProcessed(
  database: Database,
  consumer: string,
  eventId: string,
): Promise<boolean> {
  const rows = await queryRows(
    database.primary,
    sql`select 1 from processed_events where consumer = ${consumer} and event_id = ${eventId}`,
  );
  return rows.length > 0;
}

/**
 * Records, in one statement, that `consumer` has handled events that asked nothing of it (a
 * public post for the conversations consumer, a post with no remote audience for federation
 * delivery). Committed without waiting for the WAL flush (`asyncCommit`): a crash can lose the
 * last of these markers, and the reconciler then republishes those events, which again ask
 * nothing. One statement for a batch instead of a synchronous commit per event.
 */
export async function markEventsProcessed(
  database: Database,
  consumer: string,
  eventIds: readonly string[],
): Promise<void> {
  const ids = [...new Set(eventIds)];
  if (ids.length === 0) return;
  await queryRows(
    database.primary,
    sql`insert into processed_events (consumer, event_id)
      select ${consumer}, e from unnest(${opaque(ids, 'uuid[]')}) e where ${asyncCommit}
      on conflict do nothing`,
    // Every consumer's batches of markers: one plan per connection, not one per call.
    { prepared: true },
  );
}

/** How many events `consumer` has processed (the `/status` page and test oracles). */
export async function countProcessedEvents(database: Database, consumer: string): Promise<number> {
  const [row] = await queryRows<{ events: string }>(
    database.primary,
    sql`select count(*) as events from processed_events where consumer = ${consumer}`,
  );
  return Number(row?.events ?? 0);
}

/**
 * Markers are kept 14 days: longer than anything can deliver an event again. JetStream drops a
 * duplicate publish only within its window (10 min); a failing message is redelivered for about
 * half an hour; the stream keeps messages 7 days (a replay may reach that far); and the reconciler
 * republishes an event as long as its outbox row (kept 7 days once processed) lacks a marker. A
 * marker whose outbox row still exists is never deleted, whatever its age, so the reconciler cannot
 * mistake a deleted marker for a lost event.
 */
export const PROCESSED_EVENTS_RETENTION_MS = 14 * 24 * 60 * 60 * 1000;

/** Retention: deletes up to `limit` markers older than `olderThanMs` whose outbox row is gone. */
export async function deleteOldProcessedEvents(
  database: Database,
  options: { olderThanMs?: number; limit?: number } = {},
): Promise<number> {
  const olderThanMs = options.olderThanMs ?? PROCESSED_EVENTS_RETENTION_MS;
  const rows = await queryRows<{ one: number }>(
    database.primary,
    sql`delete from processed_events
        where (consumer, event_id) in (
          select p.consumer, p.event_id from processed_events p
          where p.processed_at < now() - ${olderThanMs} * interval '1 millisecond'
            and not exists (select 1 from outbox_events o where o.id = p.event_id)
          limit ${options.limit ?? 10_000}
        )
        returning 1 as one`,
  );
  return rows.length;
}
