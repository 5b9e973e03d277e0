import { eq } from 'drizzle-orm';
import type { Executor } from '../client.js';
import { webPushSubscriptions } from '../schema/index.js';
import {
  WEB_PUSH_SUBSCRIPTION_COLUMNS,
  type WebPushSubscription,
} from '../operations/web-push/subscribe-web-push.js';

/** The access token's Web Push subscription, or null. */
export async function findWebPushSubscription(
  executor: Executor,
  accessTokenId: string,
): Promise<WebPushSubscription | null> {
  const [row] = await executor
    .select(WEB_PUSH_SUBSCRIPTION_COLUMNS)
    .from(webPushSubscriptions)
    .where(eq(webPushSubscriptions.accessTokenId, accessTokenId))
    .limit(1);
  return row ?? null;
}
