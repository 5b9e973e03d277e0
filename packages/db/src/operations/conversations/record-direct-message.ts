import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { isSnowflakeId } from '../../ids.js';
import { threadRootOf } from '../../queries/conversation-mutes.js';

/** How far up a thread the worker looks for its first status (deeper threads start there). */

/**
 * The conversations consumer's step for a PostCreated event: when the status is a direct message,
 * each participant (the author and every mentioned account) gets it in their conversation for the
 * thread with the same other participants (created when new), and it is unread for everyone but
 * the author. The event's marker commits in the same statement, so a redelivery changes nothing
 * (not even a conversation its participant removed or read since). Returns false for a duplicate.
 */
export async function recordDirectMessageOnce(
  database: Database,
  consumer: string,
  event: { eventId: string; statusId: string },
): Promise<boolean> {
  if (!isSnowflakeId(event.statusId)) return false;
  const [row] = await queryRows<{ fresh: boolean }>(
    database.primary,
    sql`
    with marked as (
      insert into processed_events (consumer, event_id) values (${consumer}, ${event.eventId})
      on conflict do nothing returning 1
    ),
    status as (
      select s.id, s.account_id, s.in_reply_to_id from statuses s
      where s.id = ${event.statusId} and s.visibility = 'direct' and s.deleted_at is null
        and exists (select 1 from marked)
    ),
    thread as (select ${threadRootOf(sql`(select id from status)`)} as id),
    everyone as (
      select account_id from status
      union
      select m.account_id from mentions m where m.status_id = (select id from status)
    ),
    written as (
      insert into account_conversations
        (account_id, thread_id, participant_ids, status_ids, last_status_id, unread)
      select e.account_id, (select id from thread),
        array(select o.account_id from everyone o where o.account_id <> e.account_id order by 1),
        array[(select id from status)], (select id from status),
        e.account_id <> (select account_id from status)
      from everyone e
      on conflict (account_id, thread_id, participant_ids) do update set
        status_ids = account_conversations.status_ids || excluded.status_ids,
        last_status_id = greatest(account_conversations.last_status_id, excluded.last_status_id),
        unread = case when excluded.last_status_id > account_conversations.last_status_id
          then excluded.unread else account_conversations.unread end
    )
    select exists (select 1 from marked) as fresh`,
  );
  return row?.fresh ?? false;
}
