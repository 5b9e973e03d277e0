/**
 * A remote status changed by its author (an incoming `Update` of a `Note`): its content, content
 * warning, sensitivity and language replaced, `edited_at` set, and StatusEdited written (clients
 * and streams read the current text). Only the author's own status, only when the update is newer
 * than what is stored.
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
    sql`with changed as (
        update statuses set content_html = ${input.contentHtml}, text = ${input.text},
          spoiler_text = ${input.spoilerText.slice(0, MAX_REMOTE_SPOILER)},
          sensitive = ${input.sensitive}, language = ${input.language}, edited_at = ${editedAt}
        where id = ${target.id} and deleted_at is null
          and coalesce(edited_at, created_at) < ${editedAt}
        returning 1
      ), events as (${outboxInsert([event], sql`exists (select 1 from changed)`)})
      select exists (select 1 from changed) as changed`,
  );
  return row?.changed ?? false;
}
