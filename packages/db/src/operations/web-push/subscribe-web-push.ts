import { eq } from 'drizzle-orm';
import type { Database } from '../../client.js';
import { webPushSubscriptions, type WebPushPolicy } from '../../schema/index.js';
import { withTransaction } from '../../transaction.js';
import { checkEndpoint, checkKeys, checkPolicy, enabledAlerts } from './subscription-input.js';

export type WebPushSubscriptionRow = typeof webPushSubscriptions.$inferSelect;

/**
 * Subscribes an access token to Web Push, replacing the token's previous subscription (Mastodon
 * keeps one per token; a new POST gives a new id). Only the subscriber's own apps are affected, so
 * no event is written.
 */
export async function subscribeWebPush(
  database: Database,
  input: {
    accountId: string;
    accessTokenId: string;
    endpoint: string;
    keys: { p256dh: string; auth: string };
    standard: boolean;
    alerts: Readonly<Record<string, boolean>>;
    policy: string;
    accessTokenSealed: string;
  },
): Promise<WebPushSubscriptionRow> {
  const endpoint = checkEndpoint(input.endpoint);
  const keys = checkKeys(input.keys);
  const policy: WebPushPolicy = checkPolicy(input.policy);
  return withTransaction(database, async (tx) => {
    await tx
      .delete(webPushSubscriptions)
      .where(eq(webPushSubscriptions.accessTokenId, input.accessTokenId));
    const [row] = await tx
      .insert(webPushSubscriptions)
      .values({
        accountId: input.accountId,
        accessTokenId: input.accessTokenId,
        endpoint,
        keyP256dh: keys.p256dh,
        keyAuth: keys.auth,
        standard: input.standard,
        alerts: enabledAlerts(input.alerts),
        policy,
        accessTokenSealed: input.accessTokenSealed,
      })
      .returning();
    return row!;
  });
}
