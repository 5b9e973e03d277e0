import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { webPushSubscriptions } from '../../schema/index.js';
import { WEB_PUSH_SUBSCRIPTION_COLUMNS, type WebPushSubscription } from './subscribe-web-push.js';
import { checkPolicy, enabledAlerts } from './subscription-input.js';

/** Changes the alerts and/or the policy of the token's subscription (what is not given stays). */
export async function updateWebPushSubscription(
  database: Database,
  input: {
    accessTokenId: string;
    alerts?: Readonly<Record<string, boolean>> | undefined;
    policy?: string | undefined;
  },
): Promise<WebPushSubscription> {
  const changes: Partial<Pick<WebPushSubscription, 'alerts' | 'policy'>> = {};
  if (input.alerts !== undefined) changes.alerts = enabledAlerts(input.alerts);
  if (input.policy !== undefined) changes.policy = checkPolicy(input.policy);
  const [row] = await database.primary
    .update(webPushSubscriptions)
    .set({ ...changes, updatedAt: sql`now()` })
    .where(eq(webPushSubscriptions.accessTokenId, input.accessTokenId))
    .returning(WEB_PUSH_SUBSCRIPTION_COLUMNS);
  if (!row) throw new DomainError('PushSubscriptionNotFound', 'Record not found');
  return row;
}
