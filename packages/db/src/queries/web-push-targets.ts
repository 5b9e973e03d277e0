import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import type { NotificationType } from '../schema/index.js';

/** A notification to push, with what its payload says. */
export interface WebPushNotification {
  id: string;
  type: NotificationType;
  from: { username: string; displayName: string; avatarKey: string | null };
  /** The status it is about (text and content warning), or null (a follow). */
  status: { text: string; spoilerText: string } | null;
}

/** A subscription that wants the notification, with what encrypting and sending to it needs. */
export interface WebPushTarget {
  subscriptionId: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
  standard: boolean;
  accessTokenSealed: string;
}

interface TargetRow {
  notification_id: string;
  type: NotificationType;
  username: string;
  display_name: string;
  avatar_key: string | null;
  status_text: string | null;
  spoiler_text: string | null;
  subscription_id: string | null;
  endpoint: string | null;
  key_p256dh: string | null;
  key_auth: string | null;
  standard: boolean | null;
  access_token_sealed: string | null;
}

/**
 * The notification a `NotificationCreated` event announced (found by its fact key) and the
 * recipient's subscriptions that want it: its type among their alerts, the policy satisfied
 * (`followed`: the recipient follows the sender; `follower`: the sender follows the recipient), the
 * token not revoked. Null when the notification is gone (undone since). One statement.
 */
export async function findWebPushTargets(
  executor: Executor,
  fact: {
    accountId: string;
    type: NotificationType;
    fromAccountId: string;
    statusId: string | null;
  },
): Promise<{ notification: WebPushNotification; targets: WebPushTarget[] } | null> {
  const rows = await queryRows<TargetRow>(
    executor,
    sql`select n.id as notification_id, n.type, sender.username, sender.display_name,
        sender.avatar_key, s.text as status_text, s.spoiler_text,
        ws.id as subscription_id, ws.endpoint, ws.key_p256dh, ws.key_auth, ws.standard,
        ws.access_token_sealed
      from notifications n
      join accounts sender on sender.id = n.from_account_id
      left join statuses s on s.id = n.status_id
      left join (web_push_subscriptions ws
        join oauth_access_tokens token
          on token.id = ws.access_token_id and token.revoked_at is null)
        on ws.account_id = n.account_id
        and n.type = any(ws.alerts)
        and (ws.policy = 'all'
          or (ws.policy = 'followed' and exists (select 1 from follows f
            where f.account_id = n.account_id and f.target_account_id = n.from_account_id))
          or (ws.policy = 'follower' and exists (select 1 from follows f
            where f.account_id = n.from_account_id and f.target_account_id = n.account_id)))
      where n.account_id = ${fact.accountId} and n.type = ${fact.type}
        and n.from_account_id = ${fact.fromAccountId}
        and n.status_id is not distinct from ${fact.statusId}::bigint
      order by ws.id`,
  );
  const [first] = rows;
  if (!first) return null;
  const notification: WebPushNotification = {
    id: first.notification_id,
    type: first.type,
    from: {
      username: first.username,
      displayName: first.display_name,
      avatarKey: first.avatar_key,
    },
    status:
      first.status_text === null
        ? null
        : { text: first.status_text, spoilerText: first.spoiler_text ?? '' },
  };
  const targets: WebPushTarget[] = [];
  for (const row of rows) {
    if (row.subscription_id === null) continue;
    targets.push({
      subscriptionId: row.subscription_id,
      endpoint: row.endpoint!,
      keys: { p256dh: row.key_p256dh!, auth: row.key_auth! },
      standard: row.standard!,
      accessTokenSealed: row.access_token_sealed!,
    });
  }
  return { notification, targets };
}
