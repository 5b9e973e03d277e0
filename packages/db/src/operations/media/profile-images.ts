import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { DomainError } from '../../errors.js';

export type ProfileImageKind = 'avatar' | 'header';

/**
 * Sets (or, with null, removes) one's avatar or header: the storage key of the processed file.
 * Returns the key it replaced, for the caller to delete (null when there was none or it is the
 * same file).
 */
export async function setProfileImage(
  database: Database,
  input: { accountId: string; kind: ProfileImageKind; key: string | null },
): Promise<{ previousKey: string | null }> {
  const column = input.kind === 'avatar' ? sql.raw('avatar_key') : sql.raw('header_key');
  const [row] = await queryRows<{ previousKey: string | null }>(
    database.primary,
    sql`
    with old as (select id, ${column} as key from accounts where id = ${input.accountId} for update)
    update accounts a set ${column} = ${input.key} from old where a.id = old.id
    returning old.key as "previousKey"`,
  );
  if (!row) throw new DomainError('AccountNotFound', 'Record not found');
  return { previousKey: row.previousKey === input.key ? null : row.previousKey };
}
