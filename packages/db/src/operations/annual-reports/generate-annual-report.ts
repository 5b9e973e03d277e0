import { sql } from 'drizzle-orm';
import type { Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { annualReports } from '../../schema/annual-reports.js';
import { ANNUAL_REPORT_SCHEMA_VERSION, computeAnnualReportData } from './annual-report-data.js';

/**
 * Whether a year's reports can be made yet: from its December on (Mastodon opens Wrapstodon in
 * December), for any year since 2000.
 */
export function annualReportYearOpen(year: number, now: Date = new Date()): boolean {
  if (!Number.isInteger(year) || year < 2000) return false;
  const current = now.getUTCFullYear();
  return year < current || (year === current && now.getUTCMonth() === 11);
}

/**
 * Makes the person's report of `year` and keeps it (`POST /api/v1/annual_reports/:year/generate`).
 * A report made before is kept as it was, as Mastodon's. Refused (InvalidField) before the year's
 * December, or when they posted nothing that year. The work is one read over the person's own
 * year (an index range), so it is done in the request rather than queued.
 */
export async function generateAnnualReport(
  database: Database,
  accountId: string,
  year: number,
  now: Date = new Date(),
): Promise<void> {
  if (!annualReportYearOpen(year, now)) {
    throw new DomainError('InvalidField', `Annual reports for ${year} are not available`, 'year');
  }
  const data = await computeAnnualReportData(database.primary, accountId, year);
  if (data === null) {
    throw new DomainError('InvalidField', `You did not post anything in ${year}`, 'year');
  }
  await database.primary
    .insert(annualReports)
    .values({ accountId, year, schemaVersion: ANNUAL_REPORT_SCHEMA_VERSION, data })
    .onConflictDoNothing();
}

/** Marks the person's report of `year` read; AnnualReportNotFound when it was not made. */
export async function markAnnualReportRead(
  database: Database,
  accountId: string,
  year: number,
): Promise<void> {
  const result = await database.primary.execute(
    sql`update annual_reports set viewed_at = coalesce(viewed_at, now())
      where account_id = ${accountId} and year = ${year}`,
  );
  if ((result.rowCount ?? 0) === 0) {
    throw new DomainError('AnnualReportNotFound', 'Record not found');
  }
}
