/**
 * A remote status changed by its author (an incoming `Update` of a `Note`): its content, content
 * warning, sensitivity and language replaced, `edited_at` set, a revision recorded in
 * `status_edits` as a local edit records one (the first edit also keeps the original), and
 * StatusEdited written (clients, streams and the edit history read it as a local edit). Only the
 * author's own status, only when the update is newer than what is stored.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { newEvent, outboxInsert } from '../outbox.js';
import { MAX_REMOTE_SPOILER, type RemoteStatusInput } from './receive-remote-status.js';

export type RemoteStatusUpdate = Pick<
  RemoteStatusInput,
  'accountId' | 'uri' | 'contentHtml' | 'text' | 'spoilerText' | 'sensitive' | 'language'
> & { editedAt: Date };

/** True when the status was changed. */
export async function updateRemoteStatus(
  database: Database,
  input: RemoteStatusUpdate,
): Promise<boolean> {
  const editedAt = new Date(Math.min(input.editedAt.getTime(), Date.now()));
  const spoilerText = input.spoilerText.slice(0, MAX_REMOTE_SPOILER);
  const [target] = await queryRows<{ id: string }>(
    database.primary,
    sql`select id::text as id from statuses where uri = ${input.uri}
      and account_id = ${input.accountId} and deleted_at is null`,
  );
  if (!target) return false;
  const event = newEvent(
    'StatusEdited',
    { statusId: target.id, accountId: input.accountId, editedAt: editedAt.toISOString() },
    null,
  );
  const [row] = await queryRows<{ changed: boolean }>(
    database.primary,
    sql`with previous as (
        -- Read before the update (the statement's snapshot): what the original revision keeps.
        select s.id, s.account_id, s.text, s.spoiler_text, s.sensitive, s.content_html, s.created_at,
          (select p.options from polls p where p.status_id = s.id) as poll_options
        from statuses s
        where s.id = ${target.id} and s.deleted_at is null
          and coalesce(s.edited_at, s.created_at) < ${editedAt}
          -- Mastodon sends an Update with the same content when only a poll's counts changed.
          and (s.content_html is distinct from ${input.contentHtml}
            or s.spoiler_text <> ${spoilerText} or s.sensitive <> ${input.sensitive})
      ), changed as (
        update statuses set content_html = ${input.contentHtml}, text = ${input.text},
          spoiler_text = ${spoilerText},
          sensitive = ${input.sensitive}, language = ${input.language}, edited_at = ${editedAt}
        where id in (select id from previous) and coalesce(edited_at, created_at) < ${editedAt}
        returning 1
      ), original as (
        insert into status_edits (id, status_id, account_id, text, spoiler_text, sensitive,
          poll_options, content_html, created_at)
        select snowflake_id_at(p.created_at), p.id, p.account_id, p.text, p.spoiler_text,
          p.sensitive, p.poll_options, p.content_html, p.created_at
        from previous p
        where exists (select 1 from changed)
          and not exists (select 1 from status_edits e where e.status_id = p.id)
      ), revision as (
        insert into status_edits (id, status_id, account_id, text, spoiler_text, sensitive,
          poll_options, content_html, created_at)
        select snowflake_id_at(${editedAt}), p.id, p.account_id, ${input.text}, ${spoilerText},
          ${input.sensitive}, p.poll_options, ${input.contentHtml}, ${editedAt}
        from previous p where exists (select 1 from changed)
      ), events as (${outboxInsert([event], sql`exists (select 1 from changed)`)})
      select exists (select 1 from changed) as changed`,
  );
  return row?.changed ?? false;
}
