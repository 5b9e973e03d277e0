import { and, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { DomainError } from '../errors.js';
import { notifications } from '../schema/index.js';
import { isSnowflakeId } from '../ids.js';

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
