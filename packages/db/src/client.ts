import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { PgDialect, PgSession } from 'drizzle-orm/pg-core';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';

export interface DatabaseConfig {
  /** Primary (read-write) database. */
  url: string;
  /** Optional read replica; read-only queries that tolerate replication lag go there. */
  readReplicaUrl?: string | undefined;
  /** Connections per pool. */
  poolSize?: number;
  /** Server-side limit for any one statement. */
  statementTimeoutMs?: number;
  /** How long to wait for a free connection before failing fast. */
  connectionTimeoutMs?: number;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
  /**
   * `generic`: every statement on these connections uses its generic plan from the first execution
   * (`plan_cache_mode = force_generic_plan`) instead of five custom plans per connection first.
   * Only for a pool whose statements are all written for their generic plan (`prepared` with
   * `opaque()` values) or are lookups by key, whose plan does not depend on the values: the
   * streaming fan-out's, whose audience statement took 20 ms to plan and twice as long to run in
   * each of those first five (bench README, session 11).
   */
  plans?: 'custom-then-generic' | 'generic';
  /** Where pool errors are reported (an idle connection dropped by the server, for instance). */
  onError?: (error: Error) => void;
}

export type Executor = NodePgDatabase;

/** A handle on the database: the pools, and query builders over them. Create one per process. */
export interface Database {
  /** Queries on the primary. */
  readonly primary: Executor;
  /**
   * Queries that may be served by a replica (the primary when there is none, and inside a request
   * marked with {@link readFromPrimaryForThisRequest}: read-your-writes).
   */
  readonly replica: Executor;
  readonly pool: pg.Pool;
  readonly replicaPool: pg.Pool;
  /** Resolves when the primary answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

function createPool(url: string, config: DatabaseConfig): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: config.poolSize ?? 10,
    connectionTimeoutMillis: config.connectionTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: config.statementTimeoutMs ?? 10_000,
    idle_in_transaction_session_timeout: 60_000,
    application_name: config.applicationName ?? 'murmur',
    // No JIT: every statement here is a short indexed read or write, but a plan whose estimated
    // cost passes jit_above_cost (row estimates over CTEs, the home page's fallback branches that
    // one-time filters skip at run time) was compiled first: 40 ms to 2 s of LLVM work for pages
    // that run in 0.3-10 ms (bench/src/notification-groups.ts, the home-profiles benchmark).
    options:
      config.plans === 'generic'
        ? '-c jit=off -c plan_cache_mode=force_generic_plan'
        : '-c jit=off',
  });
  const report = config.onError ?? (() => {});
  // Without these listeners, a connection dropped by the server (restart, failover) emits an
  // 'error' event nobody handles, and Node ends the process.
  pool.on('error', report);
  pool.on('connect', (client) => client.on('error', report));
  return pool;
}

/** Per request: whether its reader must see their own recent writes. */
const readRouting = new AsyncLocalStorage<{ primary: boolean }>();

/**
 * Runs `next` (the rest of a request: a Fastify `onRequest` hook's `done`) in a context of its own,
 * in which {@link readFromPrimaryForThisRequest} can route the request's reads.
 */
export function withReadRouting(next: () => void): void {
  readRouting.run({ primary: false }, next);
}

/**
 * For the rest of the current request, `database.replica` is the primary. A service calls it for a
 * request by someone who wrote in the last few seconds ({@link RecentWriters}), so they see their
 * own post even while the replica lags. Outside {@link withReadRouting} it does nothing.
 */
export function readFromPrimaryForThisRequest(): void {
  const routing = readRouting.getStore();
  if (routing) routing.primary = true;
}

/** Whether the current request reads from the primary. */
export function readsFromPrimary(): boolean {
  return readRouting.getStore()?.primary === true;
}

export function createDatabase(config: DatabaseConfig): Database {
  const pool = createPool(config.url, config);
  const replicaPool = config.readReplicaUrl ? createPool(config.readReplicaUrl, config) : pool;
  const primary = drizzle(pool);
  const replica = replicaPool === pool ? primary : drizzle(replicaPool);
  return {
    primary,
    get replica() {
      return readRouting.getStore()?.primary ? primary : replica;
    },
    pool,
    replicaPool,
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await pool.end();
      if (replicaPool !== pool) await replicaPool.end();
    },
  };
}

const statementNames = new Map<string, string>();
const MAX_REMEMBERED_NAMES = 2_000;

/** A stable name per statement text: the same text is parsed and planned once per connection. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `murmur_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    if (statementNames.size < MAX_REMEMBERED_NAMES) statementNames.set(text, name);
  }
  return name;
}

export interface QueryOptions {
  /**
   * Run as a named prepared statement: parsed and planned once per connection, then reused. Worth
   * it for the hot statements whose planning costs PostgreSQL as much as running them (hydrating a
   * page: 0.4 ms planning for 0.5 ms of execution). Only for statements whose best plan does not
   * depend on the parameters' values: after five executions PostgreSQL may settle on a generic plan,
   * and a home timeline planned for an average reader took 73 ms instead of 5 ms for one following
   * 1,000 accounts. The text must stay bounded (values are parameters, never spliced in).
   */
  prepared?: boolean;
}

/**
 * A value the planner does not look at: `(select $n::type)` is computed once as an InitPlan, and a
 * plan made for the statement's actual values estimates it as a plan for any values does. When a
 * prepared statement's estimates all go through it, PostgreSQL finds after five executions that
 * planning for the values buys nothing, and reuses one plan. Otherwise it may plan every execution
 * anew: with a null parent or a two-name list, the plan for those values always looks cheaper
 * than the generic one, whose list is assumed to hold ten names. (`pg_prepared_statements`'
 * `generic_plans` and `custom_plans` show which happened.)
 */
export function opaque(
  value: unknown,
  type: 'bigint' | 'boolean' | 'text' | 'text[]' | 'bigint[]' | 'int[]' | 'boolean[]' | 'uuid[]',
): SQL {
  const cast = sql.raw(type);
  // The outer cast makes `= any(opaque(...))` compare with an array, not with a subquery's rows.
  return sql`(select ${Array.isArray(value) ? sql.param(value) : value}::${cast})::${cast}`;
}

/** Runs a raw `sql` query and returns its rows typed as `Row` (the query's aliases define the shape). */
export async function queryRows<Row>(
  executor: Executor,
  query: SQL,
  options: QueryOptions = {},
): Promise<Row[]> {
  if (!options.prepared) {
    const result = await executor.execute(query);
    return result.rows as Row[];
  }
  const { session, dialect } = executor as unknown as { session: PgSession; dialect: PgDialect };
  const built = dialect.sqlToQuery(query);
  const prepared = session.prepareQuery(built, undefined, statementName(built.sql), false);
  const result = (await prepared.execute()) as { rows: Row[] };
  return result.rows;
}

/**
 * Accounts that wrote recently, in this process: their reads go to the primary for `windowMs`
 * (read-your-writes with a lagging replica). The window must exceed the replica lag a deployment
 * tolerates; a process that restarts forgets, which only costs a few seconds of possible staleness.
 */
export class RecentWriters {
  private readonly until = new Map<string, number>();

  constructor(readonly windowMs: number = READ_YOUR_WRITES_WINDOW_MS) {}

  mark(accountId: string, now = Date.now()): void {
    this.until.set(accountId, now + this.windowMs);
    if (this.until.size > 10_000) this.sweep(now);
  }

  /** Whether this process marked the account within the last `ms` milliseconds. */
  markedWithin(accountId: string, ms: number, now = Date.now()): boolean {
    const until = this.until.get(accountId);
    return until !== undefined && until - this.windowMs > now - ms;
  }

  isRecent(accountId: string, now = Date.now()): boolean {
    const until = this.until.get(accountId);
    if (until === undefined) return false;
    if (until > now) return true;
    this.until.delete(accountId);
    return false;
  }

  private sweep(now: number): void {
    for (const [id, until] of this.until) if (until <= now) this.until.delete(id);
  }
}

/** How long after a write its author's reads go to the primary. */
export const READ_YOUR_WRITES_WINDOW_MS = 10_000;
