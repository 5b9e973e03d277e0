/**
 * Notification filtering, read side: a person's notification policy with its summary, and their
 * notification requests (one per sender whose notifications the policy set aside).
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { DomainError } from '../errors.js';
import { isSnowflakeId } from '../ids.js';
import {
  DEFAULT_NOTIFICATION_POLICY,
  type NotificationPolicyAction,
} from '../schema/notification-policies.js';
import { hydrateAccounts, hydrateStatuses } from './hydrate.js';
import { selectPage, type Page } from './pagination.js';
import type { AccountView, StatusView } from './views.js';

export interface NotificationPolicyView {
  forNotFollowing: NotificationPolicyAction;
  forNotFollowers: NotificationPolicyAction;
  forNewAccounts: NotificationPolicyAction;
  forPrivateMentions: NotificationPolicyAction;
  forLimitedAccounts: NotificationPolicyAction;
  summary: {
    /** Senders with filtered notifications waiting (capped at 100, as Mastodon). */
    pendingRequestsCount: number;
    /** Filtered notifications waiting in those requests. */
    pendingNotificationsCount: number;
  };
}

/** Mastodon caps the number of pending requests it counts. */
const PENDING_REQUESTS_CAP = 100;

/** The person's policy (Mastodon's defaults when they never changed it) and what it holds back. */
export async function getNotificationPolicy(
  executor: Executor,
  accountId: string,
): Promise<NotificationPolicyView> {
  const [row] = await queryRows<{
    policy: Partial<Record<keyof typeof DEFAULT_NOTIFICATION_POLICY, NotificationPolicyAction>>;
    requests: number;
    notifications: number;
  }>(
    executor,
    sql`select
      (select json_build_object('forNotFollowing', p.for_not_following,
          'forNotFollowers', p.for_not_followers, 'forNewAccounts', p.for_new_accounts,
          'forPrivateMentions', p.for_private_mentions, 'forLimitedAccounts', p.for_limited_accounts)
        from notification_policies p where p.account_id = ${accountId}) as policy,
      (select count(*)::int from (select 1 from notification_requests r
        where r.account_id = ${accountId} and ${HAS_FILTERED}
        limit ${sql.raw(String(PENDING_REQUESTS_CAP))}) capped) as requests,
      (select count(*)::int from notifications n
        where n.account_id = ${accountId} and n.filtered) as notifications`,
  );
  return {
    ...DEFAULT_NOTIFICATION_POLICY,
    ...(row?.policy ?? {}),
    summary: {
      pendingRequestsCount: row?.requests ?? 0,
      pendingNotificationsCount: row?.notifications ?? 0,
    },
  };
}

/** A request still holds notifications (its last ones may have been undone or dismissed since). */
const HAS_FILTERED = sql`exists (select 1 from notifications n
  where n.account_id = r.account_id and n.from_account_id = r.from_account_id and n.filtered)`;

export interface NotificationRequestView {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  account: AccountView;
  notificationsCount: number;
  lastStatus: StatusView | null;
}

interface RequestRow {
  id: string;
  createdAt: Date | string;
  updatedAt: Date | string;
  fromAccountId: string;
  lastStatusId: string | null;
  count: number;
}

async function hydrateRequests(
  executor: Executor,
  accountId: string,
  rows: RequestRow[],
): Promise<NotificationRequestView[]> {
  const statusIds = rows.map((r) => r.lastStatusId).filter((id): id is string => id !== null);
  const [accounts, statuses] = await Promise.all([
    hydrateAccounts(executor, [...new Set(rows.map((r) => r.fromAccountId))]),
    hydrateStatuses(executor, [...new Set(statusIds)], accountId),
  ]);
  const accountById = new Map(accounts.map((a) => [a.id, a]));
  const statusById = new Map(statuses.map((s) => [s.id, s]));
  return rows.flatMap((row) => {
    const account = accountById.get(row.fromAccountId);
    if (!account) return [];
    return [
      {
        id: row.id,
        createdAt: new Date(row.createdAt),
        updatedAt: new Date(row.updatedAt),
        account,
        notificationsCount: row.count,
        lastStatus: row.lastStatusId === null ? null : (statusById.get(row.lastStatusId) ?? null),
      },
    ];
  });
}

const REQUEST_COLUMNS = sql`r.id::text as id, r.created_at as "createdAt",
  r.updated_at as "updatedAt", r.from_account_id::text as "fromAccountId",
  r.last_status_id::text as "lastStatusId",
  (select count(*)::int from notifications n where n.account_id = r.account_id
    and n.from_account_id = r.from_account_id and n.filtered) as count`;

/** A page of the person's pending notification requests, newest first. */
export async function listNotificationRequests(
  executor: Executor,
  accountId: string,
  page: Page,
): Promise<NotificationRequestView[]> {
  const rows = await selectPage<RequestRow>(
    executor,
    sql`select ${REQUEST_COLUMNS} from notification_requests r`,
    sql`r.id`,
    [sql`r.account_id = ${accountId}`, HAS_FILTERED],
    page,
  );
  return hydrateRequests(executor, accountId, rows);
}

/** One of the person's pending notification requests, or NotificationNotFound. */
export async function getNotificationRequest(
  executor: Executor,
  accountId: string,
  requestId: string,
): Promise<NotificationRequestView> {
  const notFound = new DomainError('NotificationNotFound', 'Record not found');
  if (!isSnowflakeId(requestId)) throw notFound;
  const rows = await queryRows<RequestRow>(
    executor,
    sql`select ${REQUEST_COLUMNS} from notification_requests r
      where r.account_id = ${accountId} and r.id = ${requestId} and ${HAS_FILTERED}`,
  );
  const [view] = await hydrateRequests(executor, accountId, rows);
  if (!view) throw notFound;
  return view;
}
