/**
 * The last step of the `push` consumer, for many events in one statement: records how each claimed
 * push ended in the delivery ledger, deletes the subscriptions their push service called gone
 * (404/410; their ledger rows go with them), and marks the events processed.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { PROCESSED_EVENTS_RETENTION_MS } from '../consumers.js';
import type { WebPushDeliveryStatus } from '../../schema/index.js';

export interface WebPushOutcome {
  notificationId: string;
  subscriptionId: string;
  status: Exclude<WebPushDeliveryStatus, 'sending'>;
  attempts: number;
  /** The push service's last answer that was not a success, or null. */
  lastError: string | null;
}

export async function finishWebPushEvents(
  database: Database,
  consumer: string,
  events: readonly { eventId: string; outcomes: readonly WebPushOutcome[] }[],
): Promise<void> {
  if (events.length === 0) return;
  const outcomes = events.flatMap((event) => event.outcomes);
  const kept = outcomes.filter((outcome) => outcome.status !== 'gone');
  const gone = outcomes.filter((outcome) => outcome.status === 'gone');
  const column = <T>(pick: (outcome: WebPushOutcome) => T) => sql.param(kept.map(pick));
  await database.primary.execute(
    sql`with recorded as (
        update web_push_deliveries d
        set status = o.status, attempts = o.attempts, last_error = o.last_error, updated_at = now()
        from unnest(${column((o) => o.notificationId)}::bigint[],
          ${column((o) => o.subscriptionId)}::bigint[], ${column((o) => o.status)}::text[],
          ${column((o) => o.attempts)}::int[], ${column((o) => o.lastError)}::text[])
          as o(notification_id, subscription_id, status, attempts, last_error)
        where d.notification_id = o.notification_id and d.subscription_id = o.subscription_id
        returning 1
      ), dropped as (
        delete from web_push_subscriptions
        where id = any(${sql.param(gone.map((o) => o.subscriptionId))}::bigint[])
        returning 1
      )
      insert into processed_events (consumer, event_id)
      select ${consumer}, unnest(${sql.param(events.map((event) => event.eventId))}::uuid[])
      on conflict do nothing`,
  );
}

/**
 * The ledger only has to outlive every redelivery of its event: kept as long as processed-event
 * markers (`PROCESSED_EVENTS_RETENTION_MS`), then deleted by the retention sweep, `limit` at a time.
 */
export async function deleteOldWebPushDeliveries(
  database: Database,
  options: { olderThanMs?: number; limit?: number } = {},
): Promise<number> {
  const olderThanMs = options.olderThanMs ?? PROCESSED_EVENTS_RETENTION_MS;
  const rows = await queryRows<{ one: number }>(
    database.primary,
    sql`delete from web_push_deliveries
        where (notification_id, subscription_id) in (
          select notification_id, subscription_id from web_push_deliveries
          where created_at < now() - ${olderThanMs} * interval '1 millisecond'
          limit ${options.limit ?? 10_000}
        )
        returning 1 as one`,
  );
  return rows.length;
}
