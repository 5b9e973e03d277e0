/**
 * Fan-out on write, measured through the real worker (issue 15): statuses created at a fixed rate
 * (200/s by default) by 200 authors with 1,000 followers each, then the same load while an author
 * with 100,000 followers posts. Arrival in a feed is observed directly: a poller reads the feed of
 * one follower per author (for the big author, the follower its fan-out reaches last) every 20 ms.
 * Its own database (`murmur_bench_fanout`: fan-out cost does not depend on how many statuses exist)
 * and its own stream.
 *
 *   pnpm --filter @murmur/bench fan-out [--duration 10] [--pipeline-rate 200]
 */
import { mkdtemp } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, createDatabaseIfMissing, migrateDatabase } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { parseArguments } from './options.js';
import { startService } from './services.js';
import { summarize } from './stats.js';

const AUTHORS = 200;
const FOLLOWERS_EACH = 1_000;
const BIG_FOLLOWERS = 100_000;

interface Setup {
  authorIds: string[];
  bigAuthorId: string;
  /** One follower per author, and the big author's last follower (in fan-out order). */
  probes: Map<string, string>;
}

async function ensureSetup(client: pg.Client): Promise<Setup> {
  await client.query(`create table if not exists bench_fanout (done boolean)`);
  const { rowCount } = await client.query(`select 1 from bench_fanout`);
  if (!rowCount) {
    await client.query(`insert into accounts (username, email, password_hash)
      select 'fan' || g, 'fan' || g || '@bench.invalid', 'x' from generate_series(0, ${BIG_FOLLOWERS - 1}) g`);
    await client.query(`insert into accounts (username, email, password_hash)
      select 'author' || g, 'author' || g || '@bench.invalid', 'x' from generate_series(0, ${AUTHORS}) g`);
    // Author k is followed by fans k*500 .. k*500+999 (mod 100,000): overlapping audiences.
    await client.query(`insert into follows (account_id, target_account_id)
      select f.id, a.id from generate_series(0, ${AUTHORS - 1}) k
      join accounts a on a.username = 'author' || k
      cross join generate_series(0, ${FOLLOWERS_EACH - 1}) j
      join accounts f on f.username = 'fan' || ((k * 500 + j) % ${BIG_FOLLOWERS})`);
    await client.query(`insert into follows (account_id, target_account_id)
      select f.id, a.id from accounts a, accounts f
      where a.username = 'author${AUTHORS}' and f.username like 'fan%' order by f.id`);
    await client.query(`update accounts a set followers_count = c.n
      from (select target_account_id, count(*)::int as n from follows group by 1) c
      where c.target_account_id = a.id`);
    await client.query(`insert into bench_fanout values (true)`);
    await client.query(`vacuum analyze accounts, follows`);
  }
  const { rows } = await client.query<{ username: string; id: string; probe: string }>(
    `select a.username, a.id::text, (select f.account_id::text from follows f
        where f.target_account_id = a.id order by f.id desc limit 1) as probe
     from accounts a where a.username like 'author%'`,
  );
  const byName = new Map(rows.map((r) => [r.username, r]));
  const authorIds = Array.from({ length: AUTHORS }, (_, k) => byName.get(`author${k}`)!.id);
  const big = byName.get(`author${AUTHORS}`)!;
  return {
    authorIds,
    bigAuthorId: big.id,
    probes: new Map(rows.map((r) => [r.id, r.probe])),
  };
}

export interface FanOutPhase {
  statuses: number;
  /** Commit → entry visible in the probe follower's feed. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  missing: number;
}

export interface FanOutResult {
  ratePerSecond: number;
  steady: FanOutPhase;
  /** Others' statuses committed while the big author's fan-out ran. */
  duringBig: FanOutPhase;
  bigFanOutMs: number;
  feedRowsPerSecond: number;
  /**
   * Posts per second the benchmark actually committed in the steady phase (first to last commit):
   * on a loaded machine it cannot keep `ratePerSecond`, and `feedRowsPerSecond` is then bounded by
   * it, not by the fan-out; the lags still say whether the fan-out kept up with what was posted.
   */
  committedPostsPerSecond: number;
  /**
   * The same-run reference: feed-shaped rows per second PostgreSQL inserts on this machine right
   * now with one hand-written `INSERT ... SELECT` (every author's followers once, no events, no
   * worker), the ceiling the pipeline's `feedRowsPerSecond` is to be read against.
   */
  referenceRowsPerSecond: number;
  /** `os.loadavg()` when the run ended: a shared machine skews every figure. */
  loadAverage: number[];
}

/**
 * The reference: a copy of `home_feed_entries` (same columns, same primary key) filled with one
 * statement from the followers of every 1,000-follower author, a row per follower per author, as
 * one batch of 200 posts would be; best of three, each in a transaction rolled back.
 */
async function referenceInsertRate(client: pg.Client, authorIds: string[]): Promise<number> {
  await client.query(`create table if not exists bench_fanout_reference
    (like home_feed_entries including all)`);
  let best = 0;
  for (let run = 0; run < 3; run++) {
    await client.query('begin');
    const started = performance.now();
    const { rowCount } = await client.query(
      `insert into bench_fanout_reference (account_id, status_id, author_id, reblog_of_id)
       select f.account_id, a.n, f.target_account_id, null
       from unnest($1::bigint[]) with ordinality a(id, n) join follows f on f.target_account_id = a.id`,
      [authorIds],
    );
    const seconds = (performance.now() - started) / 1000;
    await client.query('rollback');
    best = Math.max(best, (rowCount ?? 0) / seconds);
  }
  return Math.round(best);
}

async function runPhase(
  database: ReturnType<typeof createDatabase>,
  client: pg.Client,
  setup: Setup,
  rate: number,
  seconds: number,
  withBig: boolean,
): Promise<{
  commits: Map<string, { at: number; author: string }>;
  arrivals: Map<string, number>;
}> {
  const commits = new Map<string, { at: number; author: string }>();
  const arrivals = new Map<string, number>();
  const { rows: top } = await client.query<{ id: string }>(
    `select coalesce(max(status_id), 0)::text as id from home_feed_entries`,
  );
  let floor = top[0]!.id;
  const probes = [...new Set(setup.probes.values())];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const { rows } = await client.query<{ id: string }>(
        `select status_id::text as id from home_feed_entries
         where account_id = any($1::bigint[]) and status_id > $2`,
        [probes, floor],
      );
      const now = Date.now();
      for (const r of rows) if (!arrivals.has(r.id)) arrivals.set(r.id, now);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const tasks: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const author =
      withBig && n === Math.round(rate) ? setup.bigAuthorId : setup.authorIds[n % AUTHORS]!;
    tasks.push(
      createStatus(database, { accountId: author, text: `fan-out ${n}` }).then((s) => {
        commits.set(s.id, { at: Date.now(), author });
      }),
    );
  }
  await Promise.allSettled(tasks);
  const deadline = Date.now() + 60_000;
  while (arrivals.size < commits.size && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  polling = false;
  await poller;
  floor = '0';
  return { commits, arrivals };
}

function phase(
  commits: Map<string, { at: number; author: string }>,
  arrivals: Map<string, number>,
  keep: (statusId: string, commit: { at: number; author: string }) => boolean,
): FanOutPhase {
  const lags: number[] = [];
  let missing = 0;
  for (const [id, commit] of commits) {
    if (!keep(id, commit)) continue;
    const at = arrivals.get(id);
    if (at === undefined) missing++;
    else lags.push(at - commit.at);
  }
  const s = summarize(lags);
  return { statuses: lags.length + missing, p50Ms: s.p50, p99Ms: s.p99, maxMs: s.max, missing };
}

function commitRate(commits: Map<string, { at: number }>): number {
  const times = [...commits.values()].map((c) => c.at);
  const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
  return Math.round(((commits.size - 1) / seconds) * 10) / 10;
}

export async function runFanOut(options: {
  baseUrl: string;
  natsUrl: string;
  rate: number;
  seconds: number;
  mode: 'auto' | 'compiled' | 'source';
  logLevel: string;
}): Promise<FanOutResult> {
  const url = new URL(options.baseUrl);
  url.pathname = '/murmur_bench_fanout';
  await createDatabaseIfMissing(url.toString());
  await migrateDatabase(url.toString());
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const setup = await ensureSetup(client);
  const streamName = `BENCH_FANOUT_${process.pid}`;
  const logDirectory = await mkdtemp(join(tmpdir(), 'murmur-fanout-'));
  const worker = await startService(
    'worker',
    options.mode,
    {
      databaseUrl: url.toString(),
      natsUrl: options.natsUrl,
      logLevel: options.logLevel,
      extra: { NATS_STREAM: streamName, NATS_SUBJECT_PREFIX: `bench.fanout.${process.pid}` },
    },
    logDirectory,
  );
  const database = createDatabase({
    url: url.toString(),
    poolSize: 10,
    connectionTimeoutMs: 60_000,
    applicationName: 'murmur-bench',
  });
  try {
    const referenceRowsPerSecond = await referenceInsertRate(client, setup.authorIds);
    const steadyStart = Date.now();
    const steady = await runPhase(database, client, setup, options.rate, options.seconds, false);
    const steadySeconds = (Math.max(...steady.arrivals.values()) - steadyStart) / 1000;
    const withBig = await runPhase(database, client, setup, options.rate, options.seconds, true);
    const bigId = [...withBig.commits].find(([, c]) => c.author === setup.bigAuthorId)![0];
    const bigCommit = withBig.commits.get(bigId)!.at;
    const bigDone = withBig.arrivals.get(bigId) ?? Number.NaN;
    return {
      ratePerSecond: options.rate,
      steady: phase(steady.commits, steady.arrivals, () => true),
      duringBig: phase(
        withBig.commits,
        withBig.arrivals,
        (id, c) => id !== bigId && c.at >= bigCommit && c.at <= bigDone,
      ),
      bigFanOutMs: bigDone - bigCommit,
      feedRowsPerSecond: Math.round((steady.commits.size * FOLLOWERS_EACH) / steadySeconds),
      committedPostsPerSecond: commitRate(steady.commits),
      referenceRowsPerSecond,
      loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
    };
  } finally {
    await database.close();
    await worker.stop();
    const nc = await connect({ servers: options.natsUrl, name: 'murmur-bench' });
    await (await jetstreamManager(nc)).streams.delete(streamName).catch(() => false);
    await nc.close();
    // Leave the accounts and follows for the next run; drop what this run wrote.
    await client.query(`delete from home_feed_entries`);
    await client.query(`delete from statuses`);
    await client.query(`delete from outbox_events`);
    await client.query(`delete from processed_events`);
    await client.query(`update accounts set statuses_count = 0`);
    await client.query(
      `vacuum analyze statuses, home_feed_entries, outbox_events, processed_events`,
    );
    await client.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options = parseArguments(process.argv.slice(2), process.env);
  const result = await runFanOut({
    baseUrl: options.databaseUrl,
    natsUrl: options.natsUrl,
    rate: options.pipelineRate,
    seconds: options.duration,
    mode: options.mode,
    logLevel: options.logLevel,
  });
  console.log(JSON.stringify(result, null, 2));
}
