/**
 * A filter's keywords and statuses one by one (Mastodon's /api/v2/filters/:id/keywords,
 * /filters/keywords/:id, /filters/:id/statuses, /filters/statuses/:id).
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../client.js';
import { queryRows } from '../../client.js';
import { isSnowflakeId } from '../../ids.js';
import {
  findFilter,
  findFilterByKeyword,
  findFilterByStatusEntry,
  type FilterKeywordView,
  type FilterStatusView,
} from '../../queries/filters.js';
import { withTransaction } from '../../transaction.js';
import { checkKeywordCount, insertKeywords } from './create-filter.js';
import { checkedKeyword, filterNotFound, keywordPattern } from './rules.js';
import { getVisibleStatus } from '../statuses/visible.js';

export async function addFilterKeyword(
  database: Database,
  input: { accountId: string; filterId: string; keyword: string; wholeWord?: boolean },
): Promise<FilterKeywordView> {
  const keyword = checkedKeyword(input.keyword);
  const wholeWord = input.wholeWord ?? true;
  return withTransaction(database, async (tx) => {
    const filter = await findFilter(tx, input.accountId, input.filterId);
    if (!filter) throw filterNotFound();
    checkKeywordCount(filter.keywords.length + 1);
    const [id] = await insertKeywords(tx, filter.id, [{ keyword, wholeWord }]);
    return { id: id!, keyword, wholeWord };
  });
}

export async function updateFilterKeyword(
  database: Database,
  input: { accountId: string; keywordId: string; keyword?: string; wholeWord?: boolean },
): Promise<FilterKeywordView> {
  const filter = await findFilterByKeyword(database.primary, input.accountId, input.keywordId);
  const existing = filter?.keywords.find((k) => k.id === input.keywordId);
  if (!existing) throw filterNotFound();
  const keyword = input.keyword === undefined ? existing.keyword : checkedKeyword(input.keyword);
  const wholeWord = input.wholeWord ?? existing.wholeWord;
  await database.primary.execute(sql`update filter_keywords set keyword = ${keyword},
    whole_word = ${wholeWord}, pattern = ${keywordPattern(keyword, wholeWord)}
    where id = ${existing.id}`);
  return { id: existing.id, keyword, wholeWord };
}

export async function removeFilterKeyword(
  database: Database,
  input: { accountId: string; keywordId: string },
): Promise<void> {
  const filter = await findFilterByKeyword(database.primary, input.accountId, input.keywordId);
  if (!filter) throw filterNotFound();
  await database.primary.execute(sql`delete from filter_keywords where id = ${input.keywordId}`);
}

/** Adds a status the account may see to a filter; adding it twice keeps one entry. */
export async function addFilterStatus(
  database: Database,
  input: { accountId: string; filterId: string; statusId: string },
): Promise<FilterStatusView> {
  return withTransaction(database, async (tx) => {
    const filter = await findFilter(tx, input.accountId, input.filterId);
    if (!filter) throw filterNotFound();
    const status = await getVisibleStatus(tx, input.statusId, input.accountId);
    const [row] = await queryRows<{ id: string }>(
      tx,
      sql`with added as (
          insert into filter_statuses (filter_id, status_id) values (${filter.id}, ${status.id})
          on conflict do nothing returning id)
        select id::text as id from added
        union all
        select id::text from filter_statuses where filter_id = ${filter.id} and status_id = ${status.id}
        limit 1`,
    );
    return { id: row!.id, statusId: status.id };
  });
}

export async function removeFilterStatus(
  database: Database,
  input: { accountId: string; filterStatusId: string },
): Promise<void> {
  if (!isSnowflakeId(input.filterStatusId)) throw filterNotFound();
  const filter = await findFilterByStatusEntry(
    database.primary,
    input.accountId,
    input.filterStatusId,
  );
  if (!filter) throw filterNotFound();
  await database.primary.execute(
    sql`delete from filter_statuses where id = ${input.filterStatusId}`,
  );
}
