/**
 * Annual reports ("Wrapstodon"): a person's reports with the accounts and statuses they name, one
 * year's, its state, making it, and marking it read. See `generateAnnualReport` for when a year
 * can be reported on.
 */
import {
  annualReportState,
  findAnnualReport,
  generateAnnualReport,
  listAnnualReports,
  markAnnualReportRead,
  type AnnualReportView,
} from '@murmur/db/annual-reports';
import { hydrateAccounts } from '@murmur/db/accounts';
import { hydrateStatuses } from '@murmur/db/statuses';
import { DomainError } from '@murmur/db';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { serializeAccount } from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { EmptyObject } from '../../../schemas/atoms.js';
import { Account, Status } from '../../../schemas/entities.js';
import { ERRORS, sendJsonText, userOf } from '../_shared.js';

const tags = ['annual_reports'];
const read = { auth: 'user' as const, scopes: ['read:accounts'] };
const write = { auth: 'user' as const, scopes: ['write:accounts'] };

const YearParams = Type.Object({ year: Type.String({ maxLength: 8 }) });

const AnnualReport = Type.Object(
  {
    year: Type.Integer(),
    account_id: Type.String(),
    schema_version: Type.Integer(),
    data: Type.Object({}, { additionalProperties: true }),
    share_url: Type.Null(),
  },
  { description: 'AnnualReport' },
);

const WrappedAnnualReports = Type.Object(
  {
    annual_reports: Type.Array(AnnualReport),
    accounts: Type.Array(Account),
    statuses: Type.Array(Status),
  },
  { description: 'The reports with the accounts and statuses they name' },
);

const notFound = () => new DomainError('AnnualReportNotFound', 'Record not found');

/** The year of the path: four digits, or the report cannot exist. */
function yearOf(raw: string): number {
  if (!/^\d{4}$/.test(raw)) throw notFound();
  return Number(raw);
}

/** Mastodon's wrapper: the reports, and every account and status their data names. */
async function wrappedJson(request: FastifyRequest, reports: AnnualReportView[]): Promise<string> {
  const { database, config, statusJson } = request.server;
  const viewer = userOf(request);
  const accountIds = new Set<string>();
  const statusIds = new Set<string>();
  for (const { data } of reports) {
    for (const entry of [
      ...data.commonly_interacted_with_accounts,
      ...data.most_reblogged_accounts,
    ])
      accountIds.add(entry.account_id);
    for (const id of Object.values(data.top_statuses)) if (id !== null) statusIds.add(id);
  }
  const [accounts, statuses] = await Promise.all([
    hydrateAccounts(database.replica, [...accountIds]),
    hydrateStatuses(database.replica, [...statusIds], viewer),
  ]);
  const serialized = reports.map((report) => ({
    year: report.year,
    account_id: report.accountId,
    schema_version: report.schemaVersion,
    data: report.data,
    share_url: null,
  }));
  return `{"annual_reports":${JSON.stringify(serialized)},"accounts":${JSON.stringify(
    accounts.map((a) => serializeAccount(a, config.publicOrigin)),
  )},"statuses":${statusJson.statuses(statuses, viewer)}}`;
}

export default async function annualReportRoutes(app: ApiInstance): Promise<void> {
  const { database } = app;

  app.get(
    '/api/v1/annual_reports',
    {
      config: read,
      schema: {
        tags,
        summary: 'Your annual reports, newest year first',
        response: { 200: WrappedAnnualReports, ...ERRORS },
      },
    },
    async (request, reply) =>
      sendJsonText(
        reply,
        await wrappedJson(request, await listAnnualReports(database.primary, userOf(request))),
      ),
  );

  app.get(
    '/api/v1/annual_reports/:year',
    {
      config: read,
      schema: {
        tags,
        summary: 'Your annual report of one year (404 until it is made)',
        params: YearParams,
        response: { 200: WrappedAnnualReports, ...ERRORS },
      },
    },
    async (request, reply) => {
      const report = await findAnnualReport(
        database.primary,
        userOf(request),
        yearOf(request.params.year),
      );
      if (report === null) throw notFound();
      return sendJsonText(reply, await wrappedJson(request, [report]));
    },
  );

  app.get(
    '/api/v1/annual_reports/:year/state',
    {
      config: read,
      schema: {
        tags,
        summary:
          'Whether your report of the year is `available` (made), `eligible` (can be made) or `ineligible`',
        params: YearParams,
        response: {
          200: Type.Object({
            state: Type.Union([
              Type.Literal('available'),
              Type.Literal('eligible'),
              Type.Literal('ineligible'),
            ]),
          }),
          ...ERRORS,
        },
      },
    },
    async (request) => {
      const year = /^\d{4}$/.test(request.params.year) ? Number(request.params.year) : 0;
      return {
        state: await annualReportState(database.primary, userOf(request), year, app.clock()),
      };
    },
  );

  app.post(
    '/api/v1/annual_reports/:year/generate',
    {
      config: write,
      schema: {
        tags,
        summary:
          'Make your report of the year (from its December on, if you posted in it); a report made before is kept',
        params: YearParams,
        response: { 200: EmptyObject, ...ERRORS },
      },
    },
    async (request) => {
      const year = /^\d{4}$/.test(request.params.year) ? Number(request.params.year) : 0;
      await generateAnnualReport(database, userOf(request), year, app.clock());
      return {};
    },
  );

  app.post(
    '/api/v1/annual_reports/:year/read',
    {
      config: write,
      schema: {
        tags,
        summary: 'Mark your report of the year read',
        params: YearParams,
        response: { 200: EmptyObject, ...ERRORS },
      },
    },
    async (request) => {
      await markAnnualReportRead(database, userOf(request), yearOf(request.params.year));
      return {};
    },
  );
}
