import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../client.js';
import { recordDirectMessageOnce } from '../operations/conversations/record-direct-message.js';

/**
 * Does what the worker's conversations consumer does for every direct message in the outbox it has
 * not processed yet, so tests that read conversations need neither NATS nor a sleep.
 */
export async function recordPendingDirectMessages(
  database: Database,
  consumer = 'conversations',
): Promise<number> {
  const events = await queryRows<{ eventId: string; statusId: string }>(
    database.primary,
    sql`select o.id::text as "eventId", o.payload->'data'->>'statusId' as "statusId"
      from outbox_events o
      where o.type = 'PostCreated' and o.payload->'data'->>'visibility' = 'direct'
        and not exists (select 1 from processed_events p
          where p.consumer = ${consumer} and p.event_id = o.id)
      order by o.occurred_at, o.id`,
  );
  for (const event of events) await recordDirectMessageOnce(database, consumer, event);
  return events.length;
}
