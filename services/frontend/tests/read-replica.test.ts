/**
 * The website on a streaming replica (DATABASE_READ_URL) with read-your-writes (issue 17): with the
 * replica's replay paused, the person who just posted sees the post on their profile (the form post
 * leaves a short-lived cookie that sends their reads to the primary), while a visitor served by the
 * replica sees it only once replay resumes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDatabase } from '@murmur/db';
import { type LocalAccount } from '@murmur/db/accounts';
import { createAccountFixture, createDatabaseOnServer } from '@murmur/db/testing';
import { PrivatePostgres } from '@murmur/devkit/postgres';
import { waitFor } from '@murmur/devkit/testing';
import { RECENT_WRITE_COOKIE } from '../src/plugins/read-your-writes.js';
import { get, postForm, signIn, startHarness, type Harness } from './_helpers.js';

let primary: PrivatePostgres;
let replica: PrivatePostgres;
let harness: Harness;
let replicaAdmin: ReturnType<typeof createDatabase>;
let author: LocalAccount;

beforeAll(async () => {
  primary = await PrivatePostgres.start();
  const migrated = await createDatabaseOnServer(primary.url());
  await migrated.destroy();
  replica = await primary.startReplica();
  const database = createDatabase({
    url: migrated.url,
    readReplicaUrl: replica.url('murmur'),
    poolSize: 4,
  });
  harness = await startHarness(
    {},
    { url: migrated.url, database, destroy: () => database.close() },
  );
  replicaAdmin = createDatabase({ url: replica.url('murmur'), poolSize: 1 });
  author = await createAccountFixture(harness.database);
  await waitFor(
    async () => (await replicaAdmin.pool.query('select 1 from accounts')).rows.length === 1,
    { what: 'the replica to have the account' },
  );
}, 90_000);

afterAll(async () => {
  await replicaAdmin?.close();
  await harness?.close();
  await replica?.dispose();
  await primary?.dispose();
});

it('shows a post to its author at once while the replica lags, and to visitors when it catches up', async () => {
  const session = await signIn(harness, author);
  await replicaAdmin.pool.query('select pg_wal_replay_pause()');
  const text = `fresh from the primary ${Date.now()}`;
  const posted = await postForm(
    harness,
    '/statuses',
    { status: text, csrf_token: session.csrf },
    { session },
  );
  expect(posted.statusCode).toBeLessThan(400);
  const marker = posted.cookies.find((c) => c.name === RECENT_WRITE_COOKIE);
  expect(marker?.httpOnly).toBe(true);

  const own = await harness.app.inject({
    url: `/@${author.username}`,
    headers: { cookie: `${session.cookie}; ${RECENT_WRITE_COOKIE}=${marker!.value}` },
  });
  expect(own.statusCode).toBe(200);
  expect(own.body).toContain(text);

  const visitor = await get(harness, `/@${author.username}`);
  expect(visitor.statusCode).toBe(200);
  expect(visitor.body).not.toContain(text);

  await replicaAdmin.pool.query('select pg_wal_replay_resume()');
  await waitFor(async () => (await get(harness, `/@${author.username}`)).body.includes(text), {
    what: 'the replica to catch up',
  });
}, 60_000);
