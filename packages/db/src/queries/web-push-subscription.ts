import { eq } from 'drizzle-orm';
import type { Executor } from '../client.js';
import { webPushSubscriptions } from '../schema/index.js';
import type { WebPushSubscriptionRow } from '../operations/web-push/subscribe-web-push.js';

/** The access token's Web Push subscription, or null. */
export async function findWebPushSubscription(
  executor: Executor,
  accessTokenId: string,
): Promise<WebPushSubscriptionRow | null> {
  const [row] = await executor
    .select()
    .from(webPushSubscriptions)
    .where(eq(webPushSubscriptions.accessTokenId, accessTokenId))
    .limit(1);
  return row ?? null;
}
