/**
 * @murmur/db/statistics: the instance's numbers: daily statistics counted from events (the worker's
 * statistics consumer) and recomputed from the tables, and the counts the API shows.
 */
export {
  utcDay,
  countEventsInDailyStats,
  computeDailyStatsFromSources,
  recomputeDailyStats,
  finalizeFinishedDays,
  refreshTodayStats,
  getDailyStats,
  type StatisticsEvent,
} from '../operations/statistics.js';
export {
  readDailyStatistics,
  readInstanceCounts,
  type DailyStatistics,
} from '../queries/statistics-read.js';
