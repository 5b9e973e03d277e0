/**
 * What the block and mute checks (issue 19) cost the home and public timelines, at the database:
 * the same pages read by readers who block and mute nobody and by readers who block 100 accounts
 * and mute 100 more, with the query code before the checks (a copy of the older
 * `packages/db/src`, given with `--before`) and after (this checkout), interleaved so that the
 * shared machine's noise falls on both alike.
 *
 *   git archive main packages/db/src | tar -x -C /tmp/before
 *   cp -r /tmp/before/packages/db/src packages/db/.bench-before   # resolves @murmur/events etc.
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/murmur_safety \
 *     pnpm --filter @murmur/bench safety-exclusions --before ../packages/db/.bench-before
 */
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as after from '@murmur/db/timelines';
import {
  createDatabase,
  createDatabaseIfMissing,
  migrateDatabase,
  type Database,
} from '@murmur/db';
import pg from 'pg';

type QueryCode = Pick<typeof after, 'homeTimeline' | 'publicTimeline'>;

const AUTHORS = 2_000;
const STATUSES = 100_000;
const READERS_PER_GROUP = 20;
const FOLLOWS = 200;
const BLOCKS = 100;
const MUTES = 100;
const PAGE = { limit: 20 };

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** A dataset of its own (once): authors, statuses, readers with and without blocks and mutes. */
async function ensureDataset(url: string): Promise<{ plain: string[]; excluding: string[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create table if not exists bench_safety_readers (
      reader_id bigint primary key, excluding boolean not null)`);
    const { rows: existing } = await client.query<{ id: string; excluding: boolean }>(
      `select reader_id::text as id, excluding from bench_safety_readers`,
    );
    if (existing.length === 0) {
      await client.query('begin');
      await client.query(`create temp table authors as
        with inserted as (
          insert into accounts (username, email, password_hash)
          select 'sx_author_' || g, 'sx_author_' || g || '@bench.invalid', 'x'
          from generate_series(1, ${AUTHORS}) g returning id)
        select row_number() over (order by id) - 1 as n, id from inserted`);
      await client.query(`insert into statuses (account_id, text, visibility)
        select a.id, 'post number ' || g, 'public' from generate_series(1, ${STATUSES}) g
        join authors a on a.n = (hashtext(g::text) & 2147483647) % ${AUTHORS}
        order by g`);
      // One status in ten mentions someone (the home's mention check reads them).
      await client.query(`insert into mentions (status_id, account_id)
        select s.id, a.id from statuses s
        join authors a on a.n = (hashtext(s.id::text) & 2147483647) % ${AUTHORS}
        where s.id % 10 = 0 and s.account_id <> a.id`);
      await client.query(`update accounts a set statuses_count = c.n from (
        select account_id, count(*)::int as n from statuses group by account_id) c
        where c.account_id = a.id`);
      for (let r = 0; r < READERS_PER_GROUP * 2; r++) {
        const excluding = r % 2 === 1;
        const {
          rows: [reader],
        } = await client.query<{ id: string }>(
          `insert into accounts (username, email, password_hash, following_count)
           values ($1, $1 || '@bench.invalid', 'x', ${FOLLOWS}) returning id::text`,
          [`sx_reader_${r}`],
        );
        const readerId = reader!.id;
        // Followed: a random 200; blocked: 100 not followed; muted: 50 followed and 50 not.
        await client.query(
          `create temp table picks on commit drop as
           select id, row_number() over (order by md5(id::text || $1)) as k from authors`,
          [readerId],
        );
        await client.query(
          `insert into follows (account_id, target_account_id)
           select $1, id from picks where k <= ${FOLLOWS}`,
          [readerId],
        );
        if (excluding) {
          await client.query(
            `insert into blocks (account_id, target_account_id)
             select $1, id from picks where k > ${FOLLOWS} and k <= ${FOLLOWS + BLOCKS}`,
            [readerId],
          );
          await client.query(
            `insert into mutes (account_id, target_account_id)
             select $1, id from picks
             where k > ${FOLLOWS - MUTES / 2} and k <= ${FOLLOWS}
               or k > ${FOLLOWS + BLOCKS} and k <= ${FOLLOWS + BLOCKS + MUTES / 2}`,
            [readerId],
          );
        }
        await client.query(`drop table picks`);
        await client.query(`insert into bench_safety_readers values ($1, $2)`, [
          readerId,
          excluding,
        ]);
      }
      await client.query(`update accounts a set followers_count = c.n from (
        select target_account_id, count(*)::int as n from follows group by target_account_id) c
        where c.target_account_id = a.id`);
      await client.query('commit');
      await client.query('analyze');
    }
    const { rows } = await client.query<{ id: string; excluding: boolean }>(
      `select reader_id::text as id, excluding from bench_safety_readers order by reader_id`,
    );
    return {
      plain: rows.filter((r) => !r.excluding).map((r) => r.id),
      excluding: rows.filter((r) => r.excluding).map((r) => r.id),
    };
  } finally {
    await client.end();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  const beforeDir = argument('before');
  if (!url || !beforeDir) {
    throw new Error('DATABASE_URL and --before <copy of the older packages/db/src> are required');
  }
  const rounds = Number(argument('rounds') ?? 10);
  const before = (await import(pathToFileURL(resolve(beforeDir, 'index.ts')).href)) as QueryCode;
  await createDatabaseIfMissing(url);
  await migrateDatabase(url);
  const readers = await ensureDataset(url);
  const database: Database = createDatabase({ url, poolSize: 2, applicationName: 'bench-safety' });
  const versions: [string, QueryCode][] = [
    ['before', before],
    ['after', after],
  ];
  const reads: [string, (code: QueryCode, reader: string) => Promise<unknown>][] = [
    ['home', (code, reader) => code.homeTimeline(database, reader, PAGE)],
    ['public', (code, reader) => code.publicTimeline(database.primary, PAGE, reader)],
  ];
  // Warm-up: builds every feed, fills caches and prepared plans.
  for (const [, code] of versions) {
    for (const reader of [...readers.plain, ...readers.excluding]) {
      for (const [, read] of reads) await read(code, reader);
    }
  }
  const samples = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
    // Alternate which version goes first, so neither always runs on a warmer machine.
    const order = round % 2 === 0 ? versions : [...versions].reverse();
    for (const [group, ids] of Object.entries(readers)) {
      for (const [version, code] of order) {
        for (const [readName, read] of reads) {
          for (const reader of ids) {
            const started = process.hrtime.bigint();
            await read(code, reader);
            const ms = Number(process.hrtime.bigint() - started) / 1e6;
            const key = `${readName}\t${group}\t${version}`;
            samples.set(key, [...(samples.get(key) ?? []), ms]);
          }
        }
      }
    }
  }
  await database.close();
  const [one, five, fifteen] = loadavg().map((l) => l.toFixed(2));
  console.log(
    `# Block and mute checks: ${STATUSES} statuses, ${AUTHORS} authors, readers following ${FOLLOWS}; ` +
      `"excluding" readers block ${BLOCKS} and mute ${MUTES} (${MUTES / 2} of them followed)`,
  );
  console.log(
    `load average ${one} ${five} ${fifteen} on ${availableParallelism()} shared cores; ${rounds} rounds × ${READERS_PER_GROUP} readers`,
  );
  console.log('read\treaders\tcode\tmedian ms\tp95 ms\tmedian vs before');
  const medians = new Map<string, number>();
  for (const [key, values] of samples) {
    values.sort((a, b) => a - b);
    medians.set(key, percentile(values, 0.5));
  }
  for (const [key, values] of samples) {
    const [readName, group] = key.split('\t');
    const base = medians.get(`${readName}\t${group}\tbefore`)!;
    const median = medians.get(key)!;
    console.log(
      `${key}\t${median.toFixed(2)}\t${percentile(values, 0.95).toFixed(2)}\t${(median / base).toFixed(2)}`,
    );
  }
}

await main();
