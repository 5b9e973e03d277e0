/**
 * How long a page of grouped notifications takes for one heavily notified account: 200,000
 * notifications over 30 days (favourites, reblogs, follows, mentions from 5,000 accounts on 500
 * posts) and, in the newest hour, one post favourited by all 5,000 (more than one page's scan,
 * the worst case for grouping), among 800,000 notifications of 5,000 other accounts. On its own
 * database; prints medians. NO_JIT=1 turns PostgreSQL's JIT off for the database (see README).
 *   node --conditions=source --import tsx src/notification-groups.ts
 */
import { createDatabase, type Database } from '@murmur/db';
import { listNotificationGroups, unreadNotificationGroupsCount } from '@murmur/db/notifications';
import { createTestDatabase } from '@murmur/db/testing';
import type { PoolClient } from 'pg';

const FANS = 5_000;
const POSTS = 500;
const SPREAD = 200_000;
const RUNS = Number(process.env.RUNS ?? 30);

async function seed(database: Database): Promise<{ recipientId: string }> {
  const pool = await database.pool.connect();
  try {
    return await seedWith(pool);
  } finally {
    pool.release();
  }
}

async function seedWith(pool: PoolClient): Promise<{ recipientId: string }> {
  await pool.query('set statement_timeout = 0');
  await pool.query(
    `insert into accounts (username, email, password_hash)
     select 'fan_' || g, 'fan_' || g || '@bench.test', 'x' from generate_series(0, $1) g`,
    [FANS],
  );
  const { rows } = await pool.query<{ id: string }>(
    `select id::text from accounts where username = 'fan_0'`,
  );
  const recipientId = rows[0]!.id;
  await pool.query(
    `insert into statuses (account_id, text) select $1, 'post ' || g from generate_series(1, $2) g`,
    [recipientId, POSTS],
  );
  // Spread over 30 days, oldest first so ids follow time; duplicates of a fact are skipped.
  await pool.query(
    `with posts as (select array_agg(id) as ids from statuses where account_id = $1),
     fans as (select array_agg(id) as ids from accounts where id <> $1)
     insert into notifications (id, account_id, from_account_id, type, status_id, created_at)
     select snowflake_id_at(t), $1, fans.ids[1 + (g % ($2 - 1))], kind,
       case when kind = 'follow' then null else posts.ids[1 + ((g / ($2 - 1)) % $3)] end, t
     from generate_series(1, $4) g, posts, fans,
       lateral (select now() - interval '30 days' + (g * interval '30 days' / $4) - interval '2 hours' as t,
         (array['favourite','favourite','favourite','favourite','favourite','reblog','reblog','follow','mention','mention'])[1 + g % 10] as kind) x
     order by g
     on conflict do nothing`,
    [recipientId, FANS, POSTS, SPREAD],
  );
  // Everybody else's notifications, so that the planner sees a table of many recipients.
  await pool.query(
    `with fans as (select array_agg(id) as ids from accounts where id <> $1),
     posts as (select array_agg(id) as ids from statuses)
     insert into notifications (id, account_id, from_account_id, type, status_id, created_at)
     select snowflake_id_at(t), fans.ids[1 + (g % ($2 - 1))], $1, 'follow', null, t
     from generate_series(1, $3) g, fans,
       lateral (select now() - interval '30 days' + (g * interval '30 days' / $3) as t) x
     on conflict do nothing`,
    [recipientId, FANS, FANS - 1],
  );
  await pool.query(
    `with fans as (select array_agg(id) as ids from accounts where id <> $1),
     posts as (select array_agg(id) as ids from statuses)
     insert into notifications (id, account_id, from_account_id, type, status_id, created_at)
     select snowflake_id_at(t), fans.ids[1 + (g % ($2 - 1))], fans.ids[1 + ((g / ($2 - 1)) % ($2 - 1))],
       'mention', posts.ids[1 + (g % $3)], t
     from generate_series(1, $4) g, fans, posts,
       lateral (select now() - interval '30 days' + (g * interval '30 days' / $4) as t) x
     on conflict do nothing`,
    [recipientId, FANS, POSTS, SPREAD * 4],
  );
  // The viral post: every fan favourites it within the last hour.
  await pool.query(
    `insert into notifications (id, account_id, from_account_id, type, status_id, created_at)
     select snowflake_id_at(now() - interval '50 minutes' + g * interval '10 milliseconds'), $1, a.id,
       'favourite', (select max(id) from statuses where account_id = $1), now()
     from (select id, row_number() over (order by id) g from accounts where id <> $1) a
     on conflict do nothing`,
    [recipientId],
  );
  await pool.query('analyze');
  if (process.env.NO_JIT) {
    const name = (await pool.query<{ db: string }>('select current_database() as db')).rows[0]!.db;
    await pool.query(`alter database "${name}" set jit = off`);
  }
  if (process.env.EXPLAIN) {
    const name = (await pool.query<{ db: string }>('select current_database() as db')).rows[0]!.db;
    await pool.query(`alter database "${name}" set session_preload_libraries = 'auto_explain'`);
    await pool.query(`alter database "${name}" set auto_explain.log_min_duration = 20`);
    await pool.query(`alter database "${name}" set auto_explain.log_analyze = on`);
  }
  return { recipientId };
}

async function median(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const testDb = await createTestDatabase();
try {
  const { database } = testDb;
  const { recipientId } = await seed(database);
  const { rows } = await database.pool.query<{ count: string }>(
    'select count(*) from notifications where account_id = $1',
    [recipientId],
  );
  console.log(`notifications of the recipient: ${rows[0]!.count}`);
  // With EXPLAIN set, a fresh pool whose sessions log slow plans (auto_explain, in the server log).
  const executor =
    process.env.EXPLAIN || process.env.NO_JIT
      ? createDatabase({ url: testDb.url, poolSize: 1 }).primary
      : database.primary;
  const first = await listNotificationGroups(executor, recipientId, { limit: 40 });
  console.log(
    `first page: ${first.groups.length} groups; newest group ${first.groups[0]!.groupKey} ` +
      `(${first.groups[0]!.notificationsCount} notifications)`,
  );
  const below = first.groups.reduce(
    (min, g) => (BigInt(g.pageMinId) < BigInt(min) ? g.pageMinId : min),
    first.groups[0]!.pageMinId,
  );
  const second = await listNotificationGroups(executor, recipientId, { limit: 40, maxId: below });
  console.log(`second page: ${second.groups.length} groups`);
  const { rows: middle } = await database.pool.query<{ id: string }>(
    `select id::text from notifications where account_id = $1 order by id limit 1 offset 100000`,
    [recipientId],
  );
  const cases: [string, () => Promise<unknown>][] = [
    [
      'page of 40 groups, top (viral post inside)',
      () => listNotificationGroups(executor, recipientId, { limit: 40 }),
    ],
    [
      'page of 40 groups, just below the viral hour',
      () => listNotificationGroups(executor, recipientId, { limit: 40, maxId: below }),
    ],
    [
      'page of 80 groups, 100,000 notifications down',
      () => listNotificationGroups(executor, recipientId, { limit: 80, maxId: middle[0]!.id }),
    ],
    [
      'unread groups (no marker, cap 1000)',
      () => unreadNotificationGroupsCount(executor, recipientId, 1000),
    ],
  ];
  for (const [name, run] of cases)
    console.log(`${name}: median ${(await median(run)).toFixed(1)} ms`);
} finally {
  await testDb.destroy();
}
