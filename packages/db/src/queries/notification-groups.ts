/**
 * Grouped notifications (Mastodon's `/api/v2/notifications`): a page of groups is one statement,
 * and the statuses they name a second (the shared status hydration). Keys: notification-group-keys.ts.
 * Why the statement looks as it does: ARCHITECTURE.md, "Grouped notifications".
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { isSnowflakeId } from '../ids.js';
import type { NotificationType } from '../schema/index.js';
import { ACCOUNT_JSON, hydrateStatuses, toAccountView, type AccountRowJson } from './hydrate.js';
import {
  GROUP_WINDOW_MS,
  groupedTypesFor,
  parseGroupKey,
  type GroupMembers,
} from './notification-group-keys.js';
import { filterConditions, type NotificationFilter } from './notifications.js';
import { literalLimit, orderFor, pageConditions, type Page } from './pagination.js';
import type { AccountView, StatusView } from './views.js';

/**
 * How many of the newest notifications below the cursor one page looks at, per group asked for
 * (at most 2,000). A page stops at `limit` groups or at this many notifications, whichever comes
 * first (a burst of favourites on one post then fills a short page, and `Link` continues below
 * it), so a page never reads more than this.
 */
export const GROUPING_SCAN_PER_GROUP = 20;
export const GROUPING_SCAN_LIMIT = 2_000;

function scanLimit(groups: number): number {
  return Math.min(Math.max(groups, 1) * GROUPING_SCAN_PER_GROUP, GROUPING_SCAN_LIMIT);
}
/** Mastodon shows the newest 8 accounts of a group. */
export const SAMPLE_ACCOUNTS = 8;

export interface GroupedNotificationFilter extends NotificationFilter {
  /** `grouped_types[]`: the types that may be grouped (all groupable types when absent). */
  groupedTypes?: readonly string[] | undefined;
}

export interface NotificationGroupView {
  groupKey: string;
  type: NotificationType;
  statusId: string | null;
  /** The newest notification of the group (below the request's `max_id`). */
  mostRecentNotificationId: string;
  notificationsCount: number;
  /** The oldest and newest notification of the group within this page. */
  pageMinId: string;
  pageMaxId: string;
  latestPageNotificationAt: Date;
  /** The newest accounts of the group, newest first (at most 8). */
  sampleAccounts: AccountView[];
}

export interface NotificationGroupPage {
  /** Newest first. */
  groups: NotificationGroupView[];
  /** The statuses the groups name, in the groups' order, each once. */
  statuses: StatusView[];
}

interface GroupRow {
  groupKey: string;
  type: NotificationType;
  statusId: string | null;
  pageMinId: string;
  pageMaxId: string;
  latestAt: Date | string;
  mostRecentId: string;
  total: number;
  sampleAccounts: AccountRowJson[] | null;
}

const SPAN = sql.raw(String(GROUP_WINDOW_MS));

/** The group key of the notification `n`, for these groupable types (see notificationGroupKey). */
function groupKeySql(groupedTypes: readonly string[]): SQL {
  if (groupedTypes.length === 0) return sql`'ungrouped-' || n.id::text`;
  return sql`case when n.type in (${sql.join(
    groupedTypes.map((type) => sql`${type}`),
    sql`, `,
  )})
    then n.type || coalesce('-' || n.status_id::text, '') || '-' || (((n.id >> 16) / ${SPAN}) * 12)::text
    else 'ungrouped-' || n.id::text end`;
}

/** The notifications `n` a key names. */
export function membersSql(members: GroupMembers): SQL {
  if (members.kind === 'single') return sql`n.id = ${members.notificationId}`;
  return sql`n.type = ${members.type}
    and n.status_id ${members.statusId === null ? sql`is null` : sql`= ${members.statusId}`}
    and n.id between ${members.firstId} and ${members.lastId}`;
}

const and = (conditions: SQL[]) =>
  conditions.length > 0 ? sql`and ${sql.join(conditions, sql` and `)}` : sql``;

/**
 * One statement: the newest notifications below the cursor (at most GROUPING_SCAN_LIMIT, through
 * the `(account_id, id)` index), grouped by key; the first `limit` groups; each group's page bounds;
 * then, per group, its members in its 12-hour window of ids (count, newest id, newest 8 accounts
 * with their JSON). The window bounds the member scan whatever the group's size.
 */
async function loadGroups(
  executor: Executor,
  recipientId: string,
  page: Page,
  filter: GroupedNotificationFilter,
  only: GroupMembers | null,
): Promise<GroupRow[]> {
  const conditions = filterConditions(filter);
  if (conditions === null) return [];
  const groupedTypes = only?.kind === 'single' ? [] : groupedTypesFor(filter.groupedTypes);
  const { where, ascending } = pageConditions(sql`n.id`, page);
  const limit = literalLimit(page.limit);
  const first = ascending ? sql`min` : sql`max`;
  const last = ascending ? sql`max` : sql`min`;
  const beforeMax = isSnowflakeId(page.maxId) ? sql`and n.id < ${page.maxId}` : sql``;
  return queryRows<GroupRow>(
    executor,
    sql`
    with recent as (
      select n.id, n.type, n.status_id, n.from_account_id, n.created_at, ${groupKeySql(groupedTypes)} as group_key
      from notifications n
      where n.account_id = ${recipientId} and ${where} ${and(conditions)}
        ${only === null ? sql`` : sql`and ${membersSql(only)}`}
        and (n.status_id is null or exists (
          select 1 from statuses s where s.id = n.status_id and s.deleted_at is null))
      order by ${orderFor(sql`n.id`, ascending)}
      limit ${sql.raw(String(only === null ? scanLimit(page.limit) : GROUPING_SCAN_LIMIT))}
    ),
    heads as (
      select group_key, ${first}(id) as head from recent group by group_key
      order by ${orderFor(sql`head`, ascending)} limit ${limit}
    ),
    edge as (
      select case when (select count(*) from heads) < ${limit}
        then (select ${last}(id) from recent) else (select ${last}(head) from heads) end as id
    ),
    page as (
      select r.group_key, min(r.id) as page_min_id, max(r.id) as page_max_id,
        (array_agg(r.type order by r.id desc))[1] as type,
        (array_agg(r.status_id order by r.id desc))[1] as status_id,
        max(r.created_at) as latest_at
      from recent r join heads using (group_key) cross join edge
      where r.id ${ascending ? sql`<=` : sql`>=`} edge.id
      group by r.group_key
    )
    select top.group_key as "groupKey", top.type, top.status_id::text as "statusId",
      top.page_min_id::text as "pageMinId", top.page_max_id::text as "pageMaxId",
      top.latest_at as "latestAt", members.most_recent::text as "mostRecentId", members.total,
      (select json_agg(${ACCOUNT_JSON} order by sample.ord)
        from unnest(members.sample) with ordinality as sample(id, ord)
        join accounts a on a.id = sample.id) as "sampleAccounts"
    from page top
    cross join lateral (
      select count(*)::int as total, max(n.id) as most_recent,
        (array_agg(n.from_account_id order by n.id desc))[1:${sql.raw(String(SAMPLE_ACCOUNTS))}] as sample
      from notifications n
      where n.account_id = ${recipientId}
        and n.id between
          (case when top.group_key like 'ungrouped-%' then top.page_max_id
            else (((top.page_max_id >> 16) / ${SPAN}) * ${SPAN}) << 16 end)
          and (case when top.group_key like 'ungrouped-%' then top.page_max_id
            else ((((top.page_max_id >> 16) / ${SPAN}) + 1) * ${SPAN} << 16) - 1 end)
        and n.type = top.type and n.status_id is not distinct from top.status_id
        ${beforeMax} ${and(conditions)}
    ) members
    order by top.page_max_id desc`,
  );
}

async function toPage(
  executor: Executor,
  recipientId: string,
  rows: GroupRow[],
): Promise<NotificationGroupPage> {
  const statusIds = [
    ...new Set(rows.map((row) => row.statusId).filter((id): id is string => id !== null)),
  ];
  const statuses = await hydrateStatuses(executor, statusIds, recipientId, {
    filterContext: 'notifications',
  });
  const found = new Set(statuses.map((status) => status.id));
  const groups = rows
    // A status deleted between the two statements takes its groups with it.
    .filter((row) => row.statusId === null || found.has(row.statusId))
    .map((row) => ({
      groupKey: row.groupKey,
      type: row.type,
      statusId: row.statusId,
      mostRecentNotificationId: row.mostRecentId,
      notificationsCount: row.total,
      pageMinId: row.pageMinId,
      pageMaxId: row.pageMaxId,
      latestPageNotificationAt: new Date(row.latestAt),
      sampleAccounts: (row.sampleAccounts ?? []).map(toAccountView),
    }));
  return { groups, statuses };
}

/** A page of the recipient's notification groups, newest first, filtered like Mastodon's v2 API. */
export async function listNotificationGroups(
  executor: Executor,
  recipientId: string,
  page: Page,
  filter: GroupedNotificationFilter = {},
): Promise<NotificationGroupPage> {
  return toPage(executor, recipientId, await loadGroups(executor, recipientId, page, filter, null));
}

/** One group by key (null when the key is unknown or the group has no notification left). */
export async function getNotificationGroup(
  executor: Executor,
  recipientId: string,
  groupKey: string,
): Promise<NotificationGroupPage | null> {
  const members = parseGroupKey(groupKey);
  if (members === null) return null;
  // Only this group's notifications are read, so the page is the whole group (limit > 1 groups).
  const rows = await loadGroups(executor, recipientId, { limit: 2 }, {}, members);
  const page = await toPage(executor, recipientId, rows);
  return page.groups[0]?.groupKey === groupKey ? page : null;
}

/** The accounts of a group's notifications, newest first (at most `limit`); null for an unknown key. */
export async function listNotificationGroupAccounts(
  executor: Executor,
  recipientId: string,
  groupKey: string,
  limit: number,
): Promise<AccountView[] | null> {
  const members = parseGroupKey(groupKey);
  if (members === null) return null;
  const rows = await queryRows<{ account: AccountRowJson }>(
    executor,
    sql`
    select ${ACCOUNT_JSON} as account
    from notifications n join accounts a on a.id = n.from_account_id
    where n.account_id = ${recipientId} and not n.filtered and ${membersSql(members)}
    order by n.id desc
    limit ${literalLimit(limit)}`,
  );
  return rows.map((row) => toAccountView(row.account));
}

/** How many unread notifications one page of unread counting looks at, at most. */
export const UNREAD_GROUPS_SCAN_LIMIT = 4_000;

/**
 * How many groups the notifications after the `notifications` marker form, counting at most `cap`
 * (among the newest UNREAD_GROUPS_SCAN_LIMIT unread notifications).
 */
export async function unreadNotificationGroupsCount(
  executor: Executor,
  recipientId: string,
  cap: number,
  filter: GroupedNotificationFilter = {},
): Promise<number> {
  const conditions = filterConditions(filter);
  if (conditions === null) return 0;
  const [row] = await queryRows<{ count: number }>(
    executor,
    sql`
    select count(*)::int as count from (
      select distinct group_key from (
        select ${groupKeySql(groupedTypesFor(filter.groupedTypes))} as group_key
        from notifications n
        where n.account_id = ${recipientId} ${and(conditions)}
          and n.id > coalesce((select m.last_read_id from markers m
            where m.account_id = ${recipientId} and m.timeline = 'notifications'), 0)
        order by n.id desc
        limit ${sql.raw(String(UNREAD_GROUPS_SCAN_LIMIT))}
      ) unread
      limit ${literalLimit(cap)}
    ) groups`,
  );
  return row?.count ?? 0;
}
