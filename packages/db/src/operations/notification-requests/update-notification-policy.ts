import { sql } from 'drizzle-orm';
import type { Database } from '../../client.js';
import type { DEFAULT_NOTIFICATION_POLICY } from '../../schema/notification-policies.js';
import {
  notificationPolicies,
  type NotificationPolicyAction,
} from '../../schema/notification-policies.js';

export type NotificationPolicyChange = Partial<
  Record<keyof typeof DEFAULT_NOTIFICATION_POLICY, NotificationPolicyAction>
>;

/**
 * Changes some of a person's notification policy (the others keep their value, or Mastodon's
 * default). It applies to notifications created from now on; those already filtered stay in their
 * requests, as in Mastodon. Only its owner sees it: no event.
 */
export async function updateNotificationPolicy(
  database: Database,
  accountId: string,
  change: NotificationPolicyChange,
): Promise<void> {
  const set = Object.fromEntries(
    Object.entries(change).filter(([, value]) => value !== undefined),
  ) as NotificationPolicyChange;
  await database.primary
    .insert(notificationPolicies)
    .values({ accountId, ...set })
    .onConflictDoUpdate({
      target: notificationPolicies.accountId,
      set: { ...set, updatedAt: sql`now()` },
    });
}
