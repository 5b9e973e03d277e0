/**
 * The notify step: the one road by which notifications are created and removed. The worker's
 * `notifications` consumer calls it for every event that concerns a notification; no operation
 * writes the `notifications` table otherwise (dismissing and clearing, by their recipient, aside).
 *
 * - `notificationChangeFor(event)` says what an event means for notifications (pure).
 * - `applyNotificationChanges` applies a batch of them in ONE statement, idempotently: per event the
 *   `processed_events` marker, per fact the unique key `(recipient, type, from, status)`.
 *
 * The rules, in `NOTIFY_RULES` and `FACT_HOLDS`: nobody is notified of their own action; a
 * notification is created only while its fact still holds (the post exists and still mentions the
 * recipient, the favourite, reblog or follow was not undone meanwhile: events can arrive late or out
 * of order), and an undo removes it only when the fact no longer holds (favourite, unfavourite,
 * favourite again keeps one). Nobody is notified by an account they block or that blocks them, nor
 * by one they mute with its notifications (while the mute lasts); a block also removes the
 * notifications the blocker had from the blocked account (AccountBlocked, as Mastodon's
 * AfterBlockService). Later rules (filters) are more conditions in `NOTIFY_RULES`. The recipient's
 * notification policy (`POLICY_RANK`) then accepts, filters (the notification is created `filtered`
 * and its sender's notification request opened) or drops it. Each notification created and not
 * filtered is announced by a NotificationCreated event, written to
 * the outbox by the same statement (so exactly when the row commits).
 */
import { createEvent, type DomainEvent, type NotificationCreated } from '@murmur/events';
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../client.js';
import { DEFAULT_NOTIFICATION_POLICY, type NotificationType } from '../schema/index.js';
import { conversationMutedBy } from '../queries/conversation-mutes.js';

/** What one event means for notifications. */
export type NotificationChange =
  /** Create the notification (if the rules allow and its fact still holds). */
  | {
      action: 'create';
      type: NotificationType;
      recipientId: string;
      fromAccountId: string;
      statusId: string | null;
    }
  /** Remove it, unless its fact holds again (e.g. favourited again since). */
  | {
      action: 'remove';
      type: NotificationType;
      recipientId: string;
      fromAccountId: string;
      statusId: string | null;
    }
  /** Remove every notification about a status (deleted with its mentions, favourites, reblogs). */
  | { action: 'removeForStatus'; statusId: string }
  /** Remove every notification `recipientId` has from `fromAccountId` (a block). */
  | { action: 'removeFromAccount'; recipientId: string; fromAccountId: string; statusId?: never }
  /** Notify every moderator, admin and owner (a report): recipients are read in the statement. */
  | {
      action: 'notifyStaff';
      type: 'admin.report';
      fromAccountId: string;
      statusId: null;
      reportId: string;
    }
  /**
   * Notify everyone concerned by something that happened to a status, from its author: `update`
   * goes to those who boosted it (an edit), `poll` to the author and every voter (a poll ended). A
   * repeated fact (a second edit) brings the notification back as new, as Mastodon makes another.
   */
  | { action: 'fanOut'; type: 'update' | 'poll'; fromAccountId: string; statusId: string };

/** The notification change an event asks for, or null when the event concerns no notification. */
export function notificationChangeFor(event: DomainEvent): NotificationChange | null {
  switch (event.type) {
    case 'UserMentioned':
      return {
        action: 'create',
        type: 'mention',
        recipientId: event.data.mentionedAccountId,
        fromAccountId: event.data.accountId,
        statusId: event.data.statusId,
      };
    case 'StatusFavourited':
    case 'StatusUnfavourited':
      return {
        action: event.type === 'StatusFavourited' ? 'create' : 'remove',
        type: 'favourite',
        recipientId: event.data.statusAccountId,
        fromAccountId: event.data.accountId,
        statusId: event.data.statusId,
      };
    case 'StatusReblogged':
    case 'ReblogUndone':
      return {
        action: event.type === 'StatusReblogged' ? 'create' : 'remove',
        type: 'reblog',
        recipientId: event.data.statusAccountId,
        fromAccountId: event.data.accountId,
        statusId: event.data.statusId,
      };
    case 'AccountFollowed':
    case 'AccountUnfollowed':
      return {
        action: event.type === 'AccountFollowed' ? 'create' : 'remove',
        type: 'follow',
        recipientId: event.data.targetAccountId,
        fromAccountId: event.data.accountId,
        statusId: null,
      };
    case 'FollowerRemoved':
      // The removed follower's follow notification goes with the follow, as in Mastodon.
      return {
        action: 'remove',
        type: 'follow',
        recipientId: event.data.accountId,
        fromAccountId: event.data.targetAccountId,
        statusId: null,
      };
    case 'FollowRequested':
    case 'FollowRequestClosed':
      // The request's notification lasts while the request is pending (Mastodon destroys it with
      // the request, whether authorized, rejected or withdrawn).
      return {
        action: event.type === 'FollowRequested' ? 'create' : 'remove',
        type: 'follow_request',
        recipientId: event.data.targetAccountId,
        fromAccountId: event.data.accountId,
        statusId: null,
      };
    case 'StatusDeleted':
      return { action: 'removeForStatus', statusId: event.data.statusId };
    case 'AccountBlocked':
      return {
        action: 'removeFromAccount',
        recipientId: event.data.accountId,
        fromAccountId: event.data.targetAccountId,
      };
    case 'ReportFiled':
      return {
        action: 'notifyStaff',
        type: 'admin.report',
        fromAccountId: event.data.accountId,
        statusId: null,
        reportId: event.data.reportId,
      };
    // As Mastodon: an edit notifies those who boosted the status (not those who replied to it).
    case 'StatusEdited':
      return {
        action: 'fanOut',
        type: 'update',
        fromAccountId: event.data.accountId,
        statusId: event.data.statusId,
      };
    case 'PollEnded':
      return {
        action: 'fanOut',
        type: 'poll',
        fromAccountId: event.data.accountId,
        statusId: event.data.statusId,
      };
    default:
      return null;
  }
}

/** The event types `notificationChangeFor` acts on: what the notifications consumer handles. */
export const NOTIFYING_EVENT_TYPES = [
  'UserMentioned',
  'StatusFavourited',
  'StatusUnfavourited',
  'StatusReblogged',
  'ReblogUndone',
  'AccountFollowed',
  'AccountUnfollowed',
  'FollowerRemoved',
  'FollowRequested',
  'FollowRequestClosed',
  'StatusDeleted',
  'AccountBlocked',
  'ReportFiled',
  'StatusEdited',
  'PollEnded',
] as const satisfies readonly DomainEvent['type'][];

/** One event for the notify step. */
export interface NotifyRequest {
  event: DomainEvent;
  /**
   * Record the event processed in the same statement (default). The mention path records it later,
   * with its e-mail's outcome (`recordMentionsProcessed`).
   */
  markProcessed?: boolean;
}

/** Everything a mention e-mail needs, read from the current state. */
export interface MentionContext {
  statusId: string;
  statusText: string;
  statusCreatedAt: Date;
  /** `domain`: the author's server, null for a local author. */
  author: { id: string; username: string; displayName: string; domain: string | null };
  /** A remote status's page on its server (null for a local status, whose page is ours). */
  remoteStatusUrl: string | null;
  recipient: {
    id: string;
    username: string;
    displayName: string;
    email: string;
    emailOnMention: boolean;
  };
}

export type NotifyOutcome =
  /** Processed before: nothing was done. */
  | { processed: true }
  | {
      processed: false;
      /** This call created the notification (and its NotificationCreated). */
      created: boolean;
      /** For a mention that may notify (rules pass, the post still mentions): the e-mail's context. */
      mention: MentionContext | null;
    };

/** The recipient follows the sender of a change `c`. */
const RECIPIENT_FOLLOWS_SENDER = sql`exists (select 1 from follows rf
  where rf.account_id = c.recipient_id and rf.target_account_id = c.from_id)`;

/**
 * Nobody is notified of their own action, nor by an account they block or that blocks them, nor by
 * one they mute with notifications while the mute lasts (so no mention e-mail either), nor by an
 * account of a server they block (a domain block), nor about a
 * status of a conversation they muted; nobody is notified by a suspended account. Accounts limited
 * by a moderator are the recipient's notification policy's business (`POLICY_RANK`), except for an
 * edit or a poll's end, which no policy filters: those are not notified from a limited account the
 * recipient does not follow. Each rule is one more condition on `c` (recipient_id, from_id, type,
 * status_id).
 */
const NOTIFY_RULES = sql`c.recipient_id <> c.from_id
  and not exists (select 1 from blocks b
    where b.account_id = c.recipient_id and b.target_account_id = c.from_id)
  and not exists (select 1 from blocks b
    where b.account_id = c.from_id and b.target_account_id = c.recipient_id)
  and not exists (select 1 from mutes m
    where m.account_id = c.recipient_id and m.target_account_id = c.from_id and m.hide_notifications
      and (m.expires_at is null or m.expires_at > now()))
  and not exists (
    select 1 from accounts sender where sender.id = c.from_id
      and (sender.suspended_at is not null
        -- A server the recipient blocks (account_domain_blocks) notifies them of nothing.
        or exists (select 1 from account_domain_blocks adb
          where adb.account_id = c.recipient_id and adb.domain = sender.domain)
        or (sender.silenced_at is not null and c.type in ('update', 'poll')
          and not ${RECIPIENT_FOLLOWS_SENDER})))
  and (c.status_id is null or not ${conversationMutedBy(sql`c.recipient_id`, sql`c.status_id`)})`;

/** The notification types a policy may filter or drop (Mastodon's: not reports, edits, polls). */
export const FILTERABLE_NOTIFICATION_TYPES = [
  'mention',
  'favourite',
  'reblog',
  'follow',
  'follow_request',
] as const satisfies readonly NotificationType[];

/** A policy's action for the column `column` of the recipient's policy row `p` (default if none). */
const policyAction = (column: keyof typeof DEFAULT_NOTIFICATION_POLICY, name: string) =>
  `case coalesce(p.${name}, '${DEFAULT_NOTIFICATION_POLICY[column]}')
    when 'drop' then 2 when 'filter' then 1 else 0 end`;

/**
 * What the recipient's notification policy does with a change `c`: 0 accept, 1 filter (into a
 * request), 2 drop; the strictest of the policies that apply, as Mastodon's NotifyService. Nothing
 * is filtered from a sender the recipient accepted (a request accepted), from staff, or of a type
 * no policy filters. "Private mention": a direct status from someone the recipient does not follow
 * that does not answer a status of the recipient's mentioning them.
 */
const POLICY_RANK = sql`case
  when c.type not in (${sql.raw(FILTERABLE_NOTIFICATION_TYPES.map((t) => `'${t}'`).join(', '))})
    or exists (select 1 from notification_permissions np
      where np.account_id = c.recipient_id and np.from_account_id = c.from_id)
  then 0
  else coalesce((select greatest(
    case when not ${RECIPIENT_FOLLOWS_SENDER}
      then ${sql.raw(policyAction('forNotFollowing', 'for_not_following'))} else 0 end,
    case when not exists (select 1 from follows sf
        where sf.account_id = c.from_id and sf.target_account_id = c.recipient_id)
      then ${sql.raw(policyAction('forNotFollowers', 'for_not_followers'))} else 0 end,
    case when sender.created_at > now() - interval '30 days'
      then ${sql.raw(policyAction('forNewAccounts', 'for_new_accounts'))} else 0 end,
    case when sender.silenced_at is not null and not ${RECIPIENT_FOLLOWS_SENDER}
      then ${sql.raw(policyAction('forLimitedAccounts', 'for_limited_accounts'))} else 0 end,
    case when c.type = 'mention' and not ${RECIPIENT_FOLLOWS_SENDER} and exists (
        select 1 from statuses ps where ps.id = c.status_id and ps.visibility = 'direct'
          and not exists (select 1 from statuses parent
            join mentions pm on pm.status_id = parent.id and pm.account_id = c.from_id
            where parent.id = ps.in_reply_to_id and parent.account_id = c.recipient_id))
      then ${sql.raw(policyAction('forPrivateMentions', 'for_private_mentions'))} else 0 end)
    from accounts sender
    left join notification_policies p on p.account_id = c.recipient_id
    where sender.id = c.from_id and sender.role = 'user'), 0)
  end`;

/**
 * A UUIDv7 made in SQL (PostgreSQL 15 has no uuidv7()): the ids of the NotificationCreated events
 * of a report's notifications, one per staff member, whose number only the statement knows.
 */
const SQL_UUIDV7 = `(lpad(to_hex(floor(extract(epoch from clock_timestamp()) * 1000)::bigint), 12, '0')
  || '7' || substr(md5(random()::text), 1, 3) || to_hex(8 + floor(random() * 4)::int)
  || substr(md5(random()::text), 1, 15))::uuid`;

/** Whether the fact behind a change `c` still holds in the current state. */
const FACT_HOLDS = sql.raw(`case c.type
  when 'mention' then exists (
    select 1 from statuses s join mentions m on m.status_id = s.id and m.account_id = c.recipient_id
    where s.id = c.status_id and s.account_id = c.from_id and s.deleted_at is null)
  when 'favourite' then exists (
    select 1 from favourites f join statuses s on s.id = f.status_id
    where f.account_id = c.from_id and f.status_id = c.status_id and s.account_id = c.recipient_id
      and s.deleted_at is null)
  when 'reblog' then exists (
    select 1 from statuses w join statuses s on s.id = w.reblog_of_id
    where w.account_id = c.from_id and w.reblog_of_id = c.status_id and w.deleted_at is null
      and s.account_id = c.recipient_id and s.deleted_at is null)
  when 'follow' then exists (
    select 1 from follows f where f.account_id = c.from_id and f.target_account_id = c.recipient_id
      and not f.from_request)
  when 'follow_request' then exists (
    select 1 from follow_requests r
    where r.account_id = c.from_id and r.target_account_id = c.recipient_id)
  when 'admin.report' then exists (
    select 1 from reports r where r.id = c.report_id and r.account_id = c.from_id)
  else false end`);

interface RawMentionContext {
  status_id: string;
  text: string;
  created_at: Date | string;
  author_id: string;
  author_username: string;
  author_display_name: string;
  author_domain: string | null;
  remote_status_url: string | null;
  recipient_id: string;
  recipient_username: string;
  recipient_display_name: string;
  recipient_email: string;
  email_on_mention: boolean;
}

function toMentionContext(row: RawMentionContext): MentionContext {
  return {
    statusId: String(row.status_id),
    statusText: row.text,
    statusCreatedAt: new Date(row.created_at),
    author: {
      id: String(row.author_id),
      username: row.author_username,
      displayName: row.author_display_name,
      domain: row.author_domain,
    },
    remoteStatusUrl: row.remote_status_url,
    recipient: {
      id: String(row.recipient_id),
      username: row.recipient_username,
      displayName: row.recipient_display_name,
      email: row.recipient_email,
      emailOnMention: row.email_on_mention,
    },
  };
}

type NotifyRow = { position: number; done: boolean; created: boolean } & (
  RawMentionContext | { status_id: null }
);

/**
 * The notify step for a batch of events, in ONE statement: for each event not processed yet, its
 * change (see `notificationChangeFor`) under the rules, the NotificationCreated of each notification
 * created, and the marker (unless `markProcessed` is false). One outcome per request, in order; the
 * same event twice gets the same answer twice, and at most one notification and one announcement.
 * Events that concern no notification are only marked.
 */
export async function applyNotificationChanges(
  database: Database,
  consumer: string,
  requests: readonly NotifyRequest[],
): Promise<NotifyOutcome[]> {
  if (requests.length === 0) return [];
  const items = requests.map(({ event, markProcessed }) => {
    const change = notificationChangeFor(event);
    const creates =
      change?.action === 'create' ||
      change?.action === 'notifyStaff' ||
      change?.action === 'fanOut';
    return {
      eventId: event.id,
      action: change?.action ?? 'none',
      type: change && 'type' in change ? change.type : null,
      recipientId: change && 'recipientId' in change ? change.recipientId : null,
      fromId: change && 'fromAccountId' in change ? change.fromAccountId : null,
      statusId: change?.statusId ?? null,
      reportId: change?.action === 'notifyStaff' ? change.reportId : null,
      mark: markProcessed ?? true,
      // Built and validated here; written only for the notifications the statement creates.
      announcement:
        creates && change
          ? JSON.stringify(
              createEvent(
                'NotificationCreated',
                {
                  // A report's or a fan-out's: a template, its recipient and id set in SQL for each.
                  accountId: change.action === 'create' ? change.recipientId : change.fromAccountId,
                  type: change.type,
                  fromAccountId: change.fromAccountId,
                  statusId: change.statusId,
                  causeEventId: event.id,
                },
                event.requestId,
              ) satisfies NotificationCreated,
            )
          : null,
    };
  });
  const column = <T>(pick: (item: (typeof items)[number]) => T) => sql.param(items.map(pick));
  const rows = await queryRows<NotifyRow>(
    database.primary,
    sql`with ev as (
          select * from unnest(
            ${column((i) => i.eventId)}::uuid[], ${column((i) => i.action)}::text[],
            ${column((i) => i.type)}::text[], ${column((i) => i.recipientId)}::bigint[],
            ${column((i) => i.fromId)}::bigint[], ${column((i) => i.statusId)}::bigint[],
            ${column((i) => i.mark)}::boolean[], ${column((i) => i.announcement)}::jsonb[],
            ${column((i) => i.reportId)}::bigint[]
          ) with ordinality as e(event_id, action, type, recipient_id, from_id, status_id, mark,
            announcement, report_id, position)
        ),
        unprocessed as (
          select * from ev
          where not exists (
            select 1 from processed_events p where p.consumer = ${consumer} and p.event_id = ev.event_id
          )
        ),
        changes as (
          select event_id, action, type, recipient_id, from_id, status_id, mark, announcement,
            report_id, position
          from unprocessed where action in ('create', 'remove')
          union all
          select u.event_id, 'create', u.type, staff.id, u.from_id, u.status_id, u.mark,
            jsonb_set(jsonb_set(u.announcement, '{data,accountId}', to_jsonb(staff.id::text)),
              '{id}', to_jsonb((${sql.raw(SQL_UUIDV7)})::text)),
            u.report_id, u.position
          from unprocessed u
          join accounts staff on staff.role <> 'user' and staff.suspended_at is null
          where u.action = 'notifyStaff'
        ),
        judged as (
          select c.*, (${NOTIFY_RULES}) and (${FACT_HOLDS}) as allowed, (${FACT_HOLDS}) as holds,
            case when c.action = 'create' then ${POLICY_RANK} else 0 end as policy_rank
          from changes c
        ),
        notified as (
          insert into notifications (account_id, from_account_id, type, status_id, report_id, filtered)
          -- A dropped one (rank 2) is not created; a filtered one (rank 1) is set aside.
          select distinct recipient_id, from_id, type, status_id, report_id, policy_rank = 1
          from judged
          where action = 'create' and allowed and policy_rank < 2
          -- One lock order for every batch, so concurrent batches wait instead of deadlocking.
          order by recipient_id, type, from_id, status_id, report_id
          on conflict do nothing
          returning account_id, from_account_id, type, status_id, report_id, filtered
        ),
        -- Each filtered notification opens (or brings up) its sender's request.
        requested as (
          insert into notification_requests (account_id, from_account_id, last_status_id)
          select distinct on (account_id, from_account_id) account_id, from_account_id, status_id
          from notified where filtered
          order by account_id, from_account_id, status_id desc nulls last
          on conflict on constraint notification_requests_pair_key do update
            set updated_at = now(),
              last_status_id = coalesce(excluded.last_status_id, notification_requests.last_status_id)
          returning 1
        ),
        created as (
          select distinct on (n.account_id, n.type, n.from_account_id, n.status_id, n.report_id)
            j.position, j.announcement
          -- A filtered notification is not announced (no streaming, no Web Push).
          from notified n
          join judged j on not n.filtered and j.action = 'create' and j.recipient_id = n.account_id
            and j.type = n.type and j.from_id = n.from_account_id
            and j.status_id is not distinct from n.status_id
            and j.report_id is not distinct from n.report_id
          order by n.account_id, n.type, n.from_account_id, n.status_id, n.report_id, j.position
        ),
        -- Data-modifying CTEs run to completion whether or not the final select reads them.
        announced as (
          insert into outbox_events (id, type, payload, occurred_at)
          select (announcement->>'id')::uuid, 'NotificationCreated', announcement,
            (announcement->>'occurredAt')::timestamptz
          from created
          returning 1
        ),
        removed as (
          delete from notifications n
          using judged j
          where j.action = 'remove' and not j.holds and n.account_id = j.recipient_id
            and n.type = j.type and n.from_account_id = j.from_id
            and n.status_id is not distinct from j.status_id
            and n.report_id is not distinct from j.report_id
          returning 1
        ),
        removed_from_account as (
          delete from notifications n
          using unprocessed u
          where u.action = 'removeFromAccount' and n.account_id = u.recipient_id
            and n.from_account_id = u.from_id
          returning 1
        ),
        -- Fan-outs (an edit, a poll's end): the recipients are read here, under the same rules.
        fanned as (
          select distinct on (c.recipient_id, c.type, c.from_id, c.status_id)
            c.recipient_id, c.from_id, c.type, c.status_id, c.announcement, c.position
          from (
            select r.recipient_id, u.from_id, u.type, u.status_id, u.announcement, u.position
            from unprocessed u
            join statuses s on s.id = u.status_id and s.account_id = u.from_id and s.deleted_at is null
            cross join lateral (
              select w.account_id as recipient_id from statuses w
              where u.type = 'update' and w.reblog_of_id = s.id and w.deleted_at is null
                and w.account_id <> s.account_id
              union select s.account_id where u.type = 'poll'
              union select v.account_id from polls p join poll_votes v on v.poll_id = p.id
              where u.type = 'poll' and p.status_id = s.id
            ) r
            where u.action = 'fanOut'
          ) c
          where c.type = 'poll' and c.recipient_id = c.from_id or (${NOTIFY_RULES})
          order by c.recipient_id, c.type, c.from_id, c.status_id, c.position
        ),
        fanned_out as (
          insert into notifications (account_id, from_account_id, type, status_id)
          select recipient_id, from_id, type, status_id from fanned
          order by recipient_id, type, from_id, status_id
          on conflict on constraint notifications_fact_key
            do update set id = snowflake_id(), created_at = now()
          returning account_id, from_account_id, type, status_id
        ),
        fanned_announced as (
          insert into outbox_events (id, type, payload, occurred_at)
          select a.id, 'NotificationCreated', a.payload, (a.payload->>'occurredAt')::timestamptz
          from (
            select e.id, jsonb_set(jsonb_set(f.announcement, '{data,accountId}',
                to_jsonb(n.account_id::text)), '{id}', to_jsonb(e.id::text)) as payload
            from fanned_out n
            join fanned f on f.recipient_id = n.account_id and f.type = n.type
              and f.from_id = n.from_account_id and f.status_id = n.status_id
            cross join lateral (select gen_random_uuid() as id) e
          ) a
          returning 1
        ),
        removed_for_status as (
          delete from notifications n
          using unprocessed u
          where u.action = 'removeForStatus' and n.status_id = u.status_id
          returning 1
        ),
        marked as (
          insert into processed_events (consumer, event_id)
          select ${consumer}, event_id from unprocessed where mark order by event_id
          on conflict do nothing
          returning 1
        ),
        mention as (
          select j.position as mention_position,
            s.id as status_id, s.text, s.created_at,
            a.id as author_id, a.username as author_username, a.display_name as author_display_name,
            a.domain as author_domain, coalesce(s.url, s.uri) as remote_status_url,
            r.id as recipient_id, r.username as recipient_username,
            r.display_name as recipient_display_name, r.email as recipient_email, r.email_on_mention
          from judged j
          join statuses s on s.id = j.status_id
          join accounts a on a.id = s.account_id
          join accounts r on r.id = j.recipient_id
          where j.type = 'mention' and j.action = 'create' and j.allowed and j.policy_rank = 0
        )
        select ev.position::int as position, unprocessed.position is null as done,
          exists (select 1 from created where created.position = ev.position)
            or exists (select 1 from fanned f join fanned_out n on n.account_id = f.recipient_id
              and n.type = f.type and n.from_account_id = f.from_id and n.status_id = f.status_id
              where f.position = ev.position) as created,
          mention.*
        from ev
        left join unprocessed on unprocessed.position = ev.position
        left join mention on mention.mention_position = ev.position`,
    // Planning costs about as much as running it; the plan does not depend on the values.
    { prepared: true },
  );
  const outcomes: NotifyOutcome[] = new Array(requests.length);
  for (const row of rows) {
    outcomes[row.position - 1] = row.done
      ? { processed: true }
      : {
          processed: false,
          created: row.created,
          mention: row.status_id == null ? null : toMentionContext(row),
        };
  }
  return outcomes;
}

/** What the delivery of a mention e-mail came to, recorded in the same statement as the marker. */
export interface MentionEmailOutcome {
  /** The claimed (`sending`) ledger row. */
  deliveryId: string;
  status: 'sent' | 'unknown' | 'failed';
  /** Why it is not `sent`. */
  error?: string;
}

/** A mention whose handling is complete, with the outcome of its e-mail if one was sent. */
export interface ProcessedMention {
  eventId: string;
  email?: MentionEmailOutcome;
}

/**
 * The mention path's final step, in ONE statement for all of `mentions`: the processed markers and
 * the e-mail outcomes (the notification was created by the notify step before the e-mail was sent).
 * A concurrent delivery of the same event waits on the marker's row lock, then conflicts. Returns
 * the ids of the events whose marker this call inserted (the others had been processed before).
 */
export async function recordMentionsProcessed(
  database: Database,
  consumer: string,
  mentions: readonly ProcessedMention[],
): Promise<Set<string>> {
  const byEvent = new Map<string, ProcessedMention>();
  for (const mention of mentions) {
    const key = mention.eventId.toLowerCase();
    // A repeated event keeps the copy that carries an e-mail outcome (only one delivery can have one).
    if (!byEvent.get(key)?.email) byEvent.set(key, mention);
  }
  const unique = [...byEvent.values()];
  if (unique.length === 0) return new Set();
  const column = (pick: (m: ProcessedMention) => string | null) => sql.param(unique.map(pick));
  const rows = await queryRows<{ event_id: string }>(
    database.primary,
    sql`with ev as (
          select * from unnest(
            ${column((m) => m.eventId)}::uuid[],
            ${column((m) => m.email?.deliveryId ?? null)}::bigint[],
            ${column((m) => m.email?.status ?? null)}::text[],
            ${column((m) => m.email?.error?.slice(0, 1000) ?? null)}::text[]
          ) as e(event_id, delivery_id, email_status, email_error)
        ),
        marked as (
          insert into processed_events (consumer, event_id)
          select ${consumer}, event_id from ev order by event_id
          on conflict do nothing
          returning event_id
        ),
        emailed as (
          update email_deliveries d
          set status = ev.email_status, last_error = ev.email_error, updated_at = now()
          from ev
          where d.id = ev.delivery_id and d.status = 'sending'
          returning 1
        )
        select event_id::text as event_id from marked`,
    { prepared: true },
  );
  return new Set(rows.map((r) => r.event_id));
}
