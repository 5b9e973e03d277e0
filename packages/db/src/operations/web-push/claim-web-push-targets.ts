/**
 * The first step of the `push` consumer, for many `NotificationCreated` events in one statement:
 * finds each announced notification (by its fact key) and its recipient's subscriptions that want
 * it (its type among their alerts; the policy satisfied — `followed`: the recipient follows the
 * sender, `follower`: the sender follows the recipient; the token not revoked), and claims each
 * (notification, subscription) in the delivery ledger. Only pushes claimed now are returned: a
 * redelivered event, or the same event twice in one batch, pushes nothing more.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { hiddenByFilterOf } from '../../queries/filters.js';
import type { NotificationType } from '../../schema/index.js';

/** A NotificationCreated event: the notification it announced, by its fact key. */
export interface AnnouncedNotification {
  eventId: string;
  accountId: string;
  type: NotificationType;
  fromAccountId: string;
  statusId: string | null;
}

/** A notification to push, with what its payload says. */
export interface WebPushNotification {
  id: string;
  type: NotificationType;
  /** The sender; `note` is their profile's plain-text bio (a follow's push shows it). */
  from: { username: string; displayName: string; avatarKey: string | null; note: string };
  /** The status it is about (text and content warning), or null (a follow). */
  status: { text: string; spoilerText: string } | null;
}

/** A claimed push: the notification and what encrypting and sending to the subscription needs. */
export interface WebPushClaim {
  eventId: string;
  notification: WebPushNotification;
  subscriptionId: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
  standard: boolean;
  accessTokenSealed: string;
}

interface ClaimRow {
  event_id: string;
  notification_id: string;
  type: NotificationType;
  username: string;
  display_name: string;
  avatar_key: string | null;
  note: string;
  status_text: string | null;
  spoiler_text: string | null;
  subscription_id: string;
  endpoint: string;
  key_p256dh: string;
  key_auth: string;
  standard: boolean;
  access_token_sealed: string;
}

export async function claimWebPushTargets(
  database: Database,
  facts: readonly AnnouncedNotification[],
): Promise<WebPushClaim[]> {
  if (facts.length === 0) return [];
  const column = <T>(pick: (fact: AnnouncedNotification) => T) => sql.param(facts.map(pick));
  const rows = await queryRows<ClaimRow>(
    database.primary,
    sql`with fact as (
        select * from unnest(${column((f) => f.eventId)}::uuid[],
          ${column((f) => f.accountId)}::bigint[], ${column((f) => f.type)}::text[],
          ${column((f) => f.fromAccountId)}::bigint[], ${column((f) => f.statusId)}::bigint[])
          as f(event_id, account_id, type, from_account_id, status_id)
      ), wanted as (
        select fact.event_id, n.id as notification_id, ws.id as subscription_id
        from fact
        join notifications n on n.account_id = fact.account_id and n.type = fact.type
          and n.from_account_id = fact.from_account_id
          and n.status_id is not distinct from fact.status_id
        join web_push_subscriptions ws on ws.account_id = n.account_id and n.type = any(ws.alerts)
        join oauth_access_tokens token
          on token.id = ws.access_token_id and token.revoked_at is null
        where (ws.policy = 'all'
          or (ws.policy = 'followed' and exists (select 1 from follows f
            where f.account_id = n.account_id and f.target_account_id = n.from_account_id))
          or (ws.policy = 'follower' and exists (select 1 from follows f
            where f.account_id = n.from_account_id and f.target_account_id = n.account_id)))
          -- A notification the recipient's own filters hide (as the app would) is not pushed.
          and (n.status_id is null
            or not ${hiddenByFilterOf(sql`n.account_id`, sql`n.status_id`, 'notifications')})
      ), claimed as (
        insert into web_push_deliveries (notification_id, subscription_id)
        select notification_id, subscription_id from wanted
        on conflict do nothing
        returning notification_id, subscription_id
      )
      select distinct on (claimed.notification_id, claimed.subscription_id)
        wanted.event_id, n.id as notification_id, n.type, sender.username,
        sender.display_name, sender.avatar_key, sender.note, s.text as status_text, s.spoiler_text,
        ws.id as subscription_id, ws.endpoint, ws.key_p256dh, ws.key_auth, ws.standard,
        ws.access_token_sealed
      from claimed
      join wanted using (notification_id, subscription_id)
      join notifications n on n.id = claimed.notification_id
      join accounts sender on sender.id = n.from_account_id
      left join statuses s on s.id = n.status_id
      join web_push_subscriptions ws on ws.id = claimed.subscription_id`,
  );
  return rows.map((row) => ({
    eventId: row.event_id,
    notification: {
      id: row.notification_id,
      type: row.type,
      from: {
        username: row.username,
        displayName: row.display_name,
        avatarKey: row.avatar_key,
        note: row.note,
      },
      status:
        row.status_text === null
          ? null
          : { text: row.status_text, spoilerText: row.spoiler_text ?? '' },
    },
    subscriptionId: row.subscription_id,
    endpoint: row.endpoint,
    keys: { p256dh: row.key_p256dh, auth: row.key_auth },
    standard: row.standard,
    accessTokenSealed: row.access_token_sealed,
  }));
}
