/**
 * Fan-out on write, measured through the real worker (issue 15): first a backlog of 1,000 posts
 * waiting when the worker starts (the pipeline's capacity, and its warm-up), then statuses created
 * at a fixed rate (200/s by default) by 200 authors with 1,000 followers each, then the same load
 * while an author with 100,000 followers posts. Arrival in a feed is observed directly: a poller
 * reads the feed of one follower per author (for the big author, the follower its fan-out reaches
 * last) every 20 ms.
 * Its own database (`murmur_bench_fanout`: fan-out cost does not depend on how many statuses exist)
 * and its own stream.
 *
 *   pnpm --filter @murmur/bench fan-out [--duration 10] [--pipeline-rate 200]
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, createDatabaseIfMissing, migrateDatabase } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import {
  activityBetween,
  activitySnapshot,
  enableStatementStatistics,
  sampleActivity,
  timeline,
  type PhaseActivity,
} from './database-activity.js';
import { parseArguments } from './options.js';
import { startService } from './services.js';
import { summarize } from './stats.js';
import { untilDue } from './open-load.js';

const AUTHORS = 200;
const FOLLOWERS_EACH = 1_000;
const BIG_FOLLOWERS = 100_000;
/** Posts waiting when the worker starts (1,000,000 feed rows): the capacity measurement. */
const BACKLOG_STATUSES = 1_000;

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
  // Whatever earlier runs or experiments left dead (counters reset, lists dropped, rolled-back
  // reference inserts) is vacuumed first: each run starts from the same state, as autovacuum keeps
  // a live server (seen: 13 million dead reference rows and 1.6 million dead account versions after
  // a day of runs, and rounds that varied by 2×).
  await client.query(
    `vacuum (analyze) accounts, follows, lists, list_accounts, statuses, home_feed_entries,
      outbox_events, processed_events`,
  );
  await client.query(`create table if not exists bench_fanout_reference
    (like home_feed_entries including all)`);
  await client.query(`vacuum bench_fanout_reference`);
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
  /**
   * The baseline for `duringBig`: the steady phase's statuses committed in the same window of
   * their phase (from the same offset after the phase's first commit, as long). The lag grows or
   * shrinks along a phase on a busy machine, so the whole steady phase is not the comparison.
   */
  steadySameWindow: FanOutPhase;
  bigFanOutMs: number;
  feedRowsPerSecond: number;
  /**
   * Posts per second the benchmark started (`offered`: its schedule, late only if its own event
   * loop was) and committed (first to last commit) in the steady phase, and how long a post took to
   * commit. When committed < offered, the posts queued for the database (`postCommitMs` says how
   * long), not in the benchmark; `feedRowsPerSecond` is then bounded by the committed rate, not by
   * the fan-out, and the lags still say whether the fan-out kept up with what was posted.
   */
  offeredPostsPerSecond: number;
  committedPostsPerSecond: number;
  postCommitMs: { p50: number; p99: number };
  /**
   * The pipeline's capacity, independent of the posting rate: `backlog.statuses` posts committed
   * while the worker was not running, then the time from the worker's readiness to the last one in
   * its feed (relay, JetStream, every consumer, fan-out), as feed rows per second.
   */
  backlog: { statuses: number; drainedMs: number; feedRowsPerSecond: number };
  /**
   * The worker process's CPU time (every consumer, the relay, NATS, logging) per post in the
   * steady phase: what the pipeline costs outside PostgreSQL, less sensitive to a busy machine
   * than the lags.
   */
  workerCpuMsPerPost: number;
  /**
   * Transactions committed in the benchmark's database per post in the steady phase (each one a
   * round trip, most a wait for the disk): the post's own, every consumer's, and the poller's
   * (about 50 a second, whatever the code).
   */
  transactionsPerPost: number;
  /**
   * The same-run reference: feed-shaped rows per second PostgreSQL inserts on this machine right
   * now with one hand-written `INSERT ... SELECT` (every author's followers once, no events, no
   * worker), the ceiling the pipeline's `feedRowsPerSecond` is to be read against.
   */
  referenceRowsPerSecond: number;
  /**
   * What the database did in each phase besides the measured work: checkpoints started, WAL
   * written, pages the backends wrote out themselves, and the fan-out's batches (their number,
   * posts per batch, database time each). A checkpoint during a phase explains a slow round: each
   * page's first change after it writes a full-page image, and the home feed's primary key is
   * touched at random.
   */
  database: { backlog: PhaseActivity; steady: PhaseActivity; withBig: PhaseActivity };
  /**
   * Second by second from each phase's first commit: posts committed and their lag, beside the
   * WAL written and the checkpoints (`timeline` in `database-activity.ts`).
   */
  timeline: { steady: string[]; withBig: string[] };
  /** Whether the run started the measured phases right after a checkpoint (needs superuser). */
  checkpointedFirst: boolean;
  /** `os.loadavg()` when the run ended: a shared machine skews every figure. */
  loadAverage: number[];
  /** Issue 15's fan-out goals, judged from the figures above. */
  goals: {
    /** The steady lag stays sub-second (p99 < 1 s) with every offered post committed (≥ 95 %). */
    keepsUp: boolean;
    /** Others' lag while the big post fans out exceeds `steadySameWindow`'s by < 1 s (p50, p99). */
    bigPostDelaysOthersUnder1s: boolean;
  };
}

/**
 * The reference: a copy of `home_feed_entries` (same columns, same primary key) filled with one
 * statement from the followers of every 1,000-follower author, a row per follower per author, as
 * one batch of 200 posts would be; best of three, each in a transaction rolled back (the run
 * vacuums the table first).
 */
async function referenceInsertRate(client: pg.Client, authorIds: string[]): Promise<number> {
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
  offeredPerSecond: number;
  commitMs: number[];
}> {
  const commits = new Map<string, { at: number; author: string }>();
  const commitMs: number[] = [];
  const poller = pollArrivals(client, setup);
  const arrivals = poller.arrivals;
  const total = Math.round(rate * seconds);
  const started = performance.now();
  let lastStart = started;
  const tasks: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    await untilDue(started, n, rate);
    const author =
      withBig && n === Math.round(rate) ? setup.bigAuthorId : setup.authorIds[n % AUTHORS]!;
    lastStart = performance.now();
    const postedAt = lastStart;
    tasks.push(
      createStatus(database, { accountId: author, text: `fan-out ${n}` }).then((s) => {
        commits.set(s.id, { at: Date.now(), author });
        poller.expect(s.id, author);
        commitMs.push(performance.now() - postedAt);
      }),
    );
  }
  const offeredPerSecond = Math.round(((total - 1) / ((lastStart - started) / 1000)) * 10) / 10;
  await Promise.allSettled(tasks);
  const deadline = Date.now() + 60_000;
  while (arrivals.size < commits.size && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await poller.stop();
  return { commits, arrivals, offeredPerSecond, commitMs };
}

/**
 * Watches for each expected status in its probe follower's feed (20 ms between polls), recording
 * when it first appears. Only the statuses still awaited are probed, each by its primary key: the
 * poller once read every entry of the phase in the probe feeds at every poll, a third of a core of
 * the database's two (9.9 s of database time in a 60 s run), taken from the fan-out it measured.
 */
function pollArrivals(client: pg.Client, setup: Setup) {
  const arrivals = new Map<string, number>();
  /** Status id → the probe follower whose feed it is awaited in. */
  const awaited = new Map<string, string>();
  let polling = true;
  const done = (async () => {
    while (polling) {
      if (awaited.size > 0) {
        const { rows } = await client.query<{ id: string }>(
          `select e.status_id::text as id from home_feed_entries e
           join unnest($1::bigint[], $2::bigint[]) w(account_id, status_id)
             on e.account_id = w.account_id and e.status_id = w.status_id`,
          [[...awaited.values()], [...awaited.keys()]],
        );
        const now = Date.now();
        for (const r of rows) {
          awaited.delete(r.id);
          if (!arrivals.has(r.id)) arrivals.set(r.id, now);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    arrivals,
    /** Starts watching for `statusId` (by `authorId`), once it has committed. */
    expect: (statusId: string, authorId: string) => {
      if (!arrivals.has(statusId)) awaited.set(statusId, setup.probes.get(authorId)!);
    },
    stop: async () => {
      polling = false;
      await done;
    },
  };
}

/**
 * The pipeline's capacity: `statuses` posts (a few per author) committed before the worker runs,
 * then the worker started and timed until the last of them is in its feed.
 */
async function runBacklog(
  database: ReturnType<typeof createDatabase>,
  client: pg.Client,
  setup: Setup,
  statuses: number,
  startWorker: () => Promise<unknown>,
): Promise<FanOutResult['backlog']> {
  const ids = new Set<string>();
  const poller = pollArrivals(client, setup);
  for (let n = 0; n < statuses; n += 50) {
    const posts = Array.from({ length: Math.min(50, statuses - n) }, async (_, k) => {
      const accountId = setup.authorIds[(n + k) % AUTHORS]!;
      const status = await createStatus(database, { accountId, text: `backlog ${n + k}` });
      ids.add(status.id);
      poller.expect(status.id, accountId);
    });
    await Promise.all(posts);
  }
  await startWorker();
  // From readiness: the worker's start-up (seconds from source on a busy machine) is not capacity.
  const started = Date.now();
  const deadline = Date.now() + 180_000;
  while ([...ids].some((id) => !poller.arrivals.has(id)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await poller.stop();
  const last = Math.max(...[...ids].map((id) => poller.arrivals.get(id) ?? Number.NaN));
  const drainedMs = last - started;
  return {
    statuses,
    drainedMs,
    feedRowsPerSecond: Math.round((statuses * FOLLOWERS_EACH) / (drainedMs / 1000)),
  };
}

/** CPU time (user + system) a process has used, in ms (Linux: /proc, 100 ticks per second). */
async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Transactions committed in the connected database so far (statistics lag by up to a second). */
async function committedTransactions(client: pg.Client): Promise<number> {
  await client.query('select pg_stat_force_next_flush()');
  const { rows } = await client.query<{ n: string }>(
    `select xact_commit::text as n from pg_stat_database where datname = current_database()`,
  );
  return Number(rows[0]!.n);
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

function firstCommit(commits: Map<string, { at: number }>): number {
  return Math.min(...[...commits.values()].map((c) => c.at));
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
  let worker: Awaited<ReturnType<typeof startService>> | undefined;
  const startWorker = async () => {
    worker = await startService(
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
  };
  // Enough connections that 200 posts/s do not queue in the benchmark's pool while each post's
  // transaction waits for its commit (10 capped it at ~150/s on a loaded machine).
  const database = createDatabase({
    url: url.toString(),
    poolSize: 24,
    connectionTimeoutMs: 60_000,
    applicationName: 'murmur-bench',
  });
  let sampler: ReturnType<typeof sampleActivity> | undefined;
  try {
    // Every run starts at the same point of the checkpoint cycle. Where the next checkpoint fell
    // (every ~540 MB of WAL with max_wal_size = 1 GB; a run writes about 1.3 GB) used to depend on
    // what the runs before had written, and decided whether the steady phase met one. From here,
    // the reference and the backlog write ~460 MB, so with that setting the steady phase meets a
    // checkpoint a few seconds in, and the big phase another, every run, as a server at this rate
    // would every ~15 s (`timeline` shows where).
    const checkpointedFirst = await client.query('checkpoint').then(
      () => true,
      () => false,
    );
    const referenceRowsPerSecond = await referenceInsertRate(client, setup.authorIds);
    const statements = await enableStatementStatistics(client);
    sampler = sampleActivity(async () => {
      const own = new pg.Client({ connectionString: url.toString() });
      await own.connect();
      return own;
    });
    const atStart = await activitySnapshot(client, statements);
    // Also the worker's warm-up: the steady phase starts with its pools and code paths warm.
    const backlog = await runBacklog(database, client, setup, BACKLOG_STATUSES, startWorker);
    const afterBacklog = await activitySnapshot(client, statements);
    const steadyStart = Date.now();
    const workerCpuBefore = await processCpuMs(worker!.pid);
    const commitsBefore = await committedTransactions(client);
    const steady = await runPhase(database, client, setup, options.rate, options.seconds, false);
    const workerCpuMs = (await processCpuMs(worker!.pid)) - workerCpuBefore;
    const transactions = (await committedTransactions(client)) - commitsBefore;
    const afterSteady = await activitySnapshot(client, statements);
    const steadySeconds = (Math.max(...steady.arrivals.values()) - steadyStart) / 1000;
    const withBig = await runPhase(database, client, setup, options.rate, options.seconds, true);
    const afterBig = await activitySnapshot(client, statements);
    const samples = sampler.samples;
    await sampler.stop();
    sampler = undefined;
    const lagged = (run: typeof steady) =>
      [...run.commits].map(([id, c]) => ({
        at: c.at,
        lagMs: run.arrivals.has(id) ? run.arrivals.get(id)! - c.at : undefined,
      }));
    const bigId = [...withBig.commits].find(([, c]) => c.author === setup.bigAuthorId)![0];
    const bigCommit = withBig.commits.get(bigId)!.at;
    const bigDone = withBig.arrivals.get(bigId) ?? Number.NaN;
    const steadyPhase = phase(steady.commits, steady.arrivals, () => true);
    const duringBig = phase(
      withBig.commits,
      withBig.arrivals,
      (id, c) => id !== bigId && c.at >= bigCommit && c.at <= bigDone,
    );
    const offset = bigCommit - firstCommit(withBig.commits);
    const windowStart = firstCommit(steady.commits) + offset;
    const steadySameWindow = phase(
      steady.commits,
      steady.arrivals,
      (_id, c) => c.at >= windowStart && c.at <= windowStart + (bigDone - bigCommit),
    );
    const committedPostsPerSecond = commitRate(steady.commits);
    return {
      ratePerSecond: options.rate,
      steady: steadyPhase,
      duringBig,
      steadySameWindow,
      bigFanOutMs: bigDone - bigCommit,
      feedRowsPerSecond: Math.round((steady.commits.size * FOLLOWERS_EACH) / steadySeconds),
      offeredPostsPerSecond: steady.offeredPerSecond,
      committedPostsPerSecond,
      postCommitMs: (({ p50, p99 }) => ({ p50, p99 }))(summarize(steady.commitMs)),
      backlog,
      workerCpuMsPerPost: Math.round((workerCpuMs / steady.commits.size) * 100) / 100,
      transactionsPerPost: Math.round((transactions / steady.commits.size) * 10) / 10,
      referenceRowsPerSecond,
      database: {
        backlog: activityBetween(atStart, afterBacklog),
        steady: activityBetween(afterBacklog, afterSteady),
        withBig: activityBetween(afterSteady, afterBig),
      },
      timeline: {
        steady: timeline(lagged(steady), samples),
        withBig: timeline(lagged(withBig), samples),
      },
      checkpointedFirst,
      loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
      goals: {
        keepsUp:
          steadyPhase.missing === 0 &&
          steadyPhase.p99Ms < 1_000 &&
          committedPostsPerSecond >= 0.95 * options.rate,
        bigPostDelaysOthersUnder1s:
          duringBig.missing === 0 &&
          duringBig.p50Ms - steadySameWindow.p50Ms < 1_000 &&
          duringBig.p99Ms - steadySameWindow.p99Ms < 1_000,
      },
    };
  } finally {
    await sampler?.stop();
    await database.close();
    await worker?.stop();
    const nc = await connect({ servers: options.natsUrl, name: 'murmur-bench' });
    await (await jetstreamManager(nc)).streams.delete(streamName).catch(() => false);
    await nc.close();
    // Leave the accounts and follows for the next run; drop what this run wrote. The feed rows are
    // truncated, not deleted: deleting 5 million rows wrote 540 MB of WAL, which brought the next
    // round's first checkpoint forward into its measurement.
    await client.query(`truncate home_feed_entries`);
    await client.query(`delete from statuses`);
    await client.query(`delete from outbox_events`);
    await client.query(`delete from processed_events`);
    await client.query(`update accounts set statuses_count = 0 where statuses_count <> 0`);
    await client.query(
      `vacuum analyze accounts, statuses, home_feed_entries, outbox_events, processed_events`,
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
