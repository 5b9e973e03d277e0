import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../client.js';
import { fanOutStatus, fanOutStatusesOnce } from '../operations/home-feeds.js';
import { markEventProcessed } from '../operations/consumers.js';

/**
 * Does what the worker's home-feeds consumer would do for every PostCreated event in the outbox it
 * has not processed yet, so tests that read a home timeline after someone posted need neither NATS
 * nor a sleep. Returns how many events it handled.
 */
export async function fanOutPendingPosts(
  database: Database,
  consumer = 'home-feeds',
): Promise<number> {
  const events = await queryRows<{ eventId: string; statusId: string }>(
    database.primary,
    sql`select o.id::text as "eventId", o.payload->'data'->>'statusId' as "statusId"
      from outbox_events o
      where o.type = 'PostCreated' and not exists (select 1 from processed_events p
        where p.consumer = ${consumer} and p.event_id = o.id)
      order by o.occurred_at`,
  );
  const outcomes = await fanOutStatusesOnce(database, consumer, events);
  for (const event of events) {
    if (outcomes.get(event.eventId) !== 'heavy') continue;
    await fanOutStatus(database, event.statusId);
    await markEventProcessed(database, consumer, event.eventId);
  }
  return events.length;
}
