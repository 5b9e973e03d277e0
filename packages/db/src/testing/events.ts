/**
 * The outbox as tests see it: the events an operation wrote, and the notify step run over them as the
 * worker's `notifications` consumer would (without NATS), for tests of the API and the website that
 * read notifications.
 */
import { parseEvent, type DomainEvent, type EventOf, type EventType } from '@murmur/events';
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../client.js';
import { applyNotificationChanges, NOTIFYING_EVENT_TYPES } from '../operations/notify.js';

/** Every event in the outbox, oldest first, validated (optionally only those of `types`). */
export async function outboxEvents(database: Database): Promise<DomainEvent[]>;
export async function outboxEvents<T extends EventType>(
  database: Database,
  types: readonly T[],
): Promise<EventOf<T>[]>;
export async function outboxEvents(
  database: Database,
  types?: readonly EventType[],
): Promise<DomainEvent[]> {
  const rows = await queryRows<{ payload: unknown }>(
    database.primary,
    sql`select payload from outbox_events
        where ${types ? sql`type = any(${sql.param([...types])}::text[])` : sql`true`}
        order by occurred_at, id`,
  );
  return rows.map((row) => parseEvent(row.payload));
}

/**
 * Runs the notify step over every outbox event the `notifications` consumer has not processed, in
 * the order they were written, as the worker does when they arrive. Returns how many notifications
 * it created.
 */
export async function deliverNotifications(database: Database): Promise<number> {
  const events = await outboxEvents(database, NOTIFYING_EVENT_TYPES);
  let created = 0;
  for (const event of events) {
    const [outcome] = await applyNotificationChanges(database, 'notifications', [{ event }]);
    if (outcome && !outcome.processed && outcome.created) created += 1;
  }
  return created;
}
