/** Report, Admin::Account and Admin::Report entities from the moderation read models. */
import type { AccountView } from '@murmur/db/accounts';
import type { AdminAccountView, ReportView } from '@murmur/db/moderation';
import type { StatusView } from '@murmur/db/statuses';
import type { AdminAccount, AdminReport, Report } from '../schemas/moderation.js';
import { serializeAccount, serializeRole } from './account.js';
import { timestamp, type EntityContext } from './context.js';
import { serializeStatus } from './status.js';

/** What a Report and an Admin::Report both say of a report. */
function reportBasics(report: ReportView) {
  return {
    id: report.id,
    action_taken: report.actionTakenAt !== null,
    action_taken_at: report.actionTakenAt ? timestamp(report.actionTakenAt) : null,
    category: report.category,
    comment: report.comment,
    forwarded: report.forwarded,
    created_at: timestamp(report.createdAt),
  };
}

/** What the reporter gets back (`POST /api/v1/reports`). */
export function serializeReport(
  report: ReportView,
  target: AccountView,
  publicUrl: string,
): Report {
  return {
    ...reportBasics(report),
    status_ids: report.statusIds,
    rule_ids: report.ruleIds,
    target_account: serializeAccount(target, publicUrl),
  };
}

export function serializeAdminAccount(view: AdminAccountView, publicUrl: string): AdminAccount {
  return {
    id: view.account.id,
    username: view.account.username,
    domain: null,
    created_at: timestamp(view.account.createdAt),
    email: view.email,
    // Murmur keeps no sign-in addresses.
    ip: null,
    ips: [],
    locale: 'en',
    invite_request: view.registrationReason,
    role: serializeRole(view.role),
    // E-mail confirmation is not part of Murmur yet: every address counts as confirmed.
    confirmed: true,
    approved: view.approved,
    disabled: view.disabled,
    sensitized: view.sensitized,
    silenced: view.silenced,
    suspended: view.suspended,
    account: serializeAccount(view.account, publicUrl),
    created_by_application_id: null,
    invited_by_account_id: null,
  };
}

/** An Admin::Report; `accounts` holds every account the report names, by id. */
export function serializeAdminReport(
  report: ReportView,
  accounts: ReadonlyMap<string, AdminAccountView>,
  statuses: readonly StatusView[],
  context: EntityContext,
): AdminReport {
  const admin = (id: string | null) => {
    const view = id === null ? undefined : accounts.get(id);
    return view ? serializeAdminAccount(view, context.publicUrl) : null;
  };
  return {
    ...reportBasics(report),
    updated_at: timestamp(report.updatedAt),
    account: admin(report.accountId)!,
    target_account: admin(report.targetAccountId)!,
    assigned_account: admin(report.assignedAccountId),
    action_taken_by_account: admin(report.actionTakenByAccountId),
    statuses: statuses.map((status) => serializeStatus(status, context)),
    rules: report.rules,
  };
}
