/**
 * The moderation pages, for moderators, admins and the owner: the report queue, a report with the
 * reported posts and the account, an account with its recent posts and the actions (each with a
 * note), and the audit log. Every action is an operation of @murmur/db that checks rank and logs.
 */
import {
  ACCOUNT_ACTIONS,
  adminAccountsById,
  changeReportState,
  findReport,
  isStaff,
  listAdminAccounts,
  listAuditLog,
  listReports,
  recentStatusesForModeration,
  REPORT_CHANGES,
  reviewSignUp,
  ROLES,
  takeAccountAction,
  type AccountAction,
  type AdminAccountView,
  type ReportView,
} from '@murmur/db/moderation';
import { findAccountById } from '@murmur/db/accounts';
import { hydrateStatuses } from '@murmur/db/statuses';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { HttpError } from '../errors.js';
import { html, type SafeHtml } from '@murmur/service-kit/web-edge';
import { pageContext, redirectBack, sendPage, type FrontendDependencies } from '../pages.js';
import type { PageContext } from '../views/context.js';
import { actionButton, csrfField } from '../views/layout.js';
import { displayNameOf, pager, profilePath, statusList, timeElement } from '../views/status.js';
import { FormBase, IdParams, PageQuery, pageFrom, PAGE_SIZE } from './schemas.js';

const session = { csrf: 'session' } as const;

const ACTION_LABELS: Record<AccountAction, string> = {
  none: 'Warn only (no restriction)',
  sensitive: 'Mark media sensitive',
  disable: 'Disable sign-in',
  silence: 'Limit (keep out of public timelines)',
  suspend: 'Suspend',
};
const UNDO = ['unsuspend', 'unsilence', 'unsensitive', 'enable'] as const;
const UNDO_LABELS: Record<(typeof UNDO)[number], string> = {
  unsuspend: 'Lift the suspension',
  unsilence: 'Lift the limit',
  unsensitive: 'Stop marking media sensitive',
  enable: 'Enable sign-in',
};
const CHANGE_LABELS: Record<(typeof REPORT_CHANGES)[number], string> = {
  assign_to_self: 'Assign to me',
  unassign: 'Unassign',
  resolve: 'Resolve without action',
  reopen: 'Reopen',
};

const ActionBody = Type.Object({
  ...FormBase,
  type: Type.String({ maxLength: 32 }),
  note: Type.Optional(Type.String({ maxLength: 2000 })),
  report_id: Type.Optional(Type.String({ maxLength: 20 })),
});
const ReportsQuery = Type.Object({
  ...PageQuery.properties,
  resolved: Type.Optional(Type.String({ maxLength: 5 })),
});
const AccountsQuery = Type.Object({
  ...PageQuery.properties,
  status: Type.Optional(Type.String({ maxLength: 20 })),
});
const ACCOUNT_STATUSES = [
  'active',
  'pending',
  'disabled',
  'silenced',
  'suspended',
  'staff',
] as const;

/** The signed-in staff member, read again from the database; 401/403 otherwise. */
export async function requireStaff(request: FastifyRequest, deps: FrontendDependencies) {
  if (!request.viewer) throw new HttpError(401, 'Please sign in to moderate.');
  const account = await findAccountById(deps.database.primary, request.viewer.account.id);
  if (!account || !isStaff(account.role)) {
    throw new HttpError(403, 'Only moderators can see this page.');
  }
  return account;
}

export function adminNav(current: string): SafeHtml {
  const link = (href: string, label: string) =>
    html`<li><a href="${href}"${current === href ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return html`<nav aria-label="Moderation"><ul class="nav-list">${link('/admin/reports', 'Reports')}${link('/admin/accounts', 'Accounts')}${link('/admin/domain_blocks', 'Blocked servers')}${link('/admin/audit', 'Audit log')}</ul></nav>`;
}

function accountState(view: AdminAccountView): string {
  const states = [
    view.suspended && 'suspended',
    view.silenced && 'limited',
    view.disabled && 'sign-in disabled',
    view.sensitized && 'media sensitive',
    !view.approved && 'waiting for approval',
  ].filter(Boolean);
  return states.length > 0 ? states.join(', ') : 'active';
}

function accountLink(view: AdminAccountView | undefined): SafeHtml {
  if (!view) return html`(deleted)`;
  return html`<a href="/admin/accounts/${view.account.id}">@${view.account.username}</a>`;
}

function actionForm(
  context: PageContext,
  target: AdminAccountView,
  reportId: string | null,
): SafeHtml {
  const id = `action-${target.account.id}`;
  return html`<form method="post" action="/admin/accounts/${target.account.id}/action" class="moderation-action">
${csrfField(context)}<input type="hidden" name="return_to" value="${context.path}">
${reportId ? html`<input type="hidden" name="report_id" value="${reportId}">` : ''}
<fieldset><legend>Act on @${target.account.username}${reportId ? ' (resolves this report)' : ''}</legend>
${ACCOUNT_ACTIONS.map(
  (type, index) =>
    html`<div><input type="radio" name="type" value="${type}" id="${id}-${type}"${index === 0 ? ' checked' : ''}> <label for="${id}-${type}">${ACTION_LABELS[type]}</label></div>`,
)}
<label for="${id}-note">Note (kept in the audit log)</label>
<textarea id="${id}-note" name="note" rows="3" maxlength="2000"></textarea>
<button type="submit" class="button primary">Apply</button>
</fieldset>
</form>`;
}

async function accountsById(deps: FrontendDependencies, reports: readonly ReportView[]) {
  const ids = new Set<string>();
  for (const r of reports) {
    for (const id of [r.accountId, r.targetAccountId, r.assignedAccountId]) if (id) ids.add(id);
  }
  const views = await adminAccountsById(deps.database.primary, [...ids]);
  return new Map(views.map((v) => [v.account.id, v]));
}

export function registerModerationRoutes(app: FastifyInstance, deps: FrontendDependencies): void {
  app.get<{ Querystring: Static<typeof ReportsQuery> }>(
    '/admin/reports',
    { schema: { querystring: ReportsQuery } },
    async (request, reply) => {
      if (!request.viewer) return reply.redirect('/auth/sign_in', 303);
      await requireStaff(request, deps);
      const context = pageContext(request, deps);
      const resolved = request.query.resolved === '1';
      const reports = await listReports(
        deps.database.primary,
        { resolved },
        pageFrom(request.query),
      );
      const accounts = await accountsById(deps, reports);
      const rows = reports.map(
        (r) => html`<tr>
<td><a href="/admin/reports/${r.id}">Report ${r.id}</a></td>
<td>${accountLink(accounts.get(r.targetAccountId))}</td>
<td>${accountLink(accounts.get(r.accountId))}</td>
<td>${r.category}</td>
<td>${r.comment.slice(0, 140)}</td>
<td>${r.assignedAccountId ? accountLink(accounts.get(r.assignedAccountId)) : 'nobody'}</td>
<td>${timeElement(r.createdAt, context)}</td>
</tr>`,
      );
      const body = html`<h1>${resolved ? 'Resolved reports' : 'Reports to review'}</h1>
${adminNav('/admin/reports')}
<p><a href="/admin/reports${resolved ? '' : '?resolved=1'}">${resolved ? 'Show the reports to review' : 'Show resolved reports'}</a></p>
${
  reports.length === 0
    ? html`<p class="empty">${resolved ? 'No resolved reports.' : 'No reports to review.'}</p>`
    : html`<div class="table-scroll"><table>
<caption class="visually-hidden">Reports, newest first</caption>
<thead><tr><th scope="col">Report</th><th scope="col">Reported</th><th scope="col">By</th><th scope="col">Category</th><th scope="col">Comment</th><th scope="col">Assigned</th><th scope="col">Filed</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
}
${pager('/admin/reports', reports, {
  limit: PAGE_SIZE,
  paged: Boolean(request.query.max_id || request.query.min_id),
  query: resolved ? { resolved: '1' } : {},
})}`;
      return sendPage(reply, context, { title: 'Reports', body, noindex: true });
    },
  );

  app.get<{ Params: IdParams }>(
    '/admin/reports/:id',
    { schema: { params: IdParams } },
    async (request, reply) => {
      if (!request.viewer) return reply.redirect('/auth/sign_in', 303);
      await requireStaff(request, deps);
      const context = pageContext(request, deps);
      const report = await findReport(deps.database.primary, request.params.id);
      if (!report) throw new HttpError(404, 'There is no such report.');
      const accounts = await accountsById(deps, [report]);
      const target = accounts.get(report.targetAccountId);
      const statuses = await hydrateStatuses(deps.database.primary, report.statusIds, null, {
        includeSuspended: true,
      });
      const changes = REPORT_CHANGES.filter((change) =>
        change === 'assign_to_self'
          ? report.assignedAccountId !== request.viewer!.account.id
          : change === 'unassign'
            ? report.assignedAccountId !== null
            : change === 'resolve'
              ? report.actionTakenAt === null
              : report.actionTakenAt !== null,
      );
      const body = html`<h1>Report ${report.id}</h1>
${adminNav('/admin/reports')}
<dl class="report-details">
<dt>Reported account</dt><dd>${accountLink(target)}${target ? html` (${accountState(target)})` : ''}</dd>
<dt>Reported by</dt><dd>${accountLink(accounts.get(report.accountId))}</dd>
<dt>Category</dt><dd>${report.category}</dd>
<dt>Comment</dt><dd>${report.comment || 'No comment.'}</dd>
<dt>Rules cited</dt><dd>${report.rules.length > 0 ? html`<ul>${report.rules.map((rule) => html`<li>${rule.text}</li>`)}</ul>` : 'None.'}</dd>
<dt>Assigned to</dt><dd>${report.assignedAccountId ? accountLink(accounts.get(report.assignedAccountId)) : 'Nobody'}</dd>
<dt>State</dt><dd>${report.actionTakenAt ? html`Resolved ${timeElement(report.actionTakenAt, context)}` : 'Open'}</dd>
<dt>Filed</dt><dd>${timeElement(report.createdAt, context)}</dd>
</dl>
<div class="report-changes">${changes.map((change) => actionButton(context, `/admin/reports/${report.id}/${change}`, CHANGE_LABELS[change]))}</div>
<h2>Reported posts</h2>
${statusList(statuses, context, 'No posts were attached to this report.')}
${target && report.actionTakenAt === null ? actionForm(context, target, report.id) : ''}`;
      return sendPage(reply, context, { title: `Report ${report.id}`, body, noindex: true });
    },
  );

  for (const change of REPORT_CHANGES) {
    app.post<{ Params: IdParams; Body: Static<typeof ActionBody> }>(
      `/admin/reports/:id/${change}`,
      { config: session, schema: { params: IdParams, body: Type.Object(FormBase) } },
      async (request, reply) => {
        const moderator = await requireStaff(request, deps);
        await changeReportState(deps.database, {
          moderatorId: moderator.id,
          reportId: request.params.id,
          change,
        });
        return redirectBack(reply, request.body.return_to, `/admin/reports/${request.params.id}`);
      },
    );
  }

  app.get<{ Querystring: Static<typeof AccountsQuery> }>(
    '/admin/accounts',
    { schema: { querystring: AccountsQuery } },
    async (request, reply) => {
      if (!request.viewer) return reply.redirect('/auth/sign_in', 303);
      await requireStaff(request, deps);
      const context = pageContext(request, deps);
      const status = ACCOUNT_STATUSES.find((s) => s === request.query.status);
      const views = await listAdminAccounts(
        deps.database.primary,
        { status },
        pageFrom(request.query),
      );
      const body = html`<h1>Accounts</h1>
${adminNav('/admin/accounts')}
<form method="get" action="/admin/accounts" class="inline-form">
<label for="account-status">Show</label>
<select id="account-status" name="status"><option value="">all</option>${ACCOUNT_STATUSES.map((s) => html`<option value="${s}"${s === status ? ' selected' : ''}>${s}</option>`)}</select>
<button type="submit" class="button">Filter</button>
</form>
${
  views.length === 0
    ? html`<p class="empty">No accounts.</p>`
    : html`<ul class="admin-accounts">${views.map(
        (v) =>
          html`<li>${accountLink(v)} · ${ROLES[v.role].name || 'user'} · ${accountState(v)}${v.registrationReason ? html` · “${v.registrationReason}”` : ''}</li>`,
      )}</ul>`
}
${pager(
  '/admin/accounts',
  views.map((v) => v.account),
  {
    limit: PAGE_SIZE,
    paged: Boolean(request.query.max_id || request.query.min_id),
    query: status ? { status } : {},
  },
)}`;
      return sendPage(reply, context, { title: 'Accounts', body, noindex: true });
    },
  );

  app.get<{ Params: IdParams }>(
    '/admin/accounts/:id',
    { schema: { params: IdParams } },
    async (request, reply) => {
      if (!request.viewer) return reply.redirect('/auth/sign_in', 303);
      await requireStaff(request, deps);
      const context = pageContext(request, deps);
      const [view] = await adminAccountsById(deps.database.primary, [request.params.id]);
      if (!view) throw new HttpError(404, 'There is nobody with that id here.');
      const [statuses, reports] = await Promise.all([
        recentStatusesForModeration(deps.database.primary, view.account.id),
        listReports(deps.database.primary, { targetAccountId: view.account.id }, { limit: 20 }),
      ]);
      const undo = UNDO.filter(
        (u) =>
          (u === 'unsuspend' && view.suspended) ||
          (u === 'unsilence' && view.silenced) ||
          (u === 'unsensitive' && view.sensitized) ||
          (u === 'enable' && view.disabled),
      );
      const body = html`<h1>@${view.account.username}</h1>
${adminNav('/admin/accounts')}
<dl class="report-details">
<dt>Display name</dt><dd>${displayNameOf(view.account)}</dd>
<dt>Profile</dt><dd>${view.suspended ? 'hidden (suspended)' : html`<a href="${profilePath(view.account.username)}">${profilePath(view.account.username)}</a>`}</dd>
<dt>E-mail</dt><dd>${view.email}</dd>
<dt>Role</dt><dd>${ROLES[view.role].name || 'User'}</dd>
<dt>State</dt><dd>${accountState(view)}</dd>
${view.registrationReason ? html`<dt>Reason for joining</dt><dd>${view.registrationReason}</dd>` : ''}
<dt>Joined</dt><dd>${timeElement(view.account.createdAt, context)}</dd>
</dl>
<div class="report-changes">
${undo.map((u) => actionButton(context, `/admin/accounts/${view.account.id}/${u}`, UNDO_LABELS[u]))}
${view.approved ? '' : actionButton(context, `/admin/accounts/${view.account.id}/approve`, 'Approve sign-up')}
</div>
${reports.length > 0 ? html`<h2>Open reports</h2><ul>${reports.map((r) => html`<li><a href="/admin/reports/${r.id}">Report ${r.id}</a> (${r.category})</li>`)}</ul>` : ''}
${actionForm(context, view, null)}
<h2>Recent posts</h2>
${statusList(statuses, context, 'No posts.')}`;
      return sendPage(reply, context, {
        title: `@${view.account.username} · moderation`,
        body,
        noindex: true,
      });
    },
  );

  app.post<{ Params: IdParams; Body: Static<typeof ActionBody> }>(
    '/admin/accounts/:id/action',
    { config: session, schema: { params: IdParams, body: ActionBody } },
    async (request, reply) => {
      const moderator = await requireStaff(request, deps);
      const type = ACCOUNT_ACTIONS.find((a) => a === request.body.type);
      if (!type) throw new HttpError(422, 'Choose one of the actions.');
      const reportId = request.body.report_id || null;
      await takeAccountAction(deps.database, {
        moderatorId: moderator.id,
        accountId: request.params.id,
        type,
        reportId,
        text: request.body.note ?? '',
        requestId: request.id,
      });
      return redirectBack(
        reply,
        request.body.return_to,
        reportId ? `/admin/reports/${reportId}` : `/admin/accounts/${request.params.id}`,
      );
    },
  );

  for (const undo of [...UNDO, 'approve'] as const) {
    app.post<{ Params: IdParams; Body: Static<typeof ActionBody> }>(
      `/admin/accounts/:id/${undo}`,
      { config: session, schema: { params: IdParams, body: Type.Object(FormBase) } },
      async (request, reply) => {
        const moderator = await requireStaff(request, deps);
        if (undo === 'approve') {
          await reviewSignUp(deps.database, {
            moderatorId: moderator.id,
            accountId: request.params.id,
            decision: 'approve',
          });
        } else {
          await takeAccountAction(deps.database, {
            moderatorId: moderator.id,
            accountId: request.params.id,
            type: undo,
            requestId: request.id,
          });
        }
        return redirectBack(reply, request.body.return_to, `/admin/accounts/${request.params.id}`);
      },
    );
  }

  app.get<{ Querystring: PageQuery }>(
    '/admin/audit',
    { schema: { querystring: PageQuery } },
    async (request, reply) => {
      if (!request.viewer) return reply.redirect('/auth/sign_in', 303);
      await requireStaff(request, deps);
      const context = pageContext(request, deps);
      const entries = await listAuditLog(deps.database.primary, pageFrom(request.query, 50));
      const target = (e: (typeof entries)[number]) =>
        e.targetType === 'Account'
          ? html`<a href="/admin/accounts/${e.targetId}">@${e.targetLabel}</a>`
          : e.targetType === 'Report'
            ? html`<a href="/admin/reports/${e.targetId}">Report ${e.targetId}</a>`
            : e.targetType === 'DomainBlock'
              ? html`Server ${e.targetLabel}`
              : html`Rule “${e.targetLabel}”`;
      const body = html`<h1>Audit log</h1>
${adminNav('/admin/audit')}
${
  entries.length === 0
    ? html`<p class="empty">Nothing has been done yet.</p>`
    : html`<div class="table-scroll"><table>
<caption class="visually-hidden">What moderators did, newest first</caption>
<thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Note</th></tr></thead>
<tbody>${entries.map(
        (e) =>
          html`<tr><td>${timeElement(e.createdAt, context)}</td><td>${e.moderator ? html`@${e.moderator.username}` : 'murmurctl'}</td><td>${e.action}</td><td>${target(e)}</td><td>${e.note}</td></tr>`,
      )}</tbody></table></div>`
}
${pager('/admin/audit', entries, { limit: 50, paged: Boolean(request.query.max_id || request.query.min_id) })}`;
      return sendPage(reply, context, { title: 'Audit log', body, noindex: true });
    },
  );
}
