import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { mediaNotFound, ownMediaTarget } from './rules.js';

/**
 * Deletes one's own attachment that no post uses. Returns the storage keys of its files, for the
 * caller to remove once the row is gone (a file is never removed while a row points at it).
 */
export async function deleteUnattachedMedia(
  database: Database,
  input: { accountId: string; mediaId: string },
): Promise<string[]> {
  if (!isSnowflakeId(input.mediaId)) throw mediaNotFound();
  const [row] = await queryRows<{ attached: boolean; keys: (string | null)[] | null }>(
    database.primary,
    sql`
    with target as (${ownMediaTarget(input)}), removed as (
      delete from media_attachments m using target
      where m.id = target.id and not target.attached
      returning m.incoming_key, m.original_key, m.small_key
    )
    select target.attached,
      (select array[incoming_key, original_key, small_key] from removed) as "keys"
    from target`,
  );
  if (!row) throw mediaNotFound();
  if (row.attached) {
    throw new DomainError(
      'InvalidField',
      'This attachment is part of a post; delete the post instead',
      'id',
    );
  }
  return (row.keys ?? []).filter((key): key is string => key !== null);
}
