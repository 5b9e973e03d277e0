import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { visibleTo } from '../operations/visibility.js';
import { statuses } from '../schema/index.js';
import { hydrateStatuses } from './hydrate.js';
import { newestFirst, orderFor, pageConditions, type Page } from './pagination.js';
import type { StatusView } from './views.js';

async function pageOfStatusIds(
  executor: Executor,
  filter: SQL,
  page: Page,
  from: SQL = sql`statuses`,
): Promise<string[]> {
  const { where, ascending } = pageConditions(statuses.id, page);
  const rows = await queryRows<{ id: string }>(
    executor,
    sql`
    select ${statuses.id}::text as id from ${from}
    where ${statuses.deletedAt} is null and ${filter} and ${where}
    order by ${orderFor(statuses.id, ascending)}
    limit ${page.limit}`,
  );
  return newestFirst(
    rows.map((r) => r.id),
    ascending,
  );
}

/** Local public posts, newest first (reblogs left out, as Mastodon's public timeline does). */
export async function publicTimeline(
  executor: Executor,
  page: Page,
  viewerId: string | null = null,
): Promise<StatusView[]> {
  const ids = await pageOfStatusIds(
    executor,
    sql`${statuses.visibility} = 'public' and ${statuses.reblogOfId} is null`,
    page,
  );
  return hydrateStatuses(executor, ids, viewerId);
}

/** The viewer's own posts and those of the accounts they follow, with reblogs; no direct messages. */
export async function homeTimeline(
  executor: Executor,
  viewerId: string,
  page: Page,
): Promise<StatusView[]> {
  const ids = await pageOfStatusIds(
    executor,
    sql`${statuses.accountId} in (
        select f.target_account_id from follows f where f.account_id = ${viewerId}
        union all select ${viewerId}::bigint)
      and ${statuses.visibility} <> 'direct'`,
    page,
  );
  return hydrateStatuses(executor, ids, viewerId);
}

/** Public posts carrying a hashtag (normalized name). */
export async function tagTimeline(
  executor: Executor,
  tagName: string,
  page: Page,
  viewerId: string | null = null,
): Promise<StatusView[]> {
  const ids = await pageOfStatusIds(
    executor,
    sql`${statuses.visibility} = 'public' and ${statuses.id} in (
      select st.status_id from status_tags st join tags t on t.id = st.tag_id where t.name = ${tagName})`,
    page,
  );
  return hydrateStatuses(executor, ids, viewerId);
}

export interface AccountStatusesFilter {
  excludeReplies?: boolean;
  excludeReblogs?: boolean;
  /** Normalized hashtag name. */
  tagged?: string | null;
}

/** An account's posts as the viewer may see them. */
export async function accountStatuses(
  executor: Executor,
  accountId: string,
  page: Page,
  viewerId: string | null = null,
  filter: AccountStatusesFilter = {},
): Promise<StatusView[]> {
  const parts: SQL[] = [sql`${statuses.accountId} = ${accountId}`, visibleTo(viewerId)];
  if (filter.excludeReplies) {
    // Mastodon keeps self-replies (threads) when excluding replies.
    parts.push(
      sql`(${statuses.inReplyToId} is null or ${statuses.inReplyToAccountId} = ${accountId})`,
    );
  }
  if (filter.excludeReblogs) parts.push(sql`${statuses.reblogOfId} is null`);
  if (filter.tagged) {
    parts.push(sql`${statuses.id} in (select st.status_id from status_tags st join tags t on t.id = st.tag_id
      where t.name = ${filter.tagged})`);
  }
  const ids = await pageOfStatusIds(executor, sql.join(parts, sql` and `), page);
  return hydrateStatuses(executor, ids, viewerId);
}

export interface StatusContext {
  ancestors: StatusView[];
  descendants: StatusView[];
}

/**
 * The thread around a status: up to 40 ancestors (oldest first) and 60 descendants to a depth of 20
 * (in reading order), each visible to the viewer. Three queries whatever the thread's size.
 */
export async function statusContext(
  executor: Executor,
  statusId: string,
  viewerId: string | null = null,
): Promise<StatusContext> {
  const up = await queryRows<{ id: string }>(
    executor,
    sql`
    with recursive chain(id, parent, depth) as (
      select s.id, s.in_reply_to_id, 0 from statuses s where s.id = ${statusId}
      union all
      select p.id, p.in_reply_to_id, c.depth + 1 from chain c join statuses p on p.id = c.parent
      where c.depth < 40
    )
    select c.id::text as id from chain c join statuses on statuses.id = c.id
    where c.depth > 0 and statuses.deleted_at is null and ${visibleTo(viewerId)}
    order by c.depth desc`,
  );
  const down = await queryRows<{ id: string }>(
    executor,
    sql`
    with recursive tree(id, depth, path) as (
      select s.id, 1, array[s.id] from statuses s
      where s.in_reply_to_id = ${statusId} and s.deleted_at is null
      union all
      select s.id, t.depth + 1, t.path || s.id from tree t join statuses s on s.in_reply_to_id = t.id
      where t.depth < 20 and s.deleted_at is null
    )
    select t.id::text as id from tree t join statuses on statuses.id = t.id
    where ${visibleTo(viewerId)}
    order by t.path
    limit 60`,
  );
  const views = await hydrateStatuses(
    executor,
    [...up.map((r) => r.id), ...down.map((r) => r.id)],
    viewerId,
  );
  const byId = new Map(views.map((v) => [v.id, v]));
  const pick = (ids: { id: string }[]) =>
    ids.map((r) => byId.get(r.id)).filter((v): v is StatusView => v !== undefined);
  return { ancestors: pick(up), descendants: pick(down) };
}

export interface FavouritesPage {
  statuses: StatusView[];
  /** Favourite ids of the first and last entries: Mastodon pages this list by favourite, not status. */
  firstCursor: string | null;
  lastCursor: string | null;
}

/** The statuses an account favourited, most recently favourited first, still visible to it. */
export async function favouritedStatuses(
  executor: Executor,
  accountId: string,
  page: Page,
): Promise<FavouritesPage> {
  const { where, ascending } = pageConditions(sql`f.id`, page);
  const rows = await queryRows<{ cursor: string; statusId: string }>(
    executor,
    sql`
    select f.id::text as cursor, f.status_id::text as "statusId"
    from favourites f join statuses on statuses.id = f.status_id
    where f.account_id = ${accountId} and statuses.deleted_at is null
      and ${visibleTo(accountId)} and ${where}
    order by ${orderFor(sql`f.id`, ascending)}
    limit ${page.limit}`,
  );
  const ordered = newestFirst(rows, ascending);
  return {
    statuses: await hydrateStatuses(
      executor,
      ordered.map((r) => r.statusId),
      accountId,
    ),
    firstCursor: ordered[0]?.cursor ?? null,
    lastCursor: ordered.at(-1)?.cursor ?? null,
  };
}
