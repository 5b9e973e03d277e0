/**
 * The benchmark dataset: accounts with a skewed (Zipf) follow graph and activity, reader accounts that
 * each follow 1,000 accounts, statuses spread over a year with replies, a deep thread, mentions,
 * hashtags and favourites, and every denormalized counter consistent with the rows. Generated
 * deterministically from a seed, loaded with `COPY ... FROM STDIN` into a database migrated with the
 * project's own migrations.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDatabase, createDatabaseIfMissing, migrateDatabase } from '@murmur/db';
import { issueAccessToken, registerApplication } from '@murmur/db/auth';
import bcrypt from 'bcrypt';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { randomInt, seededRandom, ZipfSampler, type Random } from './random.js';
import { snowflakeAt } from './snowflake.js';

/** Bump when the generated data changes shape, so old databases are rebuilt. */
export const GENERATOR_VERSION = 4;
export const BENCH_PASSWORD = 'bench-password-correct-horse';
export const READER_FOLLOWS = 1_000;
const DAY = 86_400_000;

export interface DatasetOptions {
  statuses: number;
  seed?: number;
  /** Accounts with a token that read the home timeline (each follows the same 1,000 accounts). */
  readers?: number;
  /** Accounts with a token that create statuses (spread so per-account rate limits are not the bottleneck). */
  posters?: number;
  /** The end of the generated history (statuses end one hour before). */
  now?: number;
}

/** What the scenarios need to know about a loaded dataset; stored in the `bench_dataset` marker table. */
export interface DatasetInfo {
  generatorVersion: number;
  statuses: number;
  accounts: number;
  seed: number;
  busyAccountId: string;
  busyAccountStatuses: number;
  threadStatusId: string;
  readerAccountIds: string[];
  readerTokens: string[];
  posterAccountIds: string[];
  posterTokens: string[];
  /** Two usernames the created statuses mention. */
  mentionUsernames: [string, string];
  hashtag: string;
  /** The newest generated status: anything above it was created by a benchmark run. */
  maxStatusId: string;
  /** Public statuses (not by a poster) the `favourite` scenario favourites, newest first. */
  favouriteTargetIds: string[];
  password: string;
  loadSeconds: number;
}

/** How many ordinary accounts a dataset of `statuses` statuses has (always more than a reader follows). */
export function accountCountFor(statuses: number): number {
  return Math.min(20_000, Math.max(READER_FOLLOWS + 200, Math.round(statuses / 50)));
}

/** Hands out unique, increasing snowflake ids for times that may repeat or go backwards. */
export class IdClock {
  private lastMs = -1;
  private sequence = 0;

  next(ms: number): string {
    if (ms > this.lastMs) {
      this.lastMs = ms;
      this.sequence = 0;
    } else if (++this.sequence > 0xffff) {
      this.lastMs++;
      this.sequence = 0;
    }
    return snowflakeAt(this.lastMs, this.sequence);
  }
}

export interface DatasetPlan {
  seed: number;
  accounts: number;
  readers: number;
  statuses: number;
  accountIds: string[];
  accountCreatedMs: Float64Array;
  /** Follow edges: follower index, target index, time. */
  followFrom: Int32Array;
  followTo: Int32Array;
  followMs: Float64Array;
  statusIds: string[];
  statusMs: Float64Array;
  author: Int32Array;
  /** Index of the replied-to status, or -1. */
  parent: Int32Array;
  /** 0 public, 1 unlisted, 2 private. */
  visibility: Uint8Array;
  /** Up to two mentioned account indexes per status (-1 = none). */
  mention: Int32Array;
  /** Up to two tag indexes per status (-1 = none). */
  tag: Int32Array;
  favourites: Uint8Array;
  tagCount: number;
  statusesCount: Int32Array;
  followersCount: Int32Array;
  followingCount: Int32Array;
  lastStatusMs: Float64Array;
  repliesCount: Int32Array;
  threadStatus: number;
  readerFollowTargets: number[];
}

const VISIBILITY_NAMES = ['public', 'unlisted', 'private'] as const;

/** Generates every row's numbers (not the text) from the seed. Pure and deterministic. */
export function planDataset(options: DatasetOptions): DatasetPlan {
  const seed = options.seed ?? 42;
  const statuses = options.statuses;
  if (statuses < 200) throw new RangeError('a dataset needs at least 200 statuses');
  const random = seededRandom(seed);
  const accounts = accountCountFor(statuses);
  const readers = options.readers ?? 100;
  const total = accounts + readers;
  const end = (options.now ?? Date.now()) - 3_600_000;
  const start = end - 365 * DAY;
  const accountsStart = start - 60 * DAY;

  const ids = new IdClock();
  const accountCreatedMs = new Float64Array(total);
  const accountIds: string[] = [];
  for (let a = 0; a < total; a++) {
    accountCreatedMs[a] = accountsStart + Math.floor((a * 30 * DAY) / total);
    accountIds.push(ids.next(accountCreatedMs[a]!));
  }

  // Who is popular (followed, mentioned) and who is active (posts) follow the same ranks: account 0 is
  // both the most followed and the busiest, as on real servers.
  const popularity = new ZipfSampler(accounts, 1.1, random);
  const activity = new ZipfSampler(accounts, 1.0, random);
  const followersCount = new Int32Array(total);
  const followingCount = new Int32Array(total);
  const from: number[] = [];
  const to: number[] = [];
  const addFollow = (follower: number, target: number) => {
    from.push(follower);
    to.push(target);
    followingCount[follower]!++;
    followersCount[target]!++;
  };
  for (let a = 0; a < accounts; a++) {
    const wanted = 5 + randomInt(random, 40);
    const targets = new Set<number>();
    for (let attempt = 0; attempt < wanted * 3 && targets.size < wanted; attempt++) {
      const target = popularity.sample();
      if (target !== a) targets.add(target);
    }
    for (const target of targets) addFollow(a, target);
  }
  // The readers follow the same 1,000 accounts: the 200 most popular and 800 others at random.
  const readerTargets = new Set<number>();
  for (let a = 0; a < 200; a++) readerTargets.add(a);
  while (readerTargets.size < READER_FOLLOWS) readerTargets.add(randomInt(random, accounts));
  const readerFollowTargets = [...readerTargets];
  for (let r = accounts; r < total; r++)
    for (const target of readerFollowTargets) addFollow(r, target);
  const followFrom = Int32Array.from(from);
  const followTo = Int32Array.from(to);
  const followMs = new Float64Array(followFrom.length);
  for (let f = 0; f < followFrom.length; f++) {
    const follower = followFrom[f]!;
    followMs[f] = accountCreatedMs[follower]! + 1_000 + randomInt(random, 20 * DAY);
  }

  const tagCount = Math.min(500, Math.max(20, Math.round(statuses / 200)));
  const tagSampler = new ZipfSampler(tagCount, 1.0, random);
  const statusMs = new Float64Array(statuses);
  const author = new Int32Array(statuses);
  const parent = new Int32Array(statuses).fill(-1);
  const visibility = new Uint8Array(statuses);
  const mention = new Int32Array(statuses * 2).fill(-1);
  const tag = new Int32Array(statuses * 2).fill(-1);
  const favourites = new Uint8Array(statuses);
  const step = (end - start) / statuses;
  for (let i = 0; i < statuses; i++) {
    statusMs[i] = start + Math.floor(i * step);
    author[i] = activity.sample();
    const v = random();
    visibility[i] = v < 0.92 ? 0 : v < 0.97 ? 1 : 2;
    if (i > 0 && random() < 0.15) parent[i] = i - 1 - randomInt(random, Math.min(i, 5_000));
    if (random() < 0.3) {
      mention[i * 2] = popularity.sample();
      if (random() < 0.5) mention[i * 2 + 1] = popularity.sample();
      if (mention[i * 2 + 1] === mention[i * 2]) mention[i * 2 + 1] = -1;
    }
    if (random() < 0.25) {
      tag[i * 2] = tagSampler.sample();
      if (random() < 0.4) tag[i * 2 + 1] = tagSampler.sample();
      if (tag[i * 2 + 1] === tag[i * 2]) tag[i * 2 + 1] = -1;
    }
    if (random() < 0.3) favourites[i] = 1 + randomInt(random, 6);
  }

  // One deep, public thread: a chain of 20 replies under a root, then 40 replies branching off it.
  const root = Math.min(Math.floor(statuses / 2), statuses - 61);
  visibility[root] = 0;
  parent[root] = -1;
  const members: number[] = [];
  for (let k = 0; k < 60; k++) {
    const index = root + 1 + k;
    members.push(index);
    parent[index] = k === 0 ? root : k < 20 ? members[k - 1]! : members[randomInt(random, 20)]!;
    visibility[index] = 0;
  }

  const statusesCount = new Int32Array(total);
  const lastStatusMs = new Float64Array(total);
  const repliesCount = new Int32Array(statuses);
  const clock = new IdClock();
  const statusIds: string[] = [];
  for (let i = 0; i < statuses; i++) {
    statusIds.push(clock.next(statusMs[i]!));
    const a = author[i]!;
    statusesCount[a]!++;
    lastStatusMs[a] = statusMs[i]!;
    if (parent[i]! >= 0) repliesCount[parent[i]!]!++;
  }

  return {
    seed,
    accounts,
    readers,
    statuses,
    accountIds,
    accountCreatedMs,
    followFrom,
    followTo,
    followMs,
    statusIds,
    statusMs,
    author,
    parent,
    visibility,
    mention,
    tag,
    favourites,
    tagCount,
    statusesCount,
    followersCount,
    followingCount,
    lastStatusMs,
    repliesCount,
    threadStatus: members[9]!,
    readerFollowTargets,
  };
}

export function usernameOf(plan: Pick<DatasetPlan, 'accounts'>, index: number): string {
  return index < plan.accounts ? `user${index}` : `reader${index - plan.accounts}`;
}

const WORDS = (
  'the a of to and in is it you that he was for on are with as his they be at one have this from ' +
  'or had by hot word but what some we can out other were all there when up use your how said an ' +
  'each she which do their time if will way about many then them write would like so these her long ' +
  'make thing see him two has look more day could go come did number sound no most people my over'
).split(' ');

function statusText(plan: DatasetPlan, i: number, random: Random): string {
  const parts: string[] = [];
  const words = 6 + randomInt(random, 24);
  for (let w = 0; w < words; w++) parts.push(WORDS[randomInt(random, WORDS.length)]!);
  for (const m of [plan.mention[i * 2]!, plan.mention[i * 2 + 1]!]) {
    if (m >= 0) parts.splice(randomInt(random, parts.length + 1), 0, `@${usernameOf(plan, m)}`);
  }
  for (const t of [plan.tag[i * 2]!, plan.tag[i * 2 + 1]!]) if (t >= 0) parts.push(`#Tag${t}`);
  return parts.join(' ');
}

/** A value for COPY's text format. */
export function copyValue(value: string | number | boolean | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function day(ms: number): string {
  return iso(ms).slice(0, 10);
}

/** Batches generated rows into chunks of about 256 kB for the COPY stream. */
function* chunked(rows: Iterable<(string | number | boolean | null)[]>): Generator<string> {
  let buffer = '';
  for (const row of rows) {
    buffer += row.map(copyValue).join('\t') + '\n';
    if (buffer.length > 256_000) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}

async function copyRows(
  client: pg.Client,
  table: string,
  columns: string[],
  rows: Iterable<(string | number | boolean | null)[]>,
): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(chunked(rows)), stream);
}

function* accountRows(plan: DatasetPlan, passwordHash: string) {
  for (let a = 0; a < plan.accountIds.length; a++) {
    const username = usernameOf(plan, a);
    yield [
      plan.accountIds[a]!,
      username,
      `${username}@bench.invalid`,
      passwordHash,
      a < plan.accounts ? `User ${a}` : `Reader ${a - plan.accounts}`,
      plan.statusesCount[a]!,
      plan.followersCount[a]!,
      plan.followingCount[a]!,
      plan.statusesCount[a]! > 0 ? day(plan.lastStatusMs[a]!) : null,
      iso(plan.accountCreatedMs[a]!),
    ];
  }
}

function* followRows(plan: DatasetPlan) {
  // Follow times repeat across followers, so ids come from a clock that keeps them unique.
  const order = Array.from(plan.followMs.keys()).sort(
    (x, y) => plan.followMs[x]! - plan.followMs[y]!,
  );
  const clock = new IdClock();
  for (const f of order) {
    const ms = plan.followMs[f]!;
    yield [
      clock.next(ms),
      plan.accountIds[plan.followFrom[f]!]!,
      plan.accountIds[plan.followTo[f]!]!,
      iso(ms),
    ];
  }
}

function* statusRows(plan: DatasetPlan) {
  const random = seededRandom(plan.seed ^ 0x5eed);
  for (let i = 0; i < plan.statuses; i++) {
    const p = plan.parent[i]!;
    yield [
      plan.statusIds[i]!,
      plan.accountIds[plan.author[i]!]!,
      statusText(plan, i, random),
      'en',
      VISIBILITY_NAMES[plan.visibility[i]!]!,
      p >= 0 ? plan.statusIds[p]! : null,
      p >= 0 ? plan.accountIds[plan.author[p]!]! : null,
      plan.repliesCount[i]!,
      plan.favourites[i]!,
      iso(plan.statusMs[i]!),
    ];
  }
}

function* mentionRows(plan: DatasetPlan) {
  for (let i = 0; i < plan.statuses; i++) {
    for (const m of [plan.mention[i * 2]!, plan.mention[i * 2 + 1]!]) {
      if (m >= 0) yield [plan.statusIds[i]!, plan.accountIds[m]!];
    }
  }
}

function tagIds(plan: DatasetPlan): string[] {
  const clock = new IdClock();
  const first = plan.statusMs[0]! - DAY;
  return Array.from({ length: plan.tagCount }, () => clock.next(first));
}

function* tagRows(plan: DatasetPlan, ids: string[]) {
  for (let t = 0; t < ids.length; t++)
    yield [ids[t]!, `tag${t}`, `Tag${t}`, iso(plan.statusMs[0]! - DAY)];
}

function* statusTagRows(plan: DatasetPlan, ids: string[]) {
  for (let i = 0; i < plan.statuses; i++) {
    for (const t of [plan.tag[i * 2]!, plan.tag[i * 2 + 1]!])
      if (t >= 0) yield [ids[t]!, plan.statusIds[i]!];
  }
}

/** Up to 2,000 of the newest public statuses whose authors are not posters (the favouriters). */
function favouriteTargets(plan: DatasetPlan, posters: Set<number>): string[] {
  const ids: string[] = [];
  for (let i = plan.statuses - 1; i >= 0 && ids.length < 2000; i--) {
    if (plan.visibility[i] === 0 && !posters.has(plan.author[i]!)) ids.push(plan.statusIds[i]!);
  }
  return ids;
}

function* favouriteRows(plan: DatasetPlan) {
  const random = seededRandom(plan.seed ^ 0xfa7);
  for (let i = 0; i < plan.statuses; i++) {
    const count = plan.favourites[i]!;
    if (count === 0) continue;
    const who = new Set<number>();
    while (who.size < count) who.add(randomInt(random, plan.accounts));
    // Favourites of one status share a millisecond (a minute after the status) and differ by sequence:
    // statuses are at least a millisecond apart, so the ids are unique.
    const ms = plan.statusMs[i]! + 60_000;
    let sequence = 0;
    for (const a of who)
      yield [snowflakeAt(ms, sequence++), plan.accountIds[a]!, plan.statusIds[i]!, iso(ms)];
  }
}

const LOADED_TABLES = [
  'accounts',
  'follows',
  'statuses',
  'mentions',
  'tags',
  'status_tags',
  'favourites',
];

/**
 * Secondary indexes are dropped before the load and rebuilt after it (a sorted build is much faster
 * than maintaining a GIN index row by row). Primary keys and constraint-backed indexes stay.
 */
async function dropSecondaryIndexes(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
       from pg_index i join pg_class t on t.oid = i.indrelid
      where t.relname = any($1) and t.relnamespace = 'public'::regnamespace
        and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`,
    [LOADED_TABLES],
  );
  for (const row of rows) await client.query(`DROP INDEX ${row.name}`);
  return rows.map((r) => r.definition);
}

/** The one bcrypt hash every account shares, made as @murmur/db makes them (SHA-256 pre-hash, cost 10). */
async function sharedPasswordHash(): Promise<string> {
  const prehash = createHash('sha256')
    .update(BENCH_PASSWORD.normalize('NFC'), 'utf8')
    .digest('base64');
  return bcrypt.hash(prehash, 10);
}

export function databaseUrlFor(baseUrl: string, statuses: number, prefix = 'murmur_bench'): string {
  const url = new URL(baseUrl);
  url.pathname = `/${prefix}_${statuses}`;
  return url.toString();
}

async function readMarker(url: string): Promise<DatasetInfo | null> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch {
    return null;
  }
  try {
    const { rows } = await client
      .query<{ info: DatasetInfo }>(
        `select info from bench_dataset where to_regclass('bench_dataset') is not null limit 1`,
      )
      .catch(() => ({ rows: [] as { info: DatasetInfo }[] }));
    return rows[0]?.info ?? null;
  } finally {
    await client.end();
  }
}

async function dropDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  const name = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export interface EnsureDatasetOptions extends DatasetOptions {
  baseUrl: string;
  /** Rebuild even when a matching dataset exists. */
  rebuild?: boolean;
  /** Database name prefix (default `murmur_bench`): `<prefix>_<statuses>`. */
  prefix?: string;
  log?: (message: string) => void;
}

/** Returns the dataset of this size, loading it first unless the marker says it is already there. */
export async function ensureDataset(
  options: EnsureDatasetOptions,
): Promise<{ url: string; info: DatasetInfo; reused: boolean }> {
  const log = options.log ?? (() => {});
  const url = databaseUrlFor(options.baseUrl, options.statuses, options.prefix);
  const existing = options.rebuild ? null : await readMarker(url);
  if (
    existing &&
    existing.generatorVersion === GENERATOR_VERSION &&
    existing.statuses === options.statuses &&
    existing.seed === (options.seed ?? 42)
  ) {
    // The data stays; the schema follows the code (migrations only add), or a reused dataset from
    // an older schema would make every request that reads a new column fail.
    await migrateDatabase(url);
    return { url, info: existing, reused: true };
  }
  await dropDatabase(url);
  await createDatabaseIfMissing(url);
  await migrateDatabase(url);
  const info = await loadDataset(url, options, log);
  return { url, info, reused: false };
}

async function loadDataset(
  url: string,
  options: DatasetOptions,
  log: (message: string) => void,
): Promise<DatasetInfo> {
  const started = performance.now();
  const plan = planDataset(options);
  log(
    `planned ${plan.accounts + plan.readers} accounts, ${plan.followFrom.length} follows, ${plan.statuses} statuses`,
  );
  const passwordHash = await sharedPasswordHash();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Foreign keys are not checked row by row during the load (the data is consistent by
    // construction); secondary indexes are rebuilt afterwards.
    await client.query(`SET session_replication_role = replica`);
    await client.query(`SET synchronous_commit = off`);
    await client.query(`SET maintenance_work_mem = '256MB'`);
    const indexes = await dropSecondaryIndexes(client);
    await copyRows(
      client,
      'accounts',
      [
        'id',
        'username',
        'email',
        'password_hash',
        'display_name',
        'statuses_count',
        'followers_count',
        'following_count',
        'last_status_at',
        'created_at',
      ],
      accountRows(plan, passwordHash),
    );
    await copyRows(
      client,
      'follows',
      ['id', 'account_id', 'target_account_id', 'created_at'],
      followRows(plan),
    );
    await copyRows(
      client,
      'statuses',
      [
        'id',
        'account_id',
        'text',
        'language',
        'visibility',
        'in_reply_to_id',
        'in_reply_to_account_id',
        'replies_count',
        'favourites_count',
        'created_at',
      ],
      statusRows(plan),
    );
    await copyRows(client, 'mentions', ['status_id', 'account_id'], mentionRows(plan));
    const ids = tagIds(plan);
    await copyRows(
      client,
      'tags',
      ['id', 'name', 'display_name', 'created_at'],
      tagRows(plan, ids),
    );
    await copyRows(client, 'status_tags', ['tag_id', 'status_id'], statusTagRows(plan, ids));
    await copyRows(
      client,
      'favourites',
      ['id', 'account_id', 'status_id', 'created_at'],
      favouriteRows(plan),
    );
    log(
      `copied rows in ${((performance.now() - started) / 1000).toFixed(1)} s; rebuilding ${indexes.length} indexes`,
    );
    for (const definition of indexes) await client.query(definition);
    await client.query(`SET session_replication_role = origin`);
    await client.query(`VACUUM (ANALYZE) ${LOADED_TABLES.join(', ')}`);
  } finally {
    await client.end();
  }

  const info = await createCredentials(url, plan, options);
  info.loadSeconds = Math.round((performance.now() - started) / 100) / 10;
  const marker = new pg.Client({ connectionString: url });
  await marker.connect();
  try {
    await marker.query(
      `CREATE TABLE bench_dataset (info jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
    );
    await marker.query(`INSERT INTO bench_dataset (info) VALUES ($1)`, [JSON.stringify(info)]);
  } finally {
    await marker.end();
  }
  log(`dataset of ${plan.statuses} statuses ready in ${info.loadSeconds} s`);
  return info;
}

/** One OAuth application and a token per reader and poster, through @murmur/db's own operations. */
async function createCredentials(
  url: string,
  plan: DatasetPlan,
  options: DatasetOptions,
): Promise<DatasetInfo> {
  const database = createDatabase({ url, poolSize: 4, applicationName: 'murmur-bench' });
  try {
    const { application } = await registerApplication(database, {
      name: 'Murmur bench',
      redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
      scopes: ['read', 'write', 'follow'],
    });
    const tokenFor = async (accountIndex: number) =>
      (
        await issueAccessToken(database, {
          applicationId: application.id,
          accountId: plan.accountIds[accountIndex]!,
          scopes: ['read', 'write', 'follow'],
        })
      ).accessToken;
    const readerIndexes = Array.from({ length: plan.readers }, (_, r) => plan.accounts + r);
    const posterCount = Math.min(options.posters ?? 300, plan.accounts - 100);
    const posterIndexes = Array.from({ length: posterCount }, (_, p) => 100 + p);
    const readerTokens: string[] = [];
    for (const r of readerIndexes) readerTokens.push(await tokenFor(r));
    const posterTokens: string[] = [];
    for (const p of posterIndexes) posterTokens.push(await tokenFor(p));
    return {
      generatorVersion: GENERATOR_VERSION,
      statuses: plan.statuses,
      accounts: plan.accounts + plan.readers,
      seed: plan.seed,
      busyAccountId: plan.accountIds[0]!,
      busyAccountStatuses: plan.statusesCount[0]!,
      threadStatusId: plan.statusIds[plan.threadStatus]!,
      readerAccountIds: readerIndexes.map((r) => plan.accountIds[r]!),
      readerTokens,
      posterAccountIds: posterIndexes.map((p) => plan.accountIds[p]!),
      posterTokens,
      mentionUsernames: [usernameOf(plan, 1), usernameOf(plan, 2)],
      hashtag: 'BenchTag',
      maxStatusId: plan.statusIds[plan.statuses - 1]!,
      favouriteTargetIds: favouriteTargets(plan, new Set(posterIndexes)),
      password: BENCH_PASSWORD,
      loadSeconds: 0,
    };
  } finally {
    await database.close();
  }
}

/**
 * Removes what a benchmark run wrote (statuses newer than the dataset, their events, notifications and
 * e-mail records) and restores the counters it changed, so the next run starts from the same data.
 */
export async function resetWrites(url: string, info: DatasetInfo): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ account_id: string }>(
      `DELETE FROM statuses WHERE id > $1 RETURNING account_id::text`,
      [info.maxStatusId],
    );
    // Favourites a run made: newer than any the generator wrote (a minute after the newest status).
    const { rows: unfavourited } = await client.query<{ status_id: string }>(
      `DELETE FROM favourites
        WHERE created_at > (SELECT created_at + interval '2 minutes' FROM statuses WHERE id = $1)
        RETURNING status_id::text`,
      [info.maxStatusId],
    );
    const targets = [...new Set(unfavourited.map((r) => r.status_id))];
    if (targets.length > 0) {
      await client.query(
        `UPDATE statuses s SET favourites_count =
           (SELECT count(*) FROM favourites f WHERE f.status_id = s.id)
          WHERE s.id = ANY($1::bigint[])`,
        [targets],
      );
    }
    const authors = [...new Set(rows.map((r) => r.account_id))];
    if (authors.length > 0) {
      await client.query(
        `UPDATE accounts a SET statuses_count = s.n, last_status_at = s.last
           FROM (SELECT a2.id, count(st.id)::int AS n, max(st.created_at)::date AS last
                   FROM accounts a2 LEFT JOIN statuses st ON st.account_id = a2.id AND st.deleted_at IS NULL
                  WHERE a2.id = ANY($1::bigint[]) GROUP BY a2.id) s
          WHERE a.id = s.id`,
        [authors],
      );
    }
    for (const table of [
      'outbox_events',
      'processed_events',
      'email_deliveries',
      'notifications',
      'dead_letters',
      'rate_limit_counters',
      'daily_stats',
      'daily_active_accounts',
    ]) {
      await client.query(`DELETE FROM ${table}`);
    }
    await client.query('COMMIT');
    if (rows.length + unfavourited.length > 0) {
      // The deleted rows stay in the indexes as dead entries at the newest end of every id index, which
      // every newest-first scan would then wade through until autovacuum came by: a later read
      // scenario measured 20 % slower, depending on when it ran.
      await client.query(
        'VACUUM (ANALYZE) statuses, mentions, status_tags, tags, accounts, favourites, outbox_events, notifications',
      );
    }
    return rows.length;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}
