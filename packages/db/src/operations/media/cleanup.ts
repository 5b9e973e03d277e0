import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';

export interface ExpiredMediaOptions {
  /** Uploads never attached and created before this are removed. */
  unattachedBefore: Date;
  /** Most rows removed by one call (the job calls again while it gets a full batch). */
  limit: number;
}

/**
 * Removes, in one statement, attachments no post uses: uploads never attached since
 * `unattachedBefore`, and the attachments of deleted posts. Returns the storage keys of their
 * files, which the caller deletes after the commit. A post being written with one of these
 * attachments either locked it first (and it is skipped) or finds it gone and is refused: nothing
 * a status uses is ever removed.
 */
export async function removeExpiredMedia(
  database: Database,
  options: ExpiredMediaOptions,
): Promise<{ removed: number; keys: string[] }> {
  const rows = await queryRows<{ keys: (string | null)[] }>(
    database.primary,
    sql`
    with doomed as (
      select m.id from media_attachments m
      where m.status_id is null and m.scheduled_status_id is null
        and m.created_at < ${options.unattachedBefore}
      union
      select m.id from statuses s join media_attachments m on m.status_id = s.id
      where s.deleted_at is not null
    ), locked as (
      select m.id from media_attachments m join doomed on doomed.id = m.id
      -- Checked again on the row locked: a scheduled post may have reserved it meanwhile.
      where m.status_id is not null or m.scheduled_status_id is null
      order by m.id limit ${options.limit}
      for update of m skip locked
    ), removed as (
      delete from media_attachments m using locked where m.id = locked.id
      returning m.incoming_key, m.original_key, m.small_key
    )
    select array[incoming_key, original_key, small_key] as "keys" from removed`,
  );
  return {
    removed: rows.length,
    keys: rows.flatMap((row) => row.keys.filter((key): key is string => key !== null)),
  };
}
