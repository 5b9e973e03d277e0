import { eq } from 'drizzle-orm';
import type { Database } from '../../client.js';
import { webPushSubscriptions } from '../../schema/index.js';

/** Removes the token's subscription, if any (Mastodon answers `{}` either way). */
export async function unsubscribeWebPush(database: Database, accessTokenId: string): Promise<void> {
  await database.primary
    .delete(webPushSubscriptions)
    .where(eq(webPushSubscriptions.accessTokenId, accessTokenId));
}
