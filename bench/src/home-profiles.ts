/**
 * Home timelines per reader profile (issue 15): readers following 10 to 20,000 accounts, chosen
 * among the busiest, at random, or the quietest, on a benchmark dataset.
 * For each profile: the page statement the home timeline ran before the feeds (`scan`, a backwards
 * scan of statuses semi-joined with the follow list), the reference's best hand-written pull
 * statement (`reference`), and the service's page from its precomputed feed (`feed`): execution
 * time and rows read (EXPLAIN ANALYZE), plus the service's whole page (hydrated) as the API reads
 * it, and the first read that builds the feed. Then the home page over HTTP per profile, the API
 * beside the reference server's busy-1,000 page: the throughput issue 15's goal is stated in.
 *
 *   pnpm --filter @murmur/bench home-profiles --sizes 10000,100000,1000000
 */
import { createDatabase, migrateDatabase, type Database } from '@murmur/db';
import { issueAccessToken, registerApplication } from '@murmur/db/auth';
import { explainHomePage, homeTimeline } from '@murmur/db/timelines';
import { mkdtemp } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ensureDataset } from './dataset.js';
import { measureLoad } from './load.js';
import { parseArguments, type BenchOptions } from './options.js';
import { HOME_PAGE_IDS } from './reference/queries.js';
import type { LoadMeasurement } from './report.js';
import { asReaders } from './scenarios/home-timeline.js';
import { startReference, startService, type RunningProcess } from './services.js';

export const PROFILE_FOLLOWS = [10, 100, 1_000, 5_000, 20_000] as const;
export const PROFILE_KINDS = ['busy', 'random', 'quiet'] as const;
type Kind = (typeof PROFILE_KINDS)[number];
const PAGE = 20;

interface Profile {
  name: string;
  kind: Kind;
  follows: number;
  /** The profile's first reader: the one the database measurements use. */
  readerId: string;
  /**
   * Every reader of the profile, each following the same accounts. The HTTP phase spreads its
   * requests over them: one account alone would meet the API's per-account rate limit (1,500
   * requests in 5 minutes, as Mastodon's) within seconds.
   */
  readerIds: string[];
}

/**
 * Readers per profile, each with TOKENS_PER_READER tokens: 60,000 requests per 5 minutes in all.
 * An empty page (a quiet reader's) is answered at over 2,000 requests per second: with ten
 * readers, two thirds of a phase's requests were refused by the rate limit and the profile went
 * unmeasured.
 */
const READERS_PER_PROFILE = 40;
const TOKENS_PER_READER = 5;

const ORDER: Record<Kind, string> = {
  busy: 'statuses_count desc, id',
  random: "md5(id::text || 'bench')",
  quiet: 'statuses_count asc, id',
};

/**
 * Adds READERS_PER_PROFILE readers per profile to the dataset (once; a marker table remembers
 * them, and a dataset made with fewer gains the missing ones): each follows the profile's accounts.
 */
async function ensureProfiles(client: pg.Client): Promise<Profile[]> {
  await client.query(`create table if not exists bench_home_profile_readers (
    name text not null, reader int not null, kind text not null, follows int not null,
    reader_id bigint not null, primary key (name, reader))`);
  const { rows: accounts } = await client.query<{ n: number }>(
    `select count(*)::int as n from accounts where username ~ '^user[0-9]+$'`,
  );
  const available = accounts[0]!.n;
  for (const kind of PROFILE_KINDS) {
    for (const wanted of PROFILE_FOLLOWS) {
      const follows = Math.min(wanted, available);
      const name = `${kind}_${wanted}`;
      const { rows: existing } = await client.query<{ n: number }>(
        `select count(*)::int as n from bench_home_profile_readers where name = $1`,
        [name],
      );
      await client.query('begin');
      for (let reader = existing[0]!.n; reader < READERS_PER_PROFILE; reader++) {
        const { rows } = await client.query<{ id: string }>(
          `insert into accounts (username, email, password_hash, following_count)
           values ($1, $1 || '@bench.invalid', 'x', $2) returning id::text`,
          [`profile_${name}_${reader}`, follows],
        );
        await client.query(
          `with targets as (select id from accounts where username ~ '^user[0-9]+$'
             order by ${ORDER[kind]} limit $2),
           inserted as (insert into follows (account_id, target_account_id)
             select $1, id from targets returning target_account_id)
           update accounts a set followers_count = followers_count + 1
           from inserted i where a.id = i.target_account_id`,
          [rows[0]!.id, follows],
        );
        await client.query(
          `insert into bench_home_profile_readers (name, reader, kind, follows, reader_id)
           values ($1, $2, $3, $4, $5)`,
          [name, reader, kind, follows, rows[0]!.id],
        );
      }
      await client.query('commit');
    }
  }
  await client.query('analyze follows, accounts');
  const { rows } = await client.query<{
    name: string;
    kind: Kind;
    follows: number;
    reader_ids: string[];
  }>(`select name, kind, follows, array_agg(reader_id::text order by reader) as reader_ids
      from bench_home_profile_readers group by name, kind, follows`);
  return rows
    .map((r) => ({
      name: r.name,
      kind: r.kind,
      follows: r.follows,
      readerId: r.reader_ids[0]!,
      readerIds: r.reader_ids,
    }))
    .sort(
      (a, b) =>
        PROFILE_KINDS.indexOf(a.kind) - PROFILE_KINDS.indexOf(b.kind) || a.follows - b.follows,
    );
}

/** The home page's id statement before the feeds (issue 15). */
const SCAN_PAGE_IDS = (reader: string, limit: number) => `
  select s.id from statuses s
  where s.deleted_at is null and s.visibility <> 'direct'
    and s.account_id in (select f.target_account_id from follows f where f.account_id = ${reader}
      union all select ${reader}::bigint)
  order by s.id desc limit ${limit}`;

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

interface Explained {
  /** Best execution time of `runs` (PostgreSQL's own clock: no network, no client). */
  ms: number;
  rowsRead: number;
}

function rowsRead(node: PlanNode): number {
  const own =
    node['Relation Name'] === 'statuses' || node['Relation Name'] === 'home_feed_entries'
      ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops']
      : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsRead(child), 0);
}

function explained(plans: { Plan: PlanNode; 'Execution Time': number }[][]): Explained {
  return {
    ms: Math.min(...plans.map((p) => p[0]!['Execution Time'])),
    rowsRead: rowsRead(plans[0]![0]!.Plan),
  };
}

/**
 * EXPLAIN ANALYZE without per-node timing (`timing off`): the execution time is still measured,
 * once for the whole statement, and the rows each node read are still counted. With timing on, two
 * clock reads per row per node made the scans up to three times slower than they run (quiet-10:
 * 149 ms against 46 at 100k, 1,152 against 643 at 1M); the sub-millisecond pages moved within
 * their noise (bench README, session 11).
 */
async function explainSql(client: pg.Client, text: string, runs: number): Promise<Explained> {
  const plans = [];
  for (let i = 0; i < runs; i++) {
    const { rows } = await client.query<{
      'QUERY PLAN': { Plan: PlanNode; 'Execution Time': number }[];
    }>(`explain (analyze, timing off, format json) ${text}`);
    plans.push(rows[0]!['QUERY PLAN']);
  }
  return explained(plans);
}

async function explainFeed(database: Database, readerId: string, runs: number): Promise<Explained> {
  const plans = [];
  for (let i = 0; i < runs; i++) {
    plans.push(
      (await explainHomePage(database.primary, readerId, { limit: PAGE })) as {
        Plan: PlanNode;
        'Execution Time': number;
      }[],
    );
  }
  return explained(plans);
}

async function wallMs(work: () => Promise<unknown>, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

export interface ProfileResult {
  size: number;
  profile: string;
  follows: number;
  readerIds: string[];
  scan: Explained;
  reference: Explained;
  feed: Explained;
  /** The first read: the feed is built from the pull query, then the page read (wall time). */
  buildMs: number;
  /** The whole hydrated page through `homeTimeline`, median wall time in this process. */
  pageMs: number;
}

export async function measureHomeProfiles(
  url: string,
  size: number,
  runs: number,
  log: (line: string) => void,
): Promise<ProfileResult[]> {
  // Without JIT, as the services' pools run (see @murmur/db's client): compiling a statement costed
  // for its unexecuted fallback branches took longer than running it.
  const client = new pg.Client({ connectionString: url, options: '-c jit=off' });
  await client.connect();
  const database = createDatabase({ url, poolSize: 2, applicationName: 'murmur-bench' });
  const results: ProfileResult[] = [];
  try {
    const profiles = await ensureProfiles(client);
    // Every profile's feeds are rebuilt from scratch, so the build is measured too.
    await client.query(`delete from home_feed_state where account_id = any($1::bigint[])`, [
      profiles.flatMap((p) => p.readerIds),
    ]);
    // First reads build every profile's feed; the feed table is then analyzed, as autovacuum would
    // have done on a server in use (a table filled seconds ago has no statistics yet).
    const buildMs = new Map<string, number>();
    for (const profile of profiles) {
      buildMs.set(
        profile.name,
        await wallMs(() => homeTimeline(database, profile.readerId, { limit: PAGE }), 1),
      );
    }
    await client.query('analyze home_feed_entries, home_feed_state');
    for (const profile of profiles) {
      const reader = `${profile.readerId}::bigint`;
      const scan = await explainSql(client, SCAN_PAGE_IDS(reader, PAGE), runs);
      const reference = await explainSql(client, HOME_PAGE_IDS(reader, PAGE), runs);
      const feed = await explainFeed(database, profile.readerId, runs);
      const pageMs = await wallMs(
        () => homeTimeline(database, profile.readerId, { limit: PAGE }),
        runs * 4,
      );
      const result = {
        size,
        profile: profile.name,
        follows: profile.follows,
        readerIds: profile.readerIds,
        scan,
        reference,
        feed,
        buildMs: buildMs.get(profile.name)!,
        pageMs,
      };
      results.push(result);
      log(
        `${size} ${profile.name} (${profile.follows}): scan ${scan.ms.toFixed(2)} ms/${scan.rowsRead} rows, ` +
          `reference ${reference.ms.toFixed(2)} ms/${reference.rowsRead}, feed ${feed.ms.toFixed(2)} ms/${feed.rowsRead}, ` +
          `page ${pageMs.toFixed(2)} ms, build ${result.buildMs.toFixed(0)} ms`,
      );
    }
  } finally {
    await database.close();
    await client.end();
  }
  return results;
}

/** One size's HTTP phase: each profile's home page through the API, and the reference's best case. */
export interface SizeThroughput {
  size: number;
  /** The API's `GET /api/v1/timelines/home?limit=20` per profile, closed loop. */
  api: Map<string, LoadMeasurement>;
  /** The reference server's home page for the busy-1,000 readers, before and after the profiles. */
  referenceBest: LoadMeasurement[];
}

/**
 * The home page's throughput per profile, as issue 15 states its goal: requests per second of the
 * API's home timeline (the deployable, over HTTP: token, page, hydration, JSON) for each profile's
 * readers, beside the reference server's home page for the busy-1,000 readers (its best case),
 * measured before and after the profiles so that a drift of the machine shows. Closed loop with
 * `--connections`, `--warmup` and `--duration` as the HTTP scenarios. Every reader's feed is built
 * first (the first read's cost is `buildMs`, not throughput); the dataset's rate-limit counters
 * are cleared, and the requests rotate over the profile's readers and their tokens.
 */
export async function measureHomeThroughput(
  url: string,
  size: number,
  results: readonly ProfileResult[],
  options: BenchOptions,
  log: (line: string) => void,
): Promise<SizeThroughput> {
  const profiles = results.filter((r) => r.size === size);
  const database = createDatabase({ url, poolSize: 2, applicationName: 'murmur-bench' });
  const tokens = new Map<string, string[]>();
  try {
    const { application } = await registerApplication(database, {
      name: 'Murmur bench home profiles',
      redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
      scopes: ['read'],
    });
    for (const profile of profiles) {
      const issued: string[] = [];
      for (const readerId of profile.readerIds) {
        await homeTimeline(database, readerId, { limit: PAGE });
        for (let i = 0; i < TOKENS_PER_READER; i++) {
          const { accessToken } = await issueAccessToken(database, {
            applicationId: application.id,
            accountId: readerId,
            scopes: ['read'],
          });
          issued.push(accessToken);
        }
      }
      tokens.set(profile.profile, issued);
    }
    await database.pool.query('delete from rate_limit_counters');
  } finally {
    await database.close();
  }
  const logDirectory = await mkdtemp(join(tmpdir(), 'murmur-home-profiles-'));
  const environment = { databaseUrl: url, natsUrl: options.natsUrl, logLevel: options.logLevel };
  const running: RunningProcess[] = [];
  try {
    const api = await startService('api', options.mode, environment, logDirectory);
    running.push(api);
    const reference = await startReference(url, logDirectory);
    running.push(reference);
    const load = (origin: string, path: string, readerTokens: string[]) =>
      measureLoad({
        origin,
        requests: [asReaders(path, readerTokens)],
        connections: options.connections,
        duration: options.duration,
        warmup: options.warmup,
        rate: 0,
      });
    const busy = tokens.get('busy_1000')!;
    const referenceBest = [await load(reference.origin, '/ref/timelines/home?limit=20', busy)];
    log(`${size} reference busy_1000: ${describe(referenceBest[0]!)}`);
    const measured = new Map<string, LoadMeasurement>();
    for (const profile of profiles) {
      const result = await load(
        api.origin,
        '/api/v1/timelines/home?limit=20',
        tokens.get(profile.profile)!,
      );
      measured.set(profile.profile, result);
      log(`${size} ${profile.profile}: API ${describe(result)}`);
    }
    referenceBest.push(await load(reference.origin, '/ref/timelines/home?limit=20', busy));
    log(`${size} reference busy_1000 again: ${describe(referenceBest[1]!)}`);
    return { size, api: measured, referenceBest };
  } finally {
    for (const process of running.reverse()) await process.stop();
  }
}

function describe(run: LoadMeasurement): string {
  return (
    `${run.requestsPerSecond.toFixed(0)} req/s, p50 ${run.latencyP50Ms} ms, p99 ${run.latencyP99Ms} ms` +
    (run.non2xx + run.errors > 0 ? `, ${run.non2xx} non-2xx, ${run.errors} errors` : '')
  );
}

/** Issue 15's goals for every profile and size. */
export const PROFILE_GOALS = {
  /** The home page's throughput, as a share of the reference's busy-1,000 page at the same size. */
  minShareOfReferenceBest: 0.7,
  /** Database time of one page. */
  maxPageMs: 5,
} as const;

/**
 * The reference's best case at each size, at the database: its page for the reader following the
 * 1,000 busiest accounts (issue 15). Throughput at the database is the inverse of database time,
 * so a profile's share there is reference ms / feed ms.
 */
function referenceBestMs(results: readonly ProfileResult[]): Map<number, number> {
  return new Map(
    results.filter((r) => r.profile === 'busy_1000').map((r) => [r.size, r.reference.ms]),
  );
}

/** The profile's share of the reference's best requests per second (the better of its two runs). */
function httpShare(throughput: SizeThroughput | undefined, profile: string): number {
  const api = throughput?.api.get(profile);
  if (!throughput || !api || api.non2xx + api.errors > 0) return Number.NaN;
  const best = Math.max(...throughput.referenceBest.map((run) => run.requestsPerSecond));
  return api.requestsPerSecond / best;
}

const percent = (share: number) => (Number.isNaN(share) ? 'n/a' : `${Math.round(share * 100)} %`);

/**
 * One row per profile and size. The goal is judged on HTTP throughput (the API's requests per
 * second against the reference server's busy-1,000 page), and on database time; the database
 * share beside it says how the page statement alone compares.
 */
export function profilesTable(
  results: readonly ProfileResult[],
  throughputs: readonly SizeThroughput[],
): string {
  const best = referenceBestMs(results);
  const lines = [
    '| size | profile | follows | scan ms | scan rows | reference ms | reference rows | feed ms | feed rows | at the database vs reference busy-1,000 | API req/s (p99 ms) | vs reference busy-1,000 req/s | goal (≥ 70 % req/s, ≤ 5 ms) | page ms (hydrated) | first read (build) ms |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: | ---: |',
  ];
  let failures = 0;
  for (const r of results) {
    const referenceMs = best.get(r.size);
    const databaseShare = referenceMs === undefined ? Number.NaN : referenceMs / r.feed.ms;
    const throughput = throughputs.find((t) => t.size === r.size);
    const api = throughput?.api.get(r.profile);
    const share = httpShare(throughput, r.profile);
    const met =
      share >= PROFILE_GOALS.minShareOfReferenceBest && r.feed.ms <= PROFILE_GOALS.maxPageMs;
    if (!met) failures++;
    const requests = api
      ? `${api.requestsPerSecond.toFixed(0)} (${api.latencyP99Ms})` +
        (api.non2xx + api.errors > 0 ? `, ${api.non2xx + api.errors} failed` : '')
      : 'n/a';
    lines.push(
      `| ${r.size} | ${r.profile} | ${r.follows} | ${r.scan.ms.toFixed(2)} | ${r.scan.rowsRead} | ` +
        `${r.reference.ms.toFixed(2)} | ${r.reference.rowsRead} | ${r.feed.ms.toFixed(2)} | ${r.feed.rowsRead} | ` +
        `${percent(databaseShare)} | ${requests} | ${percent(share)} | ${met ? 'met' : '**missed**'} | ` +
        `${r.pageMs.toFixed(2)} | ${r.buildMs.toFixed(0)} |`,
    );
  }
  const references = throughputs.map(
    (t) =>
      `${t.size}: ${t.referenceBest.map((run) => run.requestsPerSecond.toFixed(0)).join(' and ')} req/s`,
  );
  lines.push(
    '',
    `Reference busy-1,000 home page, before and after the profiles: ${references.join('; ') || 'not measured'}.`,
    `Goals met by ${results.length - failures} of ${results.length} profile × size rows ` +
      `(the API's home page ≥ ${PROFILE_GOALS.minShareOfReferenceBest * 100} % of the reference's best busy-1,000 requests per second at the same size, ` +
      `≤ ${PROFILE_GOALS.maxPageMs} ms of database time).`,
  );
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options = parseArguments(process.argv.slice(2), process.env);
  const all: ProfileResult[] = [];
  const throughputs: SizeThroughput[] = [];
  for (const statuses of options.sizes) {
    // Its own databases: the profiles are added to the dataset, and the feeds need the project's
    // newest migrations, applied here to a dataset that was loaded before them.
    const { url } = await ensureDataset({
      baseUrl: options.databaseUrl,
      statuses,
      rebuild: options.rebuild,
      prefix: 'murmur_bench_feeds',
      log: (message) => console.log(`[dataset ${statuses}] ${message}`),
    });
    await migrateDatabase(url);
    const measured = await measureHomeProfiles(url, statuses, 5, (line) => console.log(line));
    all.push(...measured);
    throughputs.push(
      await measureHomeThroughput(url, statuses, measured, options, (line) => console.log(line)),
    );
  }
  console.log(`\n${profilesTable(all, throughputs)}`);
  // A shared machine skews every figure: say how busy it was.
  console.log(
    `load average at the end: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(', ')}`,
  );
}
