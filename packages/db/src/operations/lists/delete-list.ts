import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { isSnowflakeId } from '../../ids.js';
import { listNotFound } from './list-rules.js';

/** Deletes one of the owner's lists, its members (cascade) and its feed, in one statement. */
export async function deleteList(
  database: Database,
  input: { accountId: string; listId: string },
): Promise<void> {
  if (!isSnowflakeId(input.listId)) throw listNotFound();
  const [row] = await queryRows<{ deleted: boolean }>(
    database.primary,
    sql`with gone as (
        delete from lists where id = ${input.listId} and account_id = ${input.accountId} returning id
      ),
      feed as (delete from list_feed_entries where list_id in (select id from gone))
      select exists (select 1 from gone) as deleted`,
  );
  if (!row?.deleted) throw listNotFound();
}
