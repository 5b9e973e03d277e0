import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { listDailyStats, type DailyStatsRow } from '../operations/statistics.js';

/** One UTC day of the statistics the worker aggregates. */
export type DailyStatistics = DailyStatsRow;

/**
 * The `daily_stats` rows from `from` to `to` (inclusive, YYYY-MM-DD), oldest first; days without a
 * row are absent. The API's name for the worker's `listDailyStats`.
 */
export function readDailyStatistics(
  executor: Executor,
  range: { from: string; to: string },
): Promise<DailyStatistics[]> {
  return listDailyStats(executor, range);
}

/** Counters an instance publishes (NodeInfo usage, instance stats). One query. */
export interface InstanceCounts {
  users: number;
  /** Accounts that posted in the last 30 days. */
  activeMonth: number;
  /** Accounts that posted in the last 180 days. */
  activeHalfyear: number;
  /** Posts that are not deleted (from the accounts' counters, so reblogs count too, as in Mastodon). */
  localPosts: number;
}

export async function readInstanceCounts(executor: Executor): Promise<InstanceCounts> {
  const [row] = await queryRows<InstanceCounts>(
    executor,
    sql`
    select (select count(*)::int from accounts where domain is null) as users,
      (select count(*)::int from accounts
        where domain is null and last_status_at >= current_date - 30) as "activeMonth",
      (select count(*)::int from accounts
        where domain is null and last_status_at >= current_date - 180) as "activeHalfyear",
      (select coalesce(sum(statuses_count), 0)::int from accounts where domain is null)
        as "localPosts"`,
  );
  return row!;
}
