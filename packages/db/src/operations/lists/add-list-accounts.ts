import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { withTransaction } from '../../transaction.js';
import { belongsInList, HOME_FEED_LENGTH } from '../home-feed-rules.js';
import { MAX_LIST_MEMBERS, requireOwnList } from './list-rules.js';

/** Recent posts of a new member merged into the list's feed (Mastodon merges 200 on a follow). */
const MERGED_PER_MEMBER = HOME_FEED_LENGTH / 4;

/**
 * Adds accounts to one of the owner's lists: only accounts the owner follows (else AccountNotFound,
 * as Mastodon), none twice (422, as Mastodon), at most `MAX_LIST_MEMBERS`. Their recent posts enter
 * the list's feed in the same transaction, so the list timeline shows them at once; later posts come
 * through the fan-out.
 */
export async function addListAccounts(
  database: Database,
  input: { accountId: string; listId: string; accountIds: readonly string[] },
): Promise<void> {
  const ids = [...new Set(input.accountIds)];
  if (ids.length === 0) return;
  if (!ids.every(isSnowflakeId)) throw new DomainError('AccountNotFound', 'Record not found');
  await withTransaction(database, async (tx) => {
    await requireOwnList(tx, input.accountId, input.listId, { forUpdate: true });
    const [check] = await queryRows<{ followed: number; members: number; already: number }>(
      tx,
      sql`select
        (select count(*)::int from follows where account_id = ${input.accountId}
          and target_account_id = any(${sql.param(ids)}::bigint[])) as followed,
        (select count(*)::int from list_accounts where list_id = ${input.listId}) as members,
        (select count(*)::int from list_accounts where list_id = ${input.listId}
          and account_id = any(${sql.param(ids)}::bigint[])) as already`,
    );
    if (check!.followed < ids.length) throw new DomainError('AccountNotFound', 'Record not found');
    if (check!.already > 0) {
      throw new DomainError('InvalidField', 'Validation failed: Account has already been taken');
    }
    if (check!.members + ids.length > MAX_LIST_MEMBERS) {
      throw new DomainError(
        'InvalidField',
        `Validation failed: A list can hold at most ${MAX_LIST_MEMBERS} accounts`,
      );
    }
    await tx.execute(sql`
      with added as (
        insert into list_accounts (list_id, account_id, follow_id)
        select ${input.listId}, f.target_account_id, f.id from follows f
        where f.account_id = ${input.accountId} and f.target_account_id = any(${sql.param(ids)}::bigint[])
        returning account_id
      )
      insert into list_feed_entries (list_id, status_id, author_id, reblog_of_id)
      select l.id, s.id, s.account_id, s.reblog_of_id
      from lists l cross join added m cross join lateral (
        select * from statuses s where s.account_id = m.account_id
        order by s.id desc limit ${MERGED_PER_MEMBER}) s
      where l.id = ${input.listId} and ${belongsInList(sql`s`, sql`l`)}
      on conflict do nothing`);
  });
}
