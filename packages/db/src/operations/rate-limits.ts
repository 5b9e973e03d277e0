/**
 * Fixed-window counters in PostgreSQL, shared by every replica: for the throttles that must hold
 * across processes (sign-in per IP and per account, the token endpoint, sign-up). One statement per
 * hit: the counter row is created or incremented atomically.
 */
import { lt, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
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
