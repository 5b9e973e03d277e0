import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { visibleTo } from '../operations/visibility.js';
import { notExcludedFor } from './exclusions.js';
import { statuses } from '../schema/index.js';
import {
  hydrateSelection,
  hydrateStatuses,
  visibleStatusesById,
  type StatusSelection,
} from './hydrate.js';
import { isSnowflakeId } from '../ids.js';
import { literalLimit, newestFirst, orderFor, pageConditions, type Page } from './pagination.js';
import type { StatusView } from './views.js';
import type { FilterContext } from '../schema/index.js';

/**
 * A page of statuses matching `filter`, newest first whatever the direction of the scan: the id
 * query with its LIMIT is planned on its own (the CTE is read twice, so PostgreSQL materializes it).
 */
function pageOfStatuses(filter: SQL, page: Page): StatusSelection {
  const { where, ascending } = pageConditions(statuses.id, page);
  return sql`
    select p.id, row_number() over (order by p.id desc) as ord, 0 as grp from (
      select ${statuses.id} as id from statuses
      where ${statuses.deletedAt} is null and ${filter} and ${where}
      order by ${orderFor(statuses.id, ascending)}
      limit ${literalLimit(page.limit)}) p`;
}

/** One statement: the page and its hydration. */
async function loadPage(
  executor: Executor,
  filter: SQL,
  page: Page,
  viewerId: string | null,
  filterContext: FilterContext,
): Promise<StatusView[]> {
  const groups = await hydrateSelection(executor, pageOfStatuses(filter, page), viewerId, {
    prepared: true,
    filterContext,
  });
  return groups.get(0) ?? [];
}

/** Hides what the viewer blocks, is blocked by and mutes (`queries/exclusions.ts`). */
const TIMELINE = { mutes: true };
/** Hides what the viewer blocks or is blocked by; mutes do not hide a profile's own posts. */
const PROFILE = { mutes: false };

/** Silenced (limited) and suspended accounts are kept out of the public and hashtag timelines. */
const NOT_LIMITED_AUTHOR = sql`not exists (select 1 from accounts la where la.id = ${statuses.accountId}
  and (la.silenced_at is not null or la.suspended_at is not null))`;

/**
 * Local public posts, newest first (reblogs left out, as Mastodon's public timeline does), without
 * the accounts the viewer blocks, is blocked by or mutes, nor limited ones.
 */
/** Which posts the public timeline shows: all, this server's (`local`), other servers' (`remote`). */
export type PublicTimelineScope = 'all' | 'local' | 'remote';

/** Remote statuses are those with an ActivityPub id of their own (`uri`); local ones have none. */
const SCOPE_CONDITIONS: Record<PublicTimelineScope, SQL> = {
  all: sql`true`,
  local: sql`${statuses.uri} is null`,
  remote: sql`${statuses.uri} is not null`,
};

export async function publicTimeline(
  executor: Executor,
  page: Page,
  viewerId: string | null = null,
  scope: PublicTimelineScope = 'all',
): Promise<StatusView[]> {
  return loadPage(
    executor,
    sql`${statuses.visibility} = 'public' and ${statuses.reblogOfId} is null and ${NOT_LIMITED_AUTHOR}
      and ${SCOPE_CONDITIONS[scope]} and ${notExcludedFor('statuses', viewerId, TIMELINE)}`,
    page,
    viewerId,
    'public',
  );
}

/** Public posts carrying a hashtag (normalized name), with the public timeline's exclusions. */
export async function tagTimeline(
  executor: Executor,
  tagName: string,
  page: Page,
  viewerId: string | null = null,
): Promise<StatusView[]> {
  return loadPage(
    executor,
    sql`${statuses.visibility} = 'public' and ${NOT_LIMITED_AUTHOR} and ${statuses.id} in (
      select st.status_id from status_tags st join tags t on t.id = st.tag_id where t.name = ${tagName})
      and ${notExcludedFor('statuses', viewerId, TIMELINE)}`,
    page,
    viewerId,
    'public',
  );
}

export interface AccountStatusesFilter {
  excludeReplies?: boolean;
  excludeReblogs?: boolean;
  /** Normalized hashtag name. */
  tagged?: string | null;
  /** Only posts with attachments (a profile's media tab). */
  onlyMedia?: boolean;
}

/** An account's posts as the viewer may see them (none of an account the viewer blocks, or blocked by). */
export async function accountStatuses(
  executor: Executor,
  accountId: string,
  page: Page,
  viewerId: string | null = null,
  filter: AccountStatusesFilter = {},
): Promise<StatusView[]> {
  if (!isSnowflakeId(accountId)) return [];
  const parts: SQL[] = [
    sql`${statuses.accountId} = ${accountId}`,
    visibleTo(viewerId),
    notExcludedFor('statuses', viewerId, PROFILE),
  ];
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
  if (filter.onlyMedia) {
    parts.push(sql`exists (select 1 from media_attachments m where m.status_id = ${statuses.id})`);
  }
  return loadPage(executor, sql.join(parts, sql` and `), page, viewerId, 'account');
}

export interface StatusContext {
  ancestors: StatusView[];
  descendants: StatusView[];
}

/** The status (id, in_reply_to_id) if it exists and the viewer may see it. */
function visibleStatusById(statusId: string, viewerId: string | null): SQL {
  return sql`select statuses.id, statuses.in_reply_to_id from statuses
    where statuses.id = ${statusId} and statuses.deleted_at is null and ${visibleTo(viewerId)}`;
}

const ROOT = 0;
const ANCESTORS = 1;
const DESCENDANTS = 2;

/**
 * The thread around a status the viewer may see: up to 40 ancestors (oldest first) and 60
 * descendants to a depth of 20 (in reading order), each visible to the viewer and not from an account
 * the viewer blocks, is blocked by or mutes (the status asked for stays, as in Mastodon). Null when
 * the status itself is gone or hidden from the viewer. One statement whatever the thread's size.
 */
export async function statusContext(
  executor: Executor,
  statusId: string,
  viewerId: string | null = null,
): Promise<StatusContext | null> {
  if (!isSnowflakeId(statusId)) return null;
  const thread = sql`
    with recursive root as (${visibleStatusById(statusId, viewerId)}), chain(id, parent, depth) as (
      select root.id, root.in_reply_to_id, 0 from root
      union all
      select p.id, p.in_reply_to_id, c.depth + 1 from chain c join statuses p on p.id = c.parent
      where c.depth < 40
    ), tree(id, depth, path) as (
      select s.id, 1, array[s.id] from root join statuses s on s.in_reply_to_id = root.id
      where s.deleted_at is null
      union all
      select s.id, t.depth + 1, t.path || s.id from tree t join statuses s on s.in_reply_to_id = t.id
      where t.depth < 20 and s.deleted_at is null
    ), descendants as (
      select t.id, t.path from tree t join statuses on statuses.id = t.id
      where ${visibleTo(viewerId)} and ${notExcludedFor('statuses', viewerId, TIMELINE)}
      order by t.path
      limit 60
    )
    select root.id, 0::bigint as ord, ${ROOT}::int as grp from root
    union all
    select c.id, -c.depth, ${ANCESTORS}::int from chain c join statuses on statuses.id = c.id
    where c.depth > 0 and statuses.deleted_at is null and ${visibleTo(viewerId)}
      and ${notExcludedFor('statuses', viewerId, TIMELINE)}
    union all
    select d.id, row_number() over (order by d.path), ${DESCENDANTS}::int from descendants d`;
  const groups = await hydrateSelection(executor, thread, viewerId, {
    prepared: true,
    filterContext: 'thread',
    keepHiddenIn: [ROOT],
  });
  if (!groups.has(ROOT)) return null;
  return { ancestors: groups.get(ANCESTORS) ?? [], descendants: groups.get(DESCENDANTS) ?? [] };
}

/** A status the viewer may see, hydrated, or null. One statement. */
export async function findVisibleStatus(
  executor: Executor,
  statusId: string,
  viewerId: string | null = null,
): Promise<StatusView | null> {
  if (!isSnowflakeId(statusId)) return null;
  const selection = sql`
    select root.id, 0::bigint as ord, 0 as grp from (${visibleStatusById(statusId, viewerId)}) root`;
  const groups = await hydrateSelection(executor, selection, viewerId);
  return groups.get(0)?.[0] ?? null;
}

/** A page of statuses listed by an account (favourites, bookmarks), paged by the list's own ids. */
export interface FavouritesPage {
  statuses: StatusView[];
  /** List-entry ids of the first and last entries: Mastodon pages these lists by entry, not status. */
  firstCursor: string | null;
  lastCursor: string | null;
}

/**
 * The statuses an account listed in `list` (a table of `id`, `account_id`, `status_id`), most
 * recently listed first, still visible to it and not from an account it blocks or is blocked by.
 */
export async function listedStatuses(
  executor: Executor,
  list: 'favourites' | 'bookmarks',
  accountId: string,
  page: Page,
): Promise<FavouritesPage> {
  const { where, ascending } = pageConditions(sql`f.id`, page);
  const rows = await queryRows<{ cursor: string; statusId: string }>(
    executor,
    sql`
    select f.id::text as cursor, f.status_id::text as "statusId"
    from ${sql.identifier(list)} f join statuses on statuses.id = f.status_id
    where f.account_id = ${accountId} and statuses.deleted_at is null
      and ${visibleTo(accountId)} and ${notExcludedFor('statuses', accountId, PROFILE)} and ${where}
    order by ${orderFor(sql`f.id`, ascending)}
    limit ${literalLimit(page.limit)}`,
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

/** The statuses an account favourited, most recently favourited first, still visible to it. */
export function favouritedStatuses(
  executor: Executor,
  accountId: string,
  page: Page,
): Promise<FavouritesPage> {
  return listedStatuses(executor, 'favourites', accountId, page);
}

/** The statuses an account bookmarked, most recently bookmarked first, still visible to it. */
export function bookmarkedStatuses(
  executor: Executor,
  accountId: string,
  page: Page,
): Promise<FavouritesPage> {
  return listedStatuses(executor, 'bookmarks', accountId, page);
}

/**
 * The statuses pinned to an account's profile that the viewer may see, most recently pinned first
 * (at most five, so one page). One statement.
 */
export async function pinnedStatuses(
  executor: Executor,
  accountId: string,
  viewerId: string | null,
): Promise<StatusView[]> {
  if (!isSnowflakeId(accountId)) return [];
  const selection = sql`
    select p.status_id as id, row_number() over (order by p.id desc) as ord, 0 as grp
    from status_pins p join statuses on statuses.id = p.status_id
    where p.account_id = ${accountId} and statuses.deleted_at is null and ${visibleTo(viewerId)}
      and ${notExcludedFor('statuses', viewerId, PROFILE)}`;
  const groups = await hydrateSelection(executor, selection, viewerId);
  return groups.get(0) ?? [];
}

/** The statuses of `ids` the viewer may see, in the order given; the others are left out. */
export async function visibleStatuses(
  executor: Executor,
  ids: readonly string[],
  viewerId: string | null,
): Promise<StatusView[]> {
  const valid = ids.filter(isSnowflakeId);
  if (valid.length === 0) return [];
  const groups = await hydrateSelection(executor, visibleStatusesById(valid, viewerId), viewerId);
  return groups.get(0) ?? [];
}
