import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { Database, Executor } from './client.js';

const RETRYABLE_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/** The PostgreSQL error behind `error`; drizzle wraps driver errors in DrizzleQueryError. */
function driverError(
  error: unknown,
): { code?: unknown; constraint?: unknown; message?: unknown } | null {
  let current = error as { code?: unknown; cause?: unknown } | null;
  for (let depth = 0; current && depth < 5; depth++) {
    if (typeof current.code === 'string') return current;
    current = (current.cause ?? null) as typeof current;
  }
  return (error as { message?: unknown } | null) ?? null;
}

function sqlState(error: unknown): string | undefined {
  const code = driverError(error)?.code;
  return typeof code === 'string' ? code : undefined;
}

async function runOnce<T>(pool: pg.Pool, work: (tx: Executor) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
  } catch (error) {
    // drizzle's own transaction() leaks the client here (drizzle-orm#6241): release and destroy it.
    client.release(error as Error);
    throw error;
  }
  try {
    const result = await work(drizzle(client));
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
      client.release();
    } catch (rollbackError) {
      // A connection that cannot roll back must never go back to the pool.
      client.release(rollbackError as Error);
    }
    throw error;
  }
}

/**
 * Runs `work` in one transaction on the primary. Serialization failures and deadlocks are retried a
 * few times; every other error rolls back and propagates. The connection is always released, and is
 * destroyed instead of reused when it failed.
 */
export async function withTransaction<T>(
  database: Database,
  work: (tx: Executor) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runOnce(database.pool, work);
    } catch (error) {
      const state = sqlState(error);
      if (attempt >= 3 || state === undefined || !RETRYABLE_SQLSTATES.has(state)) throw error;
    }
  }
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (sqlState(error) !== '23505') return false;
  return constraint === undefined || driverError(error)?.constraint === constraint;
}

export function isForeignKeyViolation(error: unknown): boolean {
  return sqlState(error) === '23503';
}

/** Errors that mean "the database is unavailable right now", worth a 503 or a retry later. */
export function isTransientDatabaseError(error: unknown): boolean {
  const state = sqlState(error);
  if (
    state &&
    (state.startsWith('08') || state === '57P01' || state === '57P03' || state === '53300')
  ) {
    return true;
  }
  const message = `${(error as Error | null)?.message ?? ''} ${String(driverError(error)?.message ?? '')}`;
  return /ECONNREFUSED|ECONNRESET|Connection terminated|timeout exceeded when trying to connect|connect ETIMEDOUT/i.test(
    message,
  );
}
