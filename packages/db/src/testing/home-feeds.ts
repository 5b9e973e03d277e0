import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../client.js';
import { fanOutStatus, fanOutStatusesOnce } from '../operations/home-feeds.js';
import {
  applyHomeFeedEvent,
  HOME_FEED_EVENT_TYPES,
  type HomeFeedEvent,
} from '../operations/home-feed-events.js';
import { markEventProcessed } from '../operations/consumers.js';

/**
 * Does what the worker's home-feeds consumer would do for every event in the outbox it has not
 * processed yet (fan-out of posts and boosts, deletions, follows, unfollows), in the order they
 * happened, so tests that read a home timeline after someone acted need neither NATS nor a sleep.
 * Returns how many events it handled.
 */
export async function applyPendingFeedEvents(
  database: Database,
  consumer = 'home-feeds',
): Promise<number> {
  const events = await queryRows<{ eventId: string; payload: HomeFeedEvent }>(
    database.primary,
    sql`select o.id::text as "eventId", o.payload
      from outbox_events o
      where o.type = any(${sql.param([...HOME_FEED_EVENT_TYPES])}::text[])
        and not exists (select 1 from processed_events p
          where p.consumer = ${consumer} and p.event_id = o.id)
      order by o.occurred_at, o.id`,
  );
  for (const { eventId, payload } of events) {
    if (payload.type === 'PostCreated') {
      // The consumer's own path: group statement, or the chunked one for a heavy author.
      const outcomes = await fanOutStatusesOnce(database, consumer, [
        { eventId, statusId: payload.data.statusId },
      ]);
      if (outcomes.get(eventId) !== 'heavy') continue;
      await fanOutStatus(database, payload.data.statusId);
    } else {
      await applyHomeFeedEvent(database, payload);
    }
    await markEventProcessed(database, consumer, eventId);
  }
  return events.length;
}
