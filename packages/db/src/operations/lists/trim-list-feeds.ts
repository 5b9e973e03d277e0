import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { isSnowflakeId } from '../../ids.js';
import { HOME_FEED_LENGTH } from '../home-feed-rules.js';

/**
 * Keeps each list's feed of a batch of lists to its newest `HOME_FEED_LENGTH` entries (older pages
 * of a list timeline are pulled from its members' statuses). The worker sweeps every list with this.
 */
export async function trimListFeeds(
  database: Database,
  options: { afterListId?: string; lists?: number } = {},
): Promise<{ lastListId: string | null; removed: number }> {
  const after =
    options.afterListId && isSnowflakeId(options.afterListId) ? options.afterListId : '0';
  const batch = Math.max(1, Math.min(options.lists ?? 200, 10_000));
  const [row] = await queryRows<{ last: string | null; removed: number }>(
    database.primary,
    sql`
    with chunk as (select id from lists where id > ${after} order by id limit ${batch}),
    cut as (
      select c.id as list_id, k.status_id as keep_from from chunk c cross join lateral (
        select e.status_id from list_feed_entries e where e.list_id = c.id
        order by e.status_id desc offset ${HOME_FEED_LENGTH - 1} limit 1) k
    ),
    removed as (
      delete from list_feed_entries e using cut
      where e.list_id = cut.list_id and e.status_id < cut.keep_from
      returning 1
    )
    select (select max(id)::text from chunk) as last, (select count(*)::int from removed) as removed`,
  );
  return { lastListId: row?.last ?? null, removed: row?.removed ?? 0 };
}
