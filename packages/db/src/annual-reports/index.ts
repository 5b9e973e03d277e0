/**
 * @murmur/db/annual-reports: a person's year on Murmur (Mastodon's "Wrapstodon"): generated once from
 * their own statuses and follows of that year, kept, listed and marked read.
 */
export {
  generateAnnualReport,
  markAnnualReportRead,
  annualReportYearOpen,
} from '../operations/annual-reports/generate-annual-report.js';
export {
  archetypeOf,
  type AnnualReportData,
} from '../operations/annual-reports/annual-report-data.js';
export {
  listAnnualReports,
  findAnnualReport,
  annualReportState,
  type AnnualReportView,
} from '../queries/annual-reports.js';
