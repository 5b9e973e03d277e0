import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { checkDurabilitySettings, createDatabase, withTransaction } from '../src/index.js';
import { createStatus, reblogStatus } from '../src/statuses/index.js';
import { followAccount } from '../src/follows/index.js';
import { homeTimeline, publicTimeline } from '../src/timelines/index.js';
import { countStatements, createAccountFixture, useTestDatabase } from '../src/testing/index.js';

const testDb = useTestDatabase();

describe('connection handling', () => {
  it('survives the server killing its connections, and never leaks a client when BEGIN fails', async () => {
    const errors: Error[] = [];
    const fragile = createDatabase({
      url: testDb.url,
      poolSize: 2,
      onError: (e) => errors.push(e),
    });
    try {
      // Open both pooled connections, then have the server terminate them while they sit idle.
      const held = await Promise.all([fragile.pool.connect(), fragile.pool.connect()]);
      const pids = await Promise.all(
        held.map(async (c) => (await c.query('select pg_backend_pid() as pid')).rows[0].pid),
      );
      held.forEach((c) => c.release());
      const killer = new pg.Client({ connectionString: testDb.url });
      await killer.connect();
      await killer.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [pids]);
      await killer.end();
      await new Promise((r) => setTimeout(r, 100));

      // Transactions that fail to begin on a dead connection must release it; the pool recovers.
      for (let i = 0; i < 4; i++) {
        await withTransaction(fragile, async (tx) => tx.execute(sql`select 1`)).catch(() => {});
      }
      for (let i = 0; i < 10; i++) {
        await withTransaction(fragile, async (tx) => tx.execute(sql`select 1`));
      }
      expect(fragile.pool.totalCount).toBeLessThanOrEqual(2);
      expect(fragile.pool.waitingCount).toBe(0);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await fragile.close();
    }
  });

  it('stops a statement that runs longer than the configured timeout', async () => {
    const impatient = createDatabase({ url: testDb.url, poolSize: 1, statementTimeoutMs: 100 });
    try {
      await expect(impatient.primary.execute(sql`select pg_sleep(2)`)).rejects.toMatchObject({
        cause: { code: '57014' },
      });
      await expect(impatient.primary.execute(sql`select 1`)).resolves.toBeDefined();
    } finally {
      await impatient.close();
    }
  });

  it('rolls back every write of a transaction that throws', async () => {
    const account = await createAccountFixture(testDb.database);
    await expect(
      withTransaction(testDb.database, async (tx) => {
        await tx.execute(
          sql`update accounts set display_name = 'changed' where id = ${account.id}`,
        );
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await testDb.database.primary.execute(
      sql`select display_name from accounts where id = ${account.id}`,
    );
    expect(rows[0]!.display_name).toBe('');
  });
});

describe('timelines', () => {
  it('read a page, reblogs and their originals included, in one statement whatever its size', async () => {
    const author = await createAccountFixture(testDb.database);
    const other = await createAccountFixture(testDb.database);
    const reader = await createAccountFixture(testDb.database);
    await followAccount(testDb.database, { accountId: reader.id, targetAccountId: author.id });
    for (let i = 0; i < 40; i++) {
      const post = await createStatus(testDb.database, {
        accountId: author.id,
        text: `post ${i} @${other.username} #tag${i % 3}`,
      });
      if (i % 10 === 0) {
        await reblogStatus(testDb.database, { accountId: author.id, statusId: post.id });
      }
    }
    // A reblog whose original is far older than the rest of the page.
    const [oldest] = await publicTimeline(testDb.database.primary, { limit: 1, minId: '1' });
    await followAccount(testDb.database, { accountId: reader.id, targetAccountId: other.id });
    await reblogStatus(testDb.database, { accountId: other.id, statusId: oldest!.id });
    for (const limit of [5, 40]) {
      const { statements } = await countStatements(testDb.database, async () => {
        const page = await publicTimeline(testDb.database.primary, { limit }, other.id);
        expect(page).toHaveLength(limit);
        expect(page[0]!.mentions).toEqual([
          { id: other.id, username: other.username, domain: null, url: null },
        ]);
      });
      expect(statements).toBe(1);
    }
    // The first read builds the reader's feed; after that a page is one statement.
    await homeTimeline(testDb.database, reader.id, { limit: 1 });
    const { statements } = await countStatements(testDb.database, async () => {
      const home = await homeTimeline(testDb.database, reader.id, { limit: 40 });
      expect(home).toHaveLength(40);
      expect(home[0]!.account.id).toBe(other.id);
      expect(home[0]!.reblog!.text).toBe(`post 0 @${other.username} #tag0`);
      expect(home.filter((s) => s.reblog !== null).map((s) => s.reblog!.text)).toEqual(
        [0, 30, 20, 10].map((i) => `post ${i} @${other.username} #tag${i % 3}`),
      );
    });
    expect(statements).toBe(1);
  });

  it('pages with max_id, since_id and min_id, newest first', async () => {
    const author = await createAccountFixture(testDb.database);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++)
      ids.push(
        (await createStatus(testDb.database, { accountId: author.id, text: `page ${i}` })).id,
      );
    const own = (s: { account: { id: string } }) => s.account.id === author.id;
    const newest = (await publicTimeline(testDb.database.primary, { limit: 2 }))
      .filter(own)
      .map((s) => s.id);
    expect(newest).toEqual([ids[5], ids[4]]);
    const older = (await publicTimeline(testDb.database.primary, { limit: 2, maxId: ids[4] })).map(
      (s) => s.id,
    );
    expect(older).toEqual([ids[3], ids[2]]);
    const justAfter = (
      await publicTimeline(testDb.database.primary, { limit: 2, minId: ids[1] })
    ).map((s) => s.id);
    expect(justAfter).toEqual([ids[3], ids[2]]);
    const sinceNewest = (
      await publicTimeline(testDb.database.primary, { limit: 2, sinceId: ids[1] })
    ).map((s) => s.id);
    expect(sinceNewest).toEqual([ids[5], ids[4]]);
  });

  it('shows on the home timeline one’s own posts and those of followed accounts only', async () => {
    const reader = await createAccountFixture(testDb.database);
    const followed = await createAccountFixture(testDb.database);
    const stranger = await createAccountFixture(testDb.database);
    await followAccount(testDb.database, { accountId: reader.id, targetAccountId: followed.id });
    const mine = await createStatus(testDb.database, { accountId: reader.id, text: 'mine' });
    const theirs = await createStatus(testDb.database, {
      accountId: followed.id,
      text: 'theirs',
      visibility: 'private',
    });
    await createStatus(testDb.database, { accountId: stranger.id, text: 'not for you' });
    const home = await homeTimeline(testDb.database, reader.id, { limit: 20 });
    expect(home.map((s) => s.id)).toEqual([theirs.id, mine.id]);
  });
});

describe('checkDurabilitySettings', () => {
  it('reports what the server has, and finds no problem with the default safe settings', async () => {
    const report = await checkDurabilitySettings(testDb.database);
    // The test server runs with fsync, full_page_writes and synchronous_commit on (PostgreSQL defaults).
    expect(report.problems).toEqual([]);
    expect(Array.isArray(report.warnings)).toBe(true);
  });
});
