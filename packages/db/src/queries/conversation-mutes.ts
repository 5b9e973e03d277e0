import { sql, type SQL } from 'drizzle-orm';

/**
 * How far up a thread the root is looked for: conversation mutes and direct-message conversations
 * share this walk (and so agree on a thread's root); past it, the status that deep is the root
 * (a thread is never this deep in practice).
 */
const MAX_THREAD_DEPTH = 500;

/**
 * The root of the thread status `statusId` (an SQL expression) belongs to: walks `in_reply_to_id`
 * up. A status that answers nothing is its own root. One index probe per level.
 */
export function threadRootOf(statusId: SQL): SQL {
  return sql`(with recursive up(id, parent, depth) as (
      select t.id, t.in_reply_to_id, 0 from statuses t where t.id = ${statusId}
      union all
      select p.id, p.in_reply_to_id, up.depth + 1 from up join statuses p on p.id = up.parent
      where up.depth < ${sql.raw(String(MAX_THREAD_DEPTH))}
    ) select up.id from up order by up.depth desc limit 1)`;
}

/**
 * True when `accountId` (an SQL expression) muted the conversation of status `statusId`. A person
 * who muted no conversation pays one index probe, not the walk.
 */
export function conversationMutedBy(accountId: SQL, statusId: SQL): SQL {
  return sql`(exists (select 1 from conversation_mutes cm0 where cm0.account_id = ${accountId})
    and exists (select 1 from conversation_mutes cm where cm.account_id = ${accountId}
      and cm.root_status_id = ${threadRootOf(statusId)}))`;
}
