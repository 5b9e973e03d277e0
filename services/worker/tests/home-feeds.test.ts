/**
 * The home-feeds consumer through the whole pipeline: a post commits, the relay publishes
 * PostCreated, the consumer pushes it into the followers' home feeds, and their home timeline shows
 * it. A post of an author with very many followers takes the chunked path and is marked once.
 * Boosts, undone boosts, deletions, follows and followed hashtags reach the feeds the same way, and
 * an event delivered three times has one effect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database } from '@murmur/db';
import { countProcessedEvents } from '@murmur/db/events';
import { createStatus, deleteStatus, reblogStatus } from '@murmur/db/statuses';
import { followAccount } from '@murmur/db/follows';
import { followTag } from '@murmur/db/tags';
import { homeTimeline } from '@murmur/db/timelines';
import { FAN_OUT_CHUNK, HEAVY_AUTHOR_FOLLOWERS } from '@murmur/db/feeds';
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { subjectFor } from '@murmur/events';
import { testTopology } from '@murmur/events/testing';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
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
    const post = await createStatus(database, { accountId: author!.id, text: 'to everyone' });
    await waitFor(async () => (await homeOf(reader!.id)).includes(post.id) || null, {
      what: 'the heavy author’s post in the reader’s home',
    });
    // The consumer also handles this test's AccountFollowed: count the post's own marker.
    await waitFor(async () => (await markersOf('PostCreated', 'statusId', post.id)) === 1 || null, {
      what: 'the event marked processed',
    });
    expect(await countProcessedEvents(database, HOME_FEEDS_CONSUMER)).toBeGreaterThan(0);
  });
});

describe('home-feeds consumer: a heavy author', () => {
  it('reaches the followers beyond the first chunk, and others’ posts still arrive', async () => {
    const [author, other, reader] = await Promise.all(
      [1, 2, 3].map(() => createAccountFixture(database)),
    );
    // A full chunk of followers before the reader, whose follow comes last: the second chunk's.
    await followedByAFullChunk(author!.id, 'heavyfan');
    await followAccount(database, { accountId: reader!.id, targetAccountId: author!.id });
    await followAccount(database, { accountId: reader!.id, targetAccountId: other!.id });
    await database.pool.query(`update accounts set followers_count = $1 where id = $2`, [
      HEAVY_AUTHOR_FOLLOWERS + 1,
      author!.id,
    ]);
    const post = await createStatus(database, { accountId: author!.id, text: 'to everyone' });
    const otherPost = await createStatus(database, { accountId: other!.id, text: 'meanwhile' });
    await waitFor(
      async () => {
        const rows = await feedRows(reader!.id);
        return (rows.includes(post.id) && rows.includes(otherPost.id)) || null;
      },
      { what: 'both posts in the last follower’s feed' },
    );
    const { rows } = await database.pool.query<{ n: number }>(
      `select count(*)::int as n from home_feed_entries where status_id = $1`,
      [post.id],
    );
    expect(rows[0]!.n).toBe(FAN_OUT_CHUNK + 1);
  });
});

describe('home-feeds consumer: a boost by an account with many followers', () => {
  it('reaches the followers beyond the first chunk once, and is marked once', async () => {
    const [booster, author, reader] = await Promise.all(
      [1, 2, 3].map(() => createAccountFixture(database)),
    );
    await followedByAFullChunk(booster!.id, 'boostfan');
    await followAccount(database, { accountId: reader!.id, targetAccountId: booster!.id });
    const post = await createStatus(database, { accountId: author!.id, text: 'worth sharing' });
    const boost = await reblogStatus(database, { accountId: booster!.id, statusId: post.id });
    await waitFor(async () => (await feedRows(reader!.id)).includes(boost.id) || null, {
      what: 'the boost in the last follower’s feed (the second chunk)',
    });
    const { rows } = await database.pool.query<{ n: number }>(
      `select count(*)::int as n from home_feed_entries where status_id = $1`,
      [boost.id],
    );
    expect(rows[0]!.n).toBe(FAN_OUT_CHUNK + 1);
    await waitFor(
      async () => (await markersOf('StatusReblogged', 'reblogId', boost.id)) === 1 || null,
      { what: 'the boost marked once' },
    );
  });
});

/**
 * `FAN_OUT_CHUNK` new accounts (usernames `prefix` + n) following `accountId`: a full chunk, so
 * that an account followed after them is in the second.
 */
async function followedByAFullChunk(accountId: string, prefix: string): Promise<void> {
  await database.pool.query(
    `with fans as (
      insert into accounts (username, email, password_hash)
      select $3 || g, $3 || g || '@test.invalid', 'x'
      from generate_series(1, $1::int) g returning id)
    insert into follows (account_id, target_account_id) select id, $2 from fans`,
    [FAN_OUT_CHUNK, accountId, prefix],
  );
}

/** How many markers of this consumer there are for events of `type` whose `data[field]` is `id`. */
async function markersOf(type: string, field: string, id: string): Promise<number | null> {
  const { rowCount } = await database.pool.query(
    `select 1 from processed_events p join outbox_events o on o.id = p.event_id
    where p.consumer = $1 and o.type = $2 and o.payload->'data'->>$3 = $4`,
    [HOME_FEEDS_CONSUMER, type, field, id],
  );
  return rowCount;
}

/** The feed table's rows of a reader (what the consumer wrote, not what the read merges). */
async function feedRows(readerId: string): Promise<string[]> {
  const { rows } = await database.pool.query<{ id: string }>(
    'select status_id::text as id from home_feed_entries where account_id = $1 order by status_id desc',
    [readerId],
  );
  return rows.map((r) => r.id);
}

/** Publishes an outbox event again twice, under new message ids, and waits for the consumer. */
async function deliverTwiceMore(type: string, about: string): Promise<void> {
  const { rows } = await database.pool.query<{ id: string; payload: unknown }>(
    `select id, payload from outbox_events where type = $1 and payload::text like $2`,
    [type, `%"${about}"%`],
  );
  const event = rows[0]!;
  const js = jetstream(running.nats);
  for (const copy of ['again', 'once more']) {
    await js.publish(subjectFor(topology, type as 'PostCreated'), JSON.stringify(event.payload), {
      msgID: `${event.id}-${copy}`,
    });
  }
  const jsm = await jetstreamManager(running.nats);
  await waitFor(
    async () => {
      const info = await jsm.consumers.info(topology.streamName, HOME_FEEDS_CONSUMER);
      return (info.num_pending === 0 && info.num_ack_pending === 0) || null;
    },
    { what: 'the home-feeds consumer to catch up' },
  );
}

describe('home-feeds consumer: boosts, deletions, follows, hashtags', () => {
  it('a boost enters the booster’s followers’ homes once, and leaves with the deleted original', async () => {
    const [reader, author, booster] = await Promise.all(
      [1, 2, 3].map(() => createAccountFixture(database)),
    );
    await followAccount(database, { accountId: reader!.id, targetAccountId: booster!.id });
    await homeOf(reader!.id);
    const post = await createStatus(database, { accountId: author!.id, text: 'pass it on' });
    const boost = await reblogStatus(database, { accountId: booster!.id, statusId: post.id });
    await waitFor(async () => (await feedRows(reader!.id)).includes(boost.id) || null, {
      what: 'the boost in the reader’s feed',
    });
    await deliverTwiceMore('StatusReblogged', boost.id);
    expect(await feedRows(reader!.id)).toEqual([boost.id]);
    await deleteStatus(database, { accountId: author!.id, statusId: post.id });
    await waitFor(async () => (await feedRows(reader!.id)).length === 0 || null, {
      what: 'the boost gone with its original',
    });
    expect(await homeOf(reader!.id)).toEqual([]);
  });

  it('a follow merges the account’s posts into the reader’s built feed', async () => {
    const [reader, author] = await Promise.all([1, 2].map(() => createAccountFixture(database)));
    await homeOf(reader!.id);
    const older = await createStatus(database, { accountId: author!.id, text: 'before you came' });
    await followAccount(database, { accountId: reader!.id, targetAccountId: author!.id });
    await waitFor(async () => (await feedRows(reader!.id)).includes(older.id) || null, {
      what: 'the followed account’s post merged into the feed',
    });
    await deliverTwiceMore('AccountFollowed', reader!.id);
    expect(await feedRows(reader!.id)).toEqual([older.id]);
  });

  it('a post with a followed hashtag reaches a reader who follows no one', async () => {
    const [reader, author] = await Promise.all([1, 2].map(() => createAccountFixture(database)));
    await followTag(database, { accountId: reader!.id, name: 'birds' });
    await homeOf(reader!.id);
    const post = await createStatus(database, { accountId: author!.id, text: 'a heron #birds' });
    await waitFor(async () => (await homeOf(reader!.id)).includes(post.id) || null, {
      what: 'the tagged post in the reader’s home',
    });
  });
});
