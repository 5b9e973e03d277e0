/**
 * What moderators read: accounts with their moderation state (Mastodon's Admin::Account), reports
 * (Admin::Report), the audit log. Served only to staff; the suspended are not hidden here.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { isSnowflakeId } from '../ids.js';
import type { AccountRole } from '../roles.js';
import type { ReportCategory } from '../schema/index.js';
import { literalLimit, selectPage, type Page } from './pagination.js';
import {
  ACCOUNT_COLUMNS,
  hydrateAccounts,
  hydrateStatuses,
  toAccountView,
  type AccountRowJson,
} from './hydrate.js';
import type { AccountView, StatusView } from './views.js';

export interface AdminAccountView {
  account: AccountView;
  email: string;
  role: AccountRole;
  approved: boolean;
  disabled: boolean;
  silenced: boolean;
  suspended: boolean;
  sensitized: boolean;
  registrationReason: string | null;
}

const ADMIN_ACCOUNT_COLUMNS = sql`${ACCOUNT_COLUMNS}, a.email, a.role, a.approved,
  a.disabled_at is not null as disabled, a.silenced_at is not null as silenced,
  a.suspended_at is not null as suspended, a.sensitized_at is not null as sensitized,
  a.registration_reason as "registrationReason"`;

type AdminAccountRow = AccountRowJson & Omit<AdminAccountView, 'account'>;

function toAdminAccountView(row: AdminAccountRow): AdminAccountView {
  const {
    email,
    role,
    approved,
    disabled,
    silenced,
    suspended,
    sensitized,
    registrationReason,
    ...account
  } = row;
  return {
    account: toAccountView(account),
    email,
    role,
    approved,
    disabled,
    silenced,
    suspended,
    sensitized,
    registrationReason,
  };
}

/** Accounts by id with their moderation state, in the order given. */
export async function adminAccountsById(
  executor: Executor,
  ids: readonly string[],
): Promise<AdminAccountView[]> {
  const valid = ids.filter(isSnowflakeId);
  if (valid.length === 0) return [];
  const rows = await queryRows<AdminAccountRow>(
    executor,
    sql`select ${ADMIN_ACCOUNT_COLUMNS}
      from unnest(${`{${valid.join(',')}}`}::bigint[]) with ordinality as wanted(id, ord)
      join accounts a on a.id = wanted.id
      order by wanted.ord`,
  );
  return rows.map(toAdminAccountView);
}

/** Mastodon's admin account filters (v1 `active`/`pending`/`disabled`/..., v2 `status`). */
export interface AdminAccountFilter {
  status?: 'active' | 'pending' | 'disabled' | 'silenced' | 'suspended' | 'sensitized' | 'staff';
  username?: string;
  displayName?: string;
  email?: string;
  roleIds?: readonly AccountRole[];
}

/** A page of accounts for moderators, newest first. */
export async function listAdminAccounts(
  executor: Executor,
  filter: AdminAccountFilter,
  page: Page,
): Promise<AdminAccountView[]> {
  const parts: SQL[] = [];
  const status = {
    active: sql`a.suspended_at is null and a.disabled_at is null and a.approved`,
    pending: sql`not a.approved`,
    disabled: sql`a.disabled_at is not null`,
    silenced: sql`a.silenced_at is not null`,
    suspended: sql`a.suspended_at is not null`,
    sensitized: sql`a.sensitized_at is not null`,
    staff: sql`a.role <> 'user'`,
  } as const;
  if (filter.status) parts.push(status[filter.status]);
  const like = (text: string) => `${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  if (filter.username) parts.push(sql`lower(a.username) like ${like(filter.username)}`);
  if (filter.displayName) parts.push(sql`lower(a.display_name) like ${like(filter.displayName)}`);
  if (filter.email) parts.push(sql`lower(a.email) like ${like(filter.email)}`);
  if (filter.roleIds && filter.roleIds.length > 0) {
    parts.push(
      sql`a.role in (${sql.join(
        filter.roleIds.map((r) => sql`${r}`),
        sql`, `,
      )})`,
    );
  }
  const rows = await selectPage<AdminAccountRow>(
    executor,
    sql`select ${ADMIN_ACCOUNT_COLUMNS} from accounts a`,
    sql`a.id`,
    parts,
    page,
  );
  return rows.map(toAdminAccountView);
}

export interface ReportView {
  id: string;
  accountId: string;
  targetAccountId: string;
  assignedAccountId: string | null;
  actionTakenByAccountId: string | null;
  statusIds: string[];
  ruleIds: string[];
  rules: { id: string; text: string; hint: string }[];
  comment: string;
  category: ReportCategory;
  forwarded: boolean;
  actionTakenAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const REPORT_COLUMNS = sql`r.id::text as id, r.account_id::text as "accountId",
  r.target_account_id::text as "targetAccountId", r.assigned_account_id::text as "assignedAccountId",
  r.action_taken_by_account_id::text as "actionTakenByAccountId",
  r.status_ids::text[] as "statusIds", r.rule_ids::text[] as "ruleIds", r.comment, r.category,
  r.forwarded, r.action_taken_at as "actionTakenAt", r.created_at as "createdAt",
  r.updated_at as "updatedAt",
  coalesce((select json_agg(json_build_object('id', ir.id::text, 'text', ir.text, 'hint', ir.hint)
    order by ir.position, ir.id) from instance_rules ir where ir.id = any(r.rule_ids)), '[]'::json)
    as rules`;

interface ReportRowRaw extends Omit<ReportView, 'actionTakenAt' | 'createdAt' | 'updatedAt'> {
  actionTakenAt: Date | string | null;
  createdAt: Date | string;
  updatedAt: Date | string;
}

function toReportView(row: ReportRowRaw): ReportView {
  return {
    ...row,
    actionTakenAt: row.actionTakenAt === null ? null : new Date(row.actionTakenAt),
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
  };
}

export async function findReport(executor: Executor, reportId: string): Promise<ReportView | null> {
  if (!isSnowflakeId(reportId)) return null;
  const [row] = await queryRows<ReportRowRaw>(
    executor,
    sql`select ${REPORT_COLUMNS} from reports r where r.id = ${reportId}`,
  );
  return row ? toReportView(row) : null;
}

/** Mastodon's admin report filters. */
export interface ReportFilter {
  resolved?: boolean;
  accountId?: string;
  targetAccountId?: string;
}

/** A page of reports, newest first; unresolved ones by default (the queue). */
export async function listReports(
  executor: Executor,
  filter: ReportFilter,
  page: Page,
): Promise<ReportView[]> {
  const parts: SQL[] = [
    filter.resolved ? sql`r.action_taken_at is not null` : sql`r.action_taken_at is null`,
  ];
  if (filter.accountId !== undefined) {
    if (!isSnowflakeId(filter.accountId)) return [];
    parts.push(sql`r.account_id = ${filter.accountId}`);
  }
  if (filter.targetAccountId !== undefined) {
    if (!isSnowflakeId(filter.targetAccountId)) return [];
    parts.push(sql`r.target_account_id = ${filter.targetAccountId}`);
  }
  const rows = await selectPage<ReportRowRaw>(
    executor,
    sql`select ${REPORT_COLUMNS} from reports r`,
    sql`r.id`,
    parts,
    page,
  );
  return rows.map(toReportView);
}

export interface AuditLogEntry {
  id: string;
  moderator: { id: string; username: string } | null;
  action: string;
  targetType: string;
  targetId: string;
  targetLabel: string;
  note: string;
  createdAt: Date;
}

/** The audit log, newest first. */
export async function listAuditLog(executor: Executor, page: Page): Promise<AuditLogEntry[]> {
  const rows = await selectPage<
    Omit<AuditLogEntry, 'createdAt' | 'moderator'> & {
      createdAt: Date | string;
      moderatorId: string | null;
      moderatorUsername: string | null;
    }
  >(
    executor,
    sql`select l.id::text as id, l.account_id::text as "moderatorId", m.username as "moderatorUsername",
      l.action, l.target_type as "targetType", l.target_id::text as "targetId",
      l.target_label as "targetLabel", l.note, l.created_at as "createdAt"
      from admin_action_logs l left join accounts m on m.id = l.account_id`,
    sql`l.id`,
    [],
    page,
  );
  return rows.map(({ moderatorId, moderatorUsername, createdAt, ...rest }) => ({
    ...rest,
    moderator:
      moderatorId !== null && moderatorUsername !== null
        ? { id: moderatorId, username: moderatorUsername }
        : null,
    createdAt: new Date(createdAt),
  }));
}

/** Reports by id with their reported accounts (the suspended left out), for report notifications. */
export async function reportsWithTargets(
  executor: Executor,
  ids: readonly string[],
): Promise<Map<string, { view: ReportView; target: AccountView }>> {
  const valid = ids.filter(isSnowflakeId);
  if (valid.length === 0) return new Map();
  const rows = await queryRows<ReportRowRaw>(
    executor,
    sql`select ${REPORT_COLUMNS} from reports r where r.id = any(${`{${valid.join(',')}}`}::bigint[])`,
  );
  const targets = await hydrateAccounts(
    executor,
    rows.map((r) => r.targetAccountId),
  );
  const targetById = new Map(targets.map((a) => [a.id, a]));
  const result = new Map<string, { view: ReportView; target: AccountView }>();
  for (const row of rows) {
    const target = targetById.get(row.targetAccountId);
    if (target) result.set(row.id, { view: toReportView(row), target });
  }
  return result;
}

/** An account's newest statuses for moderators, suspended or not (the account's page). */
export async function recentStatusesForModeration(
  executor: Executor,
  accountId: string,
  limit = 20,
): Promise<StatusView[]> {
  if (!isSnowflakeId(accountId)) return [];
  const rows = await queryRows<{ id: string }>(
    executor,
    sql`select id::text as id from statuses
      where account_id = ${accountId} and deleted_at is null and reblog_of_id is null
      order by id desc limit ${literalLimit(limit)}`,
  );
  return hydrateStatuses(
    executor,
    rows.map((r) => r.id),
    null,
    { includeSuspended: true },
  );
}
