import { sql } from 'drizzle-orm';
import type { Database } from '../../client.js';
import { isSnowflakeId } from '../../ids.js';
import { withTransaction } from '../../transaction.js';
import { requireOwnList } from './list-rules.js';

/**
 * Takes accounts out of one of the owner's lists, with their entries in the list's feed. Accounts
 * that are not members are ignored (as Mastodon).
 */
export async function removeListAccounts(
  database: Database,
  input: { accountId: string; listId: string; accountIds: readonly string[] },
): Promise<void> {
  const ids = [...new Set(input.accountIds)].filter(isSnowflakeId);
  await withTransaction(database, async (tx) => {
    await requireOwnList(tx, input.accountId, input.listId);
    if (ids.length === 0) return;
    await tx.execute(sql`
      with removed as (
        delete from list_accounts where list_id = ${input.listId}
          and account_id = any(${sql.param(ids)}::bigint[])
      )
      delete from list_feed_entries where list_id = ${input.listId}
        and author_id = any(${sql.param(ids)}::bigint[])`);
  });
}
