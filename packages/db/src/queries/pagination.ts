import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { isSnowflakeId } from '../ids.js';

/**
 * Mastodon's keyset pagination over time-sortable ids: `max_id` is an exclusive upper bound,
 * `since_id` an exclusive lower bound (newest first), and `min_id` pages forward from an id (the
 * results just after it). Results are always returned newest first.
 */
export interface Page {
  maxId?: string | null | undefined;
  sinceId?: string | null | undefined;
  minId?: string | null | undefined;
  limit: number;
}

/** A cursor PostgreSQL's bigint can hold; larger ones (19 nines) would fail the query, so they are ignored. */
const validId = isSnowflakeId;

export function clampLimit(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.min(Math.max(Math.trunc(limit), 1), max);
}

/** The WHERE fragment and ORDER BY direction for a page over `column`. */
export function pageConditions(column: SQLWrapper, page: Page): { where: SQL; ascending: boolean } {
  const parts: SQL[] = [];
  if (validId(page.maxId)) parts.push(sql`${column} < ${page.maxId}`);
  if (validId(page.sinceId)) parts.push(sql`${column} > ${page.sinceId}`);
  const ascending = validId(page.minId) && !validId(page.sinceId);
  if (validId(page.minId)) parts.push(sql`${column} > ${page.minId}`);
  return { where: parts.length ? sql.join(parts, sql` and `) : sql`true`, ascending };
}

export function orderFor(column: SQLWrapper, ascending: boolean): SQL {
  return ascending ? sql`${column} asc` : sql`${column} desc`;
}

/** Rows fetched in ascending order (min_id) are turned newest first. */
export function newestFirst<T>(rows: T[], ascending: boolean): T[] {
  return ascending ? rows.reverse() : rows;
}

/**
 * A LIMIT written into the statement text. Statements run prepared, and after a few executions
 * PostgreSQL may switch to a generic plan; with the limit as a parameter that plan assumes a tenth of
 * the table is wanted (a page of 20 became a merge join over every status: 350 ms instead of 0.5 ms),
 * so every execution was planned again. As a literal, each page size is its own small, stable plan.
 */
export function literalLimit(limit: number): SQL {
  return sql.raw(String(clampLimit(limit, 20, 1_000)));
}

/**
 * One page of a list paged by `key`: `select` is the statement up to its WHERE (`select … from
 * reports r`), `conditions` what the list holds besides the page's bounds. Rows come newest first.
 */
export async function selectPage<Row>(
  executor: Executor,
  select: SQL,
  key: SQL,
  conditions: readonly SQL[],
  page: Page,
): Promise<Row[]> {
  const { where, ascending } = pageConditions(key, page);
  const rows = await queryRows<Row>(
    executor,
    sql`${select}
      where ${sql.join([...conditions, where], sql` and `)}
      order by ${orderFor(key, ascending)}
      limit ${literalLimit(page.limit)}`,
  );
  return newestFirst(rows, ascending);
}
