/**
 * Fixed-window counters in PostgreSQL, shared by every replica. The credential throttles (sign-in
 * per IP and per account, the token endpoint, sign-up) count each hit in one statement, before any
 * bcrypt work. The general API limits add up the hits each process counted since its last sync, all
 * keys in one statement (`addRateLimitHits`), and learn the totals every process has counted.
 */
import { lt, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../client.js';
import { rateLimitCounters } from '../schema/index.js';

export interface RateLimitResult {
  allowed: boolean;
  /** Hits left in this window (0 once the limit is reached). */
  remaining: number;
  /** When the current window ends. */
  resetAt: Date;
}

/** Expired windows are deleted on roughly one hit in this many. */
const CLEANUP_EVERY = 100;

/** Counts one hit against `key` and says whether it is within `limit` hits per `windowMs`. */
export async function hitRateLimit(
  database: Database,
  input: { key: string; limit: number; windowMs: number; now?: Date },
): Promise<RateLimitResult> {
  const now = (input.now ?? new Date()).getTime();
  const windowStart = new Date(Math.floor(now / input.windowMs) * input.windowMs);
  const resetAt = new Date(windowStart.getTime() + input.windowMs);
  const [row] = await database.primary
    .insert(rateLimitCounters)
    .values({ key: input.key, windowStart, count: 1, expiresAt: resetAt })
    .onConflictDoUpdate({
      target: [rateLimitCounters.key, rateLimitCounters.windowStart],
      set: { count: sql`${rateLimitCounters.count} + 1` },
    })
    .returning({ count: rateLimitCounters.count });
  const count = row!.count;
  if (Math.random() * CLEANUP_EVERY < 1) await deleteExpiredRateLimits(database, new Date(now));
  return { allowed: count <= input.limit, remaining: Math.max(0, input.limit - count), resetAt };
}

export interface RateLimitHits {
  key: string;
  windowStart: Date;
  /** Hits counted since the last sync. */
  count: number;
  /** When the window ends; the row may be deleted after. */
  expiresAt: Date;
}

/**
 * Adds each counter's hits (one entry per key and window) and returns the totals across every
 * process, in one statement.
 */
export async function addRateLimitHits(
  database: Database,
  hits: readonly RateLimitHits[],
): Promise<{ key: string; windowStart: Date; count: number }[]> {
  if (hits.length === 0) return [];
  const rows = await queryRows<{ key: string; window_start: Date | string; count: number }>(
    database.primary,
    sql`insert into rate_limit_counters (key, window_start, count, expires_at)
      select * from unnest(
        ${sql.param(hits.map((hit) => hit.key))}::text[],
        ${sql.param(hits.map((hit) => hit.windowStart.toISOString()))}::timestamptz[],
        ${sql.param(hits.map((hit) => hit.count))}::int[],
        ${sql.param(hits.map((hit) => hit.expiresAt.toISOString()))}::timestamptz[])
      on conflict (key, window_start)
        do update set count = rate_limit_counters.count + excluded.count
      returning key, window_start, count`,
  );
  if (Math.random() * CLEANUP_EVERY < 1) await deleteExpiredRateLimits(database);
  return rows.map((row) => ({
    key: row.key,
    windowStart: new Date(row.window_start),
    count: row.count,
  }));
}

export async function deleteExpiredRateLimits(
  database: Database,
  now = new Date(),
): Promise<number> {
  const deleted = await database.primary
    .delete(rateLimitCounters)
    .where(lt(rateLimitCounters.expiresAt, now))
    .returning({ key: rateLimitCounters.key });
  return deleted.length;
}
