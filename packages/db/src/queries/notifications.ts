import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { DomainError } from '../errors.js';
import { NOTIFICATION_TYPES, type NotificationType } from '../schema/index.js';
import { hydrateAccounts, hydrateStatuses } from './hydrate.js';
import { literalLimit, newestFirst, orderFor, pageConditions, type Page } from './pagination.js';
import type { NotificationView } from './views.js';
import { reportsWithTargets } from './moderation.js';
import { isSnowflakeId } from '../ids.js';

export interface NotificationFilter {
  /** Only these types (Mastodon's `types[]`); unknown types are ignored. */
  types?: readonly string[] | undefined;
  /** Leave these types out (`exclude_types[]`). */
  excludeTypes?: readonly string[] | undefined;
  /** Only notifications caused by this account (`account_id`). */
  fromAccountId?: string | null | undefined;
  /** Include the notifications the recipient's policy set aside (Mastodon's `include_filtered`). */
  includeFiltered?: boolean | undefined;
}

interface NotificationRow {
  id: string;
  type: NotificationType;
  createdAt: Date | string;
  fromAccountId: string;
  statusId: string | null;
  reportId: string | null;
}

function knownTypes(types: readonly string[]): NotificationType[] {
  return NOTIFICATION_TYPES.filter((t) => types.includes(t));
}

/** The filter as conditions on `n` (null: nothing can match). */
export function filterConditions(filter: NotificationFilter): SQL[] | null {
  // Filtered notifications wait in their request until it is accepted.
  const parts: SQL[] = filter.includeFiltered ? [] : [sql`not n.filtered`];
  if (filter.types && filter.types.length > 0) {
    const wanted = knownTypes(filter.types);
    if (wanted.length === 0) return null;
    parts.push(
      sql`n.type in (${sql.join(
        wanted.map((t) => sql`${t}`),
        sql`, `,
      )})`,
    );
  }
  if (filter.excludeTypes && filter.excludeTypes.length > 0) {
    const excluded = knownTypes(filter.excludeTypes);
    if (excluded.length > 0) {
      parts.push(
        sql`n.type not in (${sql.join(
          excluded.map((t) => sql`${t}`),
          sql`, `,
        )})`,
      );
    }
  }
  if (filter.fromAccountId !== undefined && filter.fromAccountId !== null) {
    if (!isSnowflakeId(filter.fromAccountId)) return null;
    parts.push(sql`n.from_account_id = ${filter.fromAccountId}`);
  }
  return parts;
}

/**
 * Turns notification rows into views: the accounts and statuses are loaded in bulk (one query for
 * accounts, one or two for statuses). A notification whose status is gone is left out.
 */
async function hydrateNotifications(
  executor: Executor,
  recipientId: string,
  rows: NotificationRow[],
): Promise<NotificationView[]> {
  if (rows.length === 0) return [];
  const accountIds = [...new Set(rows.map((r) => r.fromAccountId))];
  const statusIds = [
    ...new Set(rows.map((r) => r.statusId).filter((id): id is string => id !== null)),
  ];
  const reportIds = [
    ...new Set(rows.map((r) => r.reportId).filter((id): id is string => id !== null)),
  ];
  const [accounts, statuses, reports] = await Promise.all([
    hydrateAccounts(executor, accountIds),
    // The recipient's `notifications` filters: a hidden status takes its notification with it.
    hydrateStatuses(executor, statusIds, recipientId, { filterContext: 'notifications' }),
    reportsWithTargets(executor, reportIds),
  ]);
  const accountById = new Map(accounts.map((a) => [a.id, a]));
  const statusById = new Map(statuses.map((s) => [s.id, s]));
  const views: NotificationView[] = [];
  for (const row of rows) {
    const account = accountById.get(row.fromAccountId);
    if (!account) continue;
    const status = row.statusId === null ? null : (statusById.get(row.statusId) ?? null);
    if (row.statusId !== null && status === null) continue;
    const report = row.reportId === null ? null : (reports.get(row.reportId) ?? null);
    views.push({
      id: row.id,
      type: row.type,
      createdAt: new Date(row.createdAt),
      account,
      status,
      ...(row.reportId === null ? {} : { report }),
    });
  }
  return views;
}

const ROW_COLUMNS = sql`n.id::text as id, n.type, n.created_at as "createdAt",
  n.from_account_id::text as "fromAccountId", n.status_id::text as "statusId",
  n.report_id::text as "reportId"`;

/**
 * A page of the recipient's notifications, newest first, filtered like Mastodon's
 * `GET /api/v1/notifications`. At most four queries whatever the page size.
 */
export async function listNotifications(
  executor: Executor,
  recipientId: string,
  page: Page,
  filter: NotificationFilter = {},
): Promise<NotificationView[]> {
  const conditions = filterConditions(filter);
  if (conditions === null) return [];
  const { where, ascending } = pageConditions(sql`n.id`, page);
  const rows = await queryRows<NotificationRow>(
    executor,
    sql`
    select ${ROW_COLUMNS} from notifications n
    where n.account_id = ${recipientId} and ${where}
      ${conditions.length > 0 ? sql`and ${sql.join(conditions, sql` and `)}` : sql``}
    order by ${orderFor(sql`n.id`, ascending)}
    limit ${literalLimit(page.limit)}`,
  );
  return hydrateNotifications(executor, recipientId, newestFirst(rows, ascending));
}

/** One of the recipient's notifications, or NotificationNotFound. */
export async function getNotification(
  executor: Executor,
  recipientId: string,
  notificationId: string,
): Promise<NotificationView> {
  if (!isSnowflakeId(notificationId))
    throw new DomainError('NotificationNotFound', 'Record not found');
  const rows = await queryRows<NotificationRow>(
    executor,
    sql`
    select ${ROW_COLUMNS} from notifications n
    where n.account_id = ${recipientId} and n.id = ${notificationId}`,
  );
  const [view] = await hydrateNotifications(executor, recipientId, rows);
  if (!view) throw new DomainError('NotificationNotFound', 'Record not found');
  return view;
}

/** Mastodon caps the unread count (default 100, at most 1000). */
export const DEFAULT_UNREAD_LIMIT = 100;
export const MAX_UNREAD_LIMIT = 1000;

/**
 * How many notifications arrived after the recipient's `notifications` marker, counting at most
 * `limit` (all of them, up to the cap, when there is no marker).
 */
export async function unreadNotificationsCount(
  executor: Executor,
  recipientId: string,
  limit: number = DEFAULT_UNREAD_LIMIT,
): Promise<number> {
  const cap = Math.min(Math.max(Math.trunc(limit) || DEFAULT_UNREAD_LIMIT, 1), MAX_UNREAD_LIMIT);
  const [row] = await queryRows<{ count: number }>(
    executor,
    sql`
    select count(*)::int as count from (
      select 1 from notifications n
      where n.account_id = ${recipientId} and not n.filtered
        and n.id > coalesce((select m.last_read_id from markers m
          where m.account_id = ${recipientId} and m.timeline = 'notifications'), 0)
      limit ${cap}) unread`,
  );
  return row?.count ?? 0;
}
