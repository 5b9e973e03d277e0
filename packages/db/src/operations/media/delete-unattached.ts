import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';

/**
 * Deletes one's own attachment that no post uses. Returns the storage keys of its files, for the
 * caller to remove once the row is gone (a file is never removed while a row points at it).
 */
export async function deleteUnattachedMedia(
  database: Database,
  input: { accountId: string; mediaId: string },
): Promise<string[]> {
  if (!isSnowflakeId(input.mediaId)) throw new DomainError('MediaNotFound', 'Record not found');
  const [row] = await queryRows<{ attached: boolean; keys: (string | null)[] | null }>(
    database.primary,
    sql`
    with target as (
      select id, status_id is not null as attached from media_attachments
      where id = ${input.mediaId} and account_id = ${input.accountId}
      for update
    ), removed as (
      delete from media_attachments m using target
      where m.id = target.id and not target.attached
      returning m.incoming_key, m.original_key, m.small_key
    )
    select target.attached,
      (select array[incoming_key, original_key, small_key] from removed) as "keys"
    from target`,
  );
  if (!row) throw new DomainError('MediaNotFound', 'Record not found');
  if (row.attached) {
    throw new DomainError(
      'InvalidField',
      'This attachment is part of a post; delete the post instead',
      'id',
    );
  }
  return (row.keys ?? []).filter((key): key is string => key !== null);
}
