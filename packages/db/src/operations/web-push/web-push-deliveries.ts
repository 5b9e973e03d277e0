/**
 * The Web Push delivery ledger (`web_push_deliveries`): a push is claimed before it is sent, so each
 * (notification, subscription) is pushed at most once however often its event is delivered, and
 * its outcome is recorded when the push service has answered.
 */
import { eq, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { webPushSubscriptions, type WebPushDeliveryStatus } from '../../schema/index.js';

/** Claims the pushes of a notification; returns the subscriptions claimed now (not before). */
export async function claimWebPushDeliveries(
  database: Database,
  notificationId: string,
  subscriptionIds: readonly string[],
): Promise<Set<string>> {
  if (subscriptionIds.length === 0) return new Set();
  const rows = await queryRows<{ subscription_id: string }>(
    database.primary,
    sql`insert into web_push_deliveries (notification_id, subscription_id)
      select ${notificationId}::bigint, ws.id from web_push_subscriptions ws
      where ws.id in (${sql.join(
        subscriptionIds.map((id) => sql`${id}::bigint`),
        sql`, `,
      )})
      on conflict do nothing
      returning subscription_id`,
  );
  return new Set(rows.map((row) => row.subscription_id));
}

/** Records how a claimed push ended. */
export async function recordWebPushOutcome(
  database: Database,
  input: {
    notificationId: string;
    subscriptionId: string;
    status: Exclude<WebPushDeliveryStatus, 'sending'>;
    attempts: number;
    lastError: string | null;
  },
): Promise<void> {
  await database.primary.execute(
    sql`update web_push_deliveries
      set status = ${input.status}, attempts = ${input.attempts}, last_error = ${input.lastError},
        updated_at = now()
      where notification_id = ${input.notificationId} and subscription_id = ${input.subscriptionId}`,
  );
}

/** Deletes a subscription its push service called gone (404/410), with its ledger rows. */
export async function dropWebPushSubscription(
  database: Database,
  subscriptionId: string,
): Promise<void> {
  await database.primary
    .delete(webPushSubscriptions)
    .where(eq(webPushSubscriptions.id, subscriptionId));
}
