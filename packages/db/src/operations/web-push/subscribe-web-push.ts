import { eq } from 'drizzle-orm';
import type { Database } from '../../client.js';
import { webPushSubscriptions, type WebPushPolicy } from '../../schema/index.js';
import { withTransaction } from '../../transaction.js';
import { checkEndpoint, checkKeys, checkPolicy, enabledAlerts } from './subscription-input.js';

/**
 * A Web Push subscription as the API shows it (Mastodon's WebPushSubscription). The user agent's
 * keys and the sealed token, which only the sending worker reads, stay in the database.
 */
export interface WebPushSubscription {
  id: string;
  accountId: string;
  accessTokenId: string;
  endpoint: string;
  /** RFC 8291 `aes128gcm` when true, the legacy `aesgcm` draft when false. */
  standard: boolean;
  /** The notification types pushed. */
  alerts: string[];
  policy: WebPushPolicy;
  createdAt: Date;
  updatedAt: Date;
}

export const WEB_PUSH_SUBSCRIPTION_COLUMNS = {
  id: webPushSubscriptions.id,
  accountId: webPushSubscriptions.accountId,
  accessTokenId: webPushSubscriptions.accessTokenId,
  endpoint: webPushSubscriptions.endpoint,
  standard: webPushSubscriptions.standard,
  alerts: webPushSubscriptions.alerts,
  policy: webPushSubscriptions.policy,
  createdAt: webPushSubscriptions.createdAt,
  updatedAt: webPushSubscriptions.updatedAt,
} satisfies Record<keyof WebPushSubscription, unknown>;

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
): Promise<WebPushSubscription> {
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
      .returning(WEB_PUSH_SUBSCRIPTION_COLUMNS);
    return row!;
  });
}
