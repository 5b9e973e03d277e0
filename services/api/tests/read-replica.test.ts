/**
 * Reads from a streaming replica (DATABASE_READ_URL) with read-your-writes (issue 17): a private
 * primary and a replica made from it with pg_basebackup; with the replica's replay paused (it is as
 * far behind as we like), someone who just posted sees the post on their profile, in their home
 * timeline and by id, while another reader — served by the replica — does not see it until replay
 * resumes — also when the author's next request reaches another API process.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDatabase } from '@murmur/db';
import { issueAccessToken, registerApplication } from '@murmur/db/auth';
import { createDatabaseOnServer, type TestDatabase } from '@murmur/db/testing';
import { PrivatePostgres } from '@murmur/devkit/postgres';
import { waitFor } from '@murmur/devkit/testing';
import { createAccountFixture, createTestApp, type TestApp } from './_helpers.js';

let primary: PrivatePostgres;
let replica: PrivatePostgres;
let migrated: TestDatabase;
let api: TestApp;
/** A second API process over the same databases: its own memory, so only the database can tell it. */
let otherProcess: TestApp;
let replicaAdmin: ReturnType<typeof createDatabase>;
const tokens: Record<'author' | 'reader', string> = { author: '', reader: '' };
let authorId: string;

beforeAll(async () => {
  primary = await PrivatePostgres.start();
  migrated = await createDatabaseOnServer(primary.url());
  replica = await primary.startReplica();
  const database = createDatabase({
    url: migrated.url,
    readReplicaUrl: replica.url('murmur'),
    poolSize: 4,
  });
  api = await createTestApp({
    testDatabase: { url: migrated.url, database, destroy: () => database.close() },
  });
  otherProcess = await createTestApp({
    testDatabase: { url: migrated.url, database, destroy: async () => {} },
  });
  replicaAdmin = createDatabase({ url: replica.url('murmur'), poolSize: 1 });
  const { application } = await registerApplication(database, {
    name: 'replica test',
    redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
    scopes: ['read', 'write'],
  });
  for (const who of ['author', 'reader'] as const) {
    const account = await createAccountFixture(database);
    if (who === 'author') authorId = account.id;
    tokens[who] = (
      await issueAccessToken(database, {
        applicationId: application.id,
        accountId: account.id,
        scopes: ['read', 'write'],
      })
    ).accessToken;
  }
  await waitFor(
    async () => (await replicaAdmin.pool.query('select 1 from accounts')).rows.length === 2,
    { what: 'the replica to have the accounts' },
  );
}, 90_000);

afterAll(async () => {
  await replicaAdmin?.close();
  await otherProcess?.close();
  await api?.close();
  await migrated?.destroy();
  await replica?.dispose();
  await primary?.dispose();
});

const as = (who: 'author' | 'reader') => ({ authorization: `Bearer ${tokens[who]}` });

async function profileIds(who: 'author' | 'reader'): Promise<string[]> {
  const response = await api.app.inject({
    url: `/api/v1/accounts/${authorId}/statuses`,
    headers: as(who),
  });
  expect(response.statusCode).toBe(200);
  return (response.json() as { id: string }[]).map((s) => s.id);
}

it('shows a post to its author at once while the replica lags, and to others when it catches up', async () => {
  await replicaAdmin.pool.query('select pg_wal_replay_pause()');
  const posted = await api.app.inject({
    method: 'POST',
    url: '/api/v1/statuses',
    headers: { ...as('author'), 'content-type': 'application/json' },
    payload: { status: 'written on the primary, not yet on the replica' },
  });
  expect(posted.statusCode).toBe(200);
  const { id } = posted.json() as { id: string };

  // The author reads their own write: profile, home timeline, the status itself.
  expect(await profileIds('author')).toContain(id);
  const home = await api.app.inject({ url: '/api/v1/timelines/home', headers: as('author') });
  expect((home.json() as { id: string }[]).map((s) => s.id)).toContain(id);
  const single = await api.app.inject({ url: `/api/v1/statuses/${id}`, headers: as('author') });
  expect(single.statusCode).toBe(200);

  // Another reader is served by the paused replica: the post is not there yet.
  expect(await profileIds('reader')).not.toContain(id);
  const missing = await api.app.inject({ url: `/api/v1/statuses/${id}`, headers: as('reader') });
  expect(missing.statusCode).toBe(404);

  await replicaAdmin.pool.query('select pg_wal_replay_resume()');
  await waitFor(async () => (await profileIds('reader')).includes(id), {
    what: 'the replica to catch up',
  });
}, 60_000);

it('shows the author their post when their next request reaches another API process', async () => {
  await replicaAdmin.pool.query('select pg_wal_replay_pause()');
  const posted = await api.app.inject({
    method: 'POST',
    url: '/api/v1/statuses',
    headers: { ...as('author'), 'content-type': 'application/json' },
    payload: { status: 'posted through one process, read through another' },
  });
  expect(posted.statusCode).toBe(200);
  const { id } = posted.json() as { id: string };

  const read = (who: 'author' | 'reader') =>
    otherProcess.app.inject({ url: `/api/v1/statuses/${id}`, headers: as(who) });
  expect((await read('author')).statusCode).toBe(200);
  const home = await otherProcess.app.inject({
    url: '/api/v1/timelines/home',
    headers: as('author'),
  });
  expect((home.json() as { id: string }[]).map((s) => s.id)).toContain(id);
  // The other process still serves everyone else from the lagging replica.
  expect((await read('reader')).statusCode).toBe(404);

  await replicaAdmin.pool.query('select pg_wal_replay_resume()');
  await waitFor(async () => (await read('reader')).statusCode === 200, {
    what: 'the replica to catch up',
  });
}, 60_000);
