/** A person's annual reports, and what can be done about a year's (Mastodon's `state`). */
import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import type { AnnualReportData } from '../operations/annual-reports/annual-report-data.js';
import { yearIdRange } from '../operations/annual-reports/annual-report-data.js';
import { annualReportYearOpen } from '../operations/annual-reports/generate-annual-report.js';

export interface AnnualReportView {
  accountId: string;
  year: number;
  schemaVersion: number;
  data: AnnualReportData;
  viewedAt: Date | null;
}

interface Row {
  accountId: string;
  year: number;
  schemaVersion: number;
  data: AnnualReportData;
  viewedAt: Date | string | null;
}

const toView = (row: Row): AnnualReportView => ({
  ...row,
  viewedAt: row.viewedAt === null ? null : new Date(row.viewedAt),
});

const COLUMNS = sql`r.account_id::text as "accountId", r.year, r.schema_version as "schemaVersion",
  r.data, r.viewed_at as "viewedAt"`;

/** The person's reports, newest year first (Mastodon lists them all: one a year at most). */
export async function listAnnualReports(
  executor: Executor,
  accountId: string,
): Promise<AnnualReportView[]> {
  const rows = await queryRows<Row>(
    executor,
    sql`select ${COLUMNS} from annual_reports r where r.account_id = ${accountId}
      order by r.year desc`,
  );
  return rows.map(toView);
}

/** The person's report of `year`, or null when it was not made. */
export async function findAnnualReport(
  executor: Executor,
  accountId: string,
  year: number,
): Promise<AnnualReportView | null> {
  const [row] = await queryRows<Row>(
    executor,
    sql`select ${COLUMNS} from annual_reports r
      where r.account_id = ${accountId} and r.year = ${year}`,
  );
  return row ? toView(row) : null;
}

/**
 * Mastodon's states: `available` (made), `eligible` (can be made now), `ineligible` (the year is
 * not open, or the person posted nothing in it). Never `generating`: making one is synchronous.
 */
export async function annualReportState(
  executor: Executor,
  accountId: string,
  year: number,
  now: Date = new Date(),
): Promise<'available' | 'eligible' | 'ineligible'> {
  if (!annualReportYearOpen(year, now)) return 'ineligible';
  const { from, to } = yearIdRange(year);
  const [row] = await queryRows<{ made: boolean; posted: boolean }>(
    executor,
    sql`select
      exists (select 1 from annual_reports r where r.account_id = ${accountId} and r.year = ${year})
        as made,
      exists (select 1 from statuses s where s.account_id = ${accountId} and s.deleted_at is null
        and s.id >= ${from} and s.id < ${to}) as posted`,
  );
  if (row?.made) return 'available';
  return row?.posted ? 'eligible' : 'ineligible';
}
