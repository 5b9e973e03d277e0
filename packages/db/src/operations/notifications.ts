import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { DomainError } from '../errors.js';
import { notifications } from '../schema/index.js';
import { isSnowflakeId } from '../ids.js';
import { parseGroupKey } from '../queries/notification-group-keys.js';
import { membersSql } from '../queries/notification-groups.js';

/** Removes one of the recipient's notifications; NotificationNotFound when it is not theirs. */
export async function dismissNotification(
  database: Database,
  input: { accountId: string; notificationId: string },
): Promise<void> {
  if (!isSnowflakeId(input.notificationId)) {
    throw new DomainError('NotificationNotFound', 'Record not found');
  }
  const removed = await database.primary
    .delete(notifications)
    .where(
      and(eq(notifications.id, input.notificationId), eq(notifications.accountId, input.accountId)),
    )
    .returning({ id: notifications.id });
  if (removed.length === 0) throw new DomainError('NotificationNotFound', 'Record not found');
}

/** Removes all of the recipient's notifications; returns how many there were. */
export async function clearNotifications(database: Database, accountId: string): Promise<number> {
  const removed = await database.primary
    .delete(notifications)
    .where(eq(notifications.accountId, accountId))
    .returning({ id: notifications.id });
  return removed.length;
}

/**
 * Removes every notification of one of the recipient's groups (`POST /api/v2/notifications/:key/dismiss`);
 * returns how many there were (0 is not an error: dismissing twice is harmless, as in Mastodon).
 * NotificationNotFound for a key this server never makes.
 */
export async function dismissNotificationGroup(
  database: Database,
  input: { accountId: string; groupKey: string },
): Promise<number> {
  const members = parseGroupKey(input.groupKey);
  if (members === null) throw new DomainError('NotificationNotFound', 'Record not found');
  const result = await database.primary.execute(
    sql`delete from notifications n
      where n.account_id = ${input.accountId} and not n.filtered and ${membersSql(members)}`,
  );
  return result.rowCount ?? 0;
}
