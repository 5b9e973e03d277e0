/**
 * The home-feeds consumer through the whole pipeline: a post commits, the relay publishes
 * PostCreated, the consumer pushes it into the followers' home feeds, and their home timeline shows
 * it. A post of an author with very many followers takes the chunked path and is marked once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countProcessedEvents,
  createStatus,
  followAccount,
  homeTimeline,
  HEAVY_AUTHOR_FOLLOWERS,
  type Database,
} from '@murmur/db';
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { testTopology } from '@murmur/events/testing';
import { startWorker, testConfig, waitFor, type RunningWorker } from './_helpers.js';
import { HOME_FEEDS_CONSUMER } from '../src/consumers.js';

const topology = testTopology();
let testDb: TestDatabase;
let database: Database;
let running: RunningWorker;

beforeAll(async () => {
  testDb = await createTestDatabase({ poolSize: 10 });
  database = testDb.database;
  running = await startWorker(testConfig({ databaseUrl: testDb.url, topology }), database);
});

afterAll(async () => {
  await running?.dispose(topology);
  await testDb?.destroy();
});

const homeOf = async (readerId: string) =>
  (await homeTimeline(database, readerId, { limit: 20 })).map((s) => s.id);

describe('home-feeds consumer', () => {
  it('puts a followed account’s new post into the reader’s home', async () => {
    const [reader, author] = await Promise.all([1, 2].map(() => createAccountFixture(database)));
    await followAccount(database, { accountId: reader!.id, targetAccountId: author!.id });
    expect(await homeOf(reader!.id)).toEqual([]); // builds the (empty) feed
    const post = await createStatus(database, { accountId: author!.id, text: 'fresh' });
    await waitFor(async () => (await homeOf(reader!.id)).includes(post.id) || null, {
      what: 'the post in the reader’s home',
    });
  });

  it('fans out an author with more followers than the heavy threshold in chunks, once', async () => {
    const [reader, author] = await Promise.all([1, 2].map(() => createAccountFixture(database)));
    await followAccount(database, { accountId: reader!.id, targetAccountId: author!.id });
    await homeOf(reader!.id);
    await database.primary.execute(
      `update accounts set followers_count = ${HEAVY_AUTHOR_FOLLOWERS + 1} where id = ${author!.id}`,
    );
    const before = await countProcessedEvents(database, HOME_FEEDS_CONSUMER);
    const post = await createStatus(database, { accountId: author!.id, text: 'to everyone' });
    await waitFor(async () => (await homeOf(reader!.id)).includes(post.id) || null, {
      what: 'the heavy author’s post in the reader’s home',
    });
    await waitFor(
      async () =>
        (await countProcessedEvents(database, HOME_FEEDS_CONSUMER)) === before + 1 || null,
      { what: 'the event marked processed' },
    );
  });
});
