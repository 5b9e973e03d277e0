/** Mastodon's admin API for reports: the queue, one report, and its life (assign, resolve, reopen). */
import { DomainError } from '@murmur/db';
import {
  adminAccountsById,
  changeReportState,
  findReport,
  listReports,
  REPORT_CHANGES,
  type ReportView,
} from '@murmur/db/moderation';
import { hydrateStatuses } from '@murmur/db/statuses';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { serializeAdminReport } from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { IdParams, LenientBoolean, PageQuery } from '../../../schemas/atoms.js';
import { AdminReport } from '../../../schemas/moderation.js';
import {
  entityContext,
  ERRORS,
  pageOf,
  parseBoolean,
  setLinkHeaderFor,
  userOf,
} from '../_shared.js';
import { ADMIN_PAGE, requireStaffOnEveryRoute } from './staff.js';

const tags = ['admin'];

/** Admin::Report entities for reports: their accounts and statuses in two queries. */
export async function adminReportsFor(request: FastifyRequest, reports: readonly ReportView[]) {
  const executor = request.server.database.primary;
  const accountIds = new Set<string>();
  for (const report of reports) {
    for (const id of [
      report.accountId,
      report.targetAccountId,
      report.assignedAccountId,
      report.actionTakenByAccountId,
    ]) {
      if (id !== null) accountIds.add(id);
    }
  }
  const [accounts, statuses] = await Promise.all([
    adminAccountsById(executor, [...accountIds]),
    // Moderators see a reported post even once its author is suspended.
    hydrateStatuses(executor, [...new Set(reports.flatMap((r) => r.statusIds))], userOf(request), {
      includeSuspended: true,
    }),
  ]);
  const accountById = new Map(accounts.map((a) => [a.account.id, a]));
  const statusById = new Map(statuses.map((s) => [s.id, s]));
  const context = entityContext(request);
  return reports.map((report) =>
    serializeAdminReport(
      report,
      accountById,
      report.statusIds.flatMap((id) => statusById.get(id) ?? []),
      context,
    ),
  );
}

const ReportsQuery = Type.Object({
  ...PageQuery,
  resolved: Type.Optional(LenientBoolean),
  account_id: Type.Optional(Type.String({ maxLength: 64 })),
  target_account_id: Type.Optional(Type.String({ maxLength: 64 })),
});

export default async function adminReportRoutes(app: ApiInstance): Promise<void> {
  const { database } = app;
  requireStaffOnEveryRoute(app);

  const loadOne = async (request: FastifyRequest, id: string) => {
    const report = await findReport(database.primary, id);
    if (!report) throw new DomainError('ReportNotFound', 'Record not found');
    const [entity] = await adminReportsFor(request, [report]);
    return entity!;
  };

  app.get(
    '/api/v1/admin/reports',
    {
      config: { auth: 'user', scopes: ['admin:read:reports'] },
      schema: {
        tags,
        summary: 'Reports, newest first: unresolved ones unless `resolved=true`',
        querystring: ReportsQuery,
        response: { 200: Type.Array(AdminReport), ...ERRORS },
      },
    },
    async (request, reply) => {
      const { query } = request;
      const reports = await listReports(
        database.primary,
        {
          resolved: parseBoolean(query.resolved),
          accountId: query.account_id,
          targetAccountId: query.target_account_id,
        },
        pageOf(query, ADMIN_PAGE.fallback, ADMIN_PAGE.max),
      );
      setLinkHeaderFor(request, reply, reports);
      return adminReportsFor(request, reports);
    },
  );

  app.get(
    '/api/v1/admin/reports/:id',
    {
      config: { auth: 'user', scopes: ['admin:read:reports'] },
      schema: {
        tags,
        summary: 'One report, with its accounts, statuses and rules',
        params: IdParams,
        response: { 200: AdminReport, ...ERRORS },
      },
    },
    async (request) => loadOne(request, request.params.id),
  );

  for (const change of REPORT_CHANGES) {
    app.post(
      `/api/v1/admin/reports/:id/${change}`,
      {
        config: { auth: 'user', scopes: ['admin:write:reports'] },
        schema: {
          tags,
          summary: {
            assign_to_self: 'Take the report',
            unassign: 'Give the report back',
            resolve: 'Mark the report resolved, without acting on the account',
            reopen: 'Reopen a resolved report',
          }[change],
          params: IdParams,
          response: { 200: AdminReport, ...ERRORS },
        },
      },
      async (request) => {
        await changeReportState(database, {
          moderatorId: userOf(request),
          reportId: request.params.id,
          change,
        });
        return loadOne(request, request.params.id);
      },
    );
  }
}
