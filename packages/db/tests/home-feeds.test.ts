import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createStatus, deleteStatus, reblogStatus } from '../src/statuses/index.js';
import { fanOutStatus, fanOutStatusesOnce, trimHomeFeeds } from '../src/feeds/index.js';
import { followAccount, unfollowAccount } from '../src/follows/index.js';
import { homeTimeline } from '../src/timelines/index.js';
import {
  addAuthorToFeed,
  buildHomeFeed,
  removeAuthorFromFeed,
  removeStatusFromFeeds,
} from '../src/operations/home-feeds.js';
import { HOME_FEED_LENGTH } from '../src/operations/home-feed-rules.js';
import { compressedPageImages } from '../src/operations/compressed-page-images.js';
import { createDatabase, queryRows } from '../src/client.js';
import { withTransaction } from '../src/transaction.js';
import {
  createAccountFixture,
  applyPendingFeedEvents,
  useTestDatabase,
} from '../src/testing/index.js';

const testDb = useTestDatabase();
const db = () => testDb.database;

async function feedOf(readerId: string): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db().primary,
    sql`select status_id::text as id from home_feed_entries where account_id = ${readerId}
      order by status_id desc`,
  );
  return rows.map((r) => r.id);
}

async function homeIds(readerId: string, page: Parameters<typeof homeTimeline>[2] = { limit: 40 }) {
  return (await homeTimeline(db(), readerId, page)).map((s) => s.id);
}

async function follow(accountId: string, targetAccountId: string) {
  await followAccount(db(), { accountId, targetAccountId });
}

/** Inserts `count` public statuses for an account directly (fast; no events). */
async function insertStatuses(accountId: string, count: number): Promise<void> {
  await db().primary.execute(
    sql`insert into statuses (account_id, text) select ${accountId}, 'bulk ' || g
      from generate_series(1, ${count}) g`,
  );
}

describe('fanOutStatus', () => {
  it('pushes a post to every follower, followers-only posts too, never a direct message', async () => {
    const author = await createAccountFixture(db());
    const [a, b, stranger] = await Promise.all([1, 2, 3].map(() => createAccountFixture(db())));
    await follow(a!.id, author.id);
    await follow(b!.id, author.id);
    const open = await createStatus(db(), { accountId: author.id, text: 'hello' });
    const forFollowers = await createStatus(db(), {
      accountId: author.id,
      text: 'followers only',
      visibility: 'private',
    });
    const direct = await createStatus(db(), {
      accountId: author.id,
      text: `@${a!.username} psst`,
      visibility: 'direct',
    });
    for (const s of [open, forFollowers, direct]) await fanOutStatus(db(), s.id);
    expect(await feedOf(a!.id)).toEqual([forFollowers.id, open.id]);
    expect(await feedOf(b!.id)).toEqual([forFollowers.id, open.id]);
    expect(await feedOf(stranger!.id)).toEqual([]);
    // The author's own post is not in their feed table: the read merges their own posts.
    expect(await feedOf(author.id)).toEqual([]);
    // Twice changes nothing.
    expect(await fanOutStatus(db(), open.id)).toEqual({ followers: 2, inserted: 0 });
  });

  it('leaves out replies to people the follower does not follow, as Mastodon does', async () => {
    const author = await createAccountFixture(db());
    const [reader, friend, stranger] = await Promise.all(
      [1, 2, 3].map(() => createAccountFixture(db())),
    );
    await follow(reader!.id, author.id);
    await follow(reader!.id, friend!.id);
    const [ofStranger, ofFriend, ofReader] = await Promise.all(
      [stranger!, friend!, reader!].map((a) =>
        createStatus(db(), { accountId: a.id, text: 'root' }),
      ),
    );
    const own = await createStatus(db(), { accountId: author.id, text: 'thread start' });
    const replies = {
      toStranger: await createStatus(db(), {
        accountId: author.id,
        text: 'hm',
        inReplyToId: ofStranger!.id,
      }),
      toFriend: await createStatus(db(), {
        accountId: author.id,
        text: 'yes',
        inReplyToId: ofFriend!.id,
      }),
      toReader: await createStatus(db(), {
        accountId: author.id,
        text: 'you',
        inReplyToId: ofReader!.id,
      }),
      toSelf: await createStatus(db(), { accountId: author.id, text: '2/2', inReplyToId: own.id }),
    };
    for (const s of Object.values(replies)) await fanOutStatus(db(), s.id);
    expect(await feedOf(reader!.id)).toEqual(
      [replies.toSelf.id, replies.toReader.id, replies.toFriend.id].sort().reverse(),
    );
  });

  it('fans out an author with more followers than one chunk, every follower once', async () => {
    const author = await createAccountFixture(db());
    // 5,001 followers (one more than a chunk), inserted directly.
    await db().primary.execute(sql`
      with readers as (
        insert into accounts (username, email, password_hash)
        select 'bulk_' || g, 'bulk_' || g || '@example.test', 'x' from generate_series(1, 5001) g
        returning id)
      insert into follows (account_id, target_account_id) select id, ${author.id} from readers`);
    const post = await createStatus(db(), { accountId: author.id, text: 'to many' });
    expect(await fanOutStatus(db(), post.id)).toEqual({ followers: 5001, inserted: 5001 });
    const [row] = await queryRows<{ n: number }>(
      db().primary,
      sql`select count(distinct account_id)::int as n from home_feed_entries where status_id = ${post.id}`,
    );
    expect(row!.n).toBe(5001);
  });
});

describe('fanOutStatusesOnce', () => {
  it('marks and fans out ordinary authors in one statement, and leaves heavy authors to the chunked path', async () => {
    const [author, heavy, reader] = await Promise.all(
      [1, 2, 3].map(() => createAccountFixture(db())),
    );
    await follow(reader!.id, author!.id);
    await follow(reader!.id, heavy!.id);
    await db().primary.execute(
      sql`update accounts set followers_count = 20000 where id = ${heavy!.id}`,
    );
    const small = await createStatus(db(), { accountId: author!.id, text: 'small' });
    const big = await createStatus(db(), { accountId: heavy!.id, text: 'big' });
    const events = [
      { eventId: '01890000-0000-7000-8000-000000000001', statusId: small.id },
      { eventId: '01890000-0000-7000-8000-000000000002', statusId: big.id },
    ];
    const first = await fanOutStatusesOnce(db(), 'home-feeds', events);
    expect(Object.fromEntries(first)).toEqual({
      [events[0]!.eventId]: 'done',
      [events[1]!.eventId]: 'heavy',
    });
    expect(await feedOf(reader!.id)).toEqual([small.id]);
    const again = await fanOutStatusesOnce(db(), 'home-feeds', events);
    expect(again.get(events[0]!.eventId)).toBe('duplicate');
    expect(again.get(events[1]!.eventId)).toBe('heavy');
  });

  it('fans out a status a feed build already took, once per follower (the build raced the fan-out)', async () => {
    const [author, builtEarly, other] = await Promise.all(
      [1, 2, 3].map(() => createAccountFixture(db())),
    );
    await follow(builtEarly!.id, author!.id);
    await follow(other!.id, author!.id);
    const post = await createStatus(db(), { accountId: author!.id, text: 'raced' });
    // The reader's first read builds the feed from the pull query after the post committed and
    // before its fan-out ran: the feed already holds it.
    await buildHomeFeed(db(), builtEarly!.id);
    expect(await feedOf(builtEarly!.id)).toEqual([post.id]);
    const event = { eventId: '01890000-0000-7000-8000-000000000003', statusId: post.id };
    const outcome = await fanOutStatusesOnce(db(), 'home-feeds', [event]);
    expect(outcome.get(event.eventId)).toBe('done');
    expect(await feedOf(builtEarly!.id)).toEqual([post.id]);
    expect(await feedOf(other!.id)).toEqual([post.id]);
    const [marker] = await queryRows<{ n: number }>(
      db().primary,
      sql`select count(*)::int as n from processed_events
        where consumer = 'home-feeds' and event_id = ${event.eventId}`,
    );
    expect(marker!.n).toBe(1);
  });
});

describe('compressed full-page images in the fan-out', () => {
  async function walCompressionWith(database: typeof testDb.database) {
    const compressed = await compressedPageImages(database);
    return withTransaction(database, async (tx) => {
      const [during] = await queryRows<{ ok: boolean; setting: string }>(
        tx,
        sql`select ${compressed} as ok, current_setting('wal_compression') as setting`,
      );
      return during!;
    });
  }

  it('compresses them for the transaction when the user may set it, and leaves the session as it was', async () => {
    const serverSetting = async () =>
      (
        await queryRows<{ setting: string }>(
          db().primary,
          sql`select current_setting('wal_compression') as setting`,
        )
      )[0]!.setting;
    const before = await serverSetting();
    expect(before).not.toBe('lz4');
    expect(await walCompressionWith(db())).toEqual({ ok: true, setting: 'lz4' });
    expect(await serverSetting()).toBe(before);
  });

  it('changes nothing and fails nothing for a database user who may not set it', async () => {
    const role = `murmur_plain_${Math.random().toString(36).slice(2, 10)}`;
    await db().primary.execute(sql.raw(`create role ${role} login`));
    await db().primary.execute(
      sql.raw(`grant select, insert, update, delete on all tables in schema public to ${role}`),
    );
    const url = new URL(testDb.url);
    url.username = role;
    const plain = createDatabase({ url: url.toString(), poolSize: 1 });
    try {
      expect((await walCompressionWith(plain)).setting).not.toBe('lz4');
      const [author, reader] = await Promise.all([1, 2].map(() => createAccountFixture(db())));
      await follow(reader!.id, author!.id);
      const post = await createStatus(db(), { accountId: author!.id, text: 'as a plain user' });
      const event = { eventId: '01890000-0000-7000-8000-000000000009', statusId: post.id };
      const outcome = await fanOutStatusesOnce(plain, 'home-feeds', [event]);
      expect(outcome.get(event.eventId)).toBe('done');
      expect(await feedOf(reader!.id)).toEqual([post.id]);
    } finally {
      await plain.close();
      await db().primary.execute(sql.raw(`drop owned by ${role}`));
      await db().primary.execute(sql.raw(`drop role ${role}`));
    }
  });
});

describe('homeTimeline from the feed', () => {
  it('shows the reader’s own post at once and a followed account’s post after its fan-out', async () => {
    const [reader, author] = await Promise.all([1, 2].map(() => createAccountFixture(db())));
    await follow(reader!.id, author!.id);
    const before = await createStatus(db(), { accountId: author!.id, text: 'before the build' });
    expect(await homeIds(reader!.id)).toEqual([before.id]); // built from the pull query
    const mine = await createStatus(db(), { accountId: reader!.id, text: 'mine' });
    const theirs = await createStatus(db(), { accountId: author!.id, text: 'theirs' });
    expect(await homeIds(reader!.id)).toEqual([mine.id, before.id]);
    await applyPendingFeedEvents(db());
    expect(await homeIds(reader!.id)).toEqual([theirs.id, mine.id, before.id]);
  });

  it('never shows a deleted status, or one of an account no longer followed, whatever the feed holds', async () => {
    const [reader, kept, dropped] = await Promise.all(
      [1, 2, 3].map(() => createAccountFixture(db())),
    );
    await follow(reader!.id, kept!.id);
    await follow(reader!.id, dropped!.id);
    await homeIds(reader!.id);
    const gone = await createStatus(db(), { accountId: kept!.id, text: 'to be deleted' });
    const stays = await createStatus(db(), { accountId: kept!.id, text: 'stays' });
    const unfollowedPost = await createStatus(db(), { accountId: dropped!.id, text: 'unfollowed' });
    const boostOfGone = await reblogStatus(db(), { accountId: dropped!.id, statusId: stays.id });
    await applyPendingFeedEvents(db());
    await fanOutStatus(db(), boostOfGone.id); // what StatusReblogged will do once it exists
    expect(await homeIds(reader!.id)).toEqual([
      boostOfGone.id,
      unfollowedPost.id,
      stays.id,
      gone.id,
    ]);
    // No StatusDeleted or AccountUnfollowed handling: the entries are still in the feed table.
    await deleteStatus(db(), { accountId: kept!.id, statusId: gone.id });
    await unfollowAccount(db(), { accountId: reader!.id, targetAccountId: dropped!.id });
    expect((await feedOf(reader!.id)).length).toBe(4);
    expect(await homeIds(reader!.id)).toEqual([stays.id]);
  });

  it('rebuilds the feed when the reader followed someone since it was built', async () => {
    const [reader, first, later] = await Promise.all(
      [1, 2, 3].map(() => createAccountFixture(db())),
    );
    await follow(reader!.id, first!.id);
    const a = await createStatus(db(), { accountId: first!.id, text: 'a' });
    const b = await createStatus(db(), { accountId: later!.id, text: 'b, older than the follow' });
    expect(await homeIds(reader!.id)).toEqual([a.id]);
    await follow(reader!.id, later!.id);
    expect(await homeIds(reader!.id)).toEqual([b.id, a.id]);
  });

  it('pages below what the feed keeps come from the pull query', async () => {
    const [reader, author] = await Promise.all([1, 2].map(() => createAccountFixture(db())));
    await follow(reader!.id, author!.id);
    await insertStatuses(author!.id, HOME_FEED_LENGTH + 50);
    const all = await queryRows<{ id: string }>(
      db().primary,
      sql`select id::text from statuses where account_id = ${author!.id} order by id desc`,
    );
    await buildHomeFeed(db(), reader!.id);
    expect((await feedOf(reader!.id)).length).toBe(HOME_FEED_LENGTH);
    // Across the edge of the feed, and wholly below it, pages are complete and in order.
    const edge = all[HOME_FEED_LENGTH - 10]!.id;
    expect(await homeIds(reader!.id, { limit: 20, maxId: edge })).toEqual(
      all.slice(HOME_FEED_LENGTH - 9, HOME_FEED_LENGTH + 11).map((r) => r.id),
    );
    expect(await homeIds(reader!.id, { limit: 5, minId: all[HOME_FEED_LENGTH + 20]!.id })).toEqual(
      all.slice(HOME_FEED_LENGTH + 15, HOME_FEED_LENGTH + 20).map((r) => r.id),
    );
    expect(await homeIds(reader!.id, { limit: 40, maxId: all.at(-3)!.id })).toEqual(
      all.slice(-2).map((r) => r.id),
    );
  });
});

describe('feed maintenance', () => {
  it('removeStatusFromFeeds takes a status out of every follower’s feed', async () => {
    const [author, a, b] = await Promise.all([1, 2, 3].map(() => createAccountFixture(db())));
    await follow(a!.id, author!.id);
    await follow(b!.id, author!.id);
    const post = await createStatus(db(), { accountId: author!.id, text: 'oops' });
    const other = await createStatus(db(), { accountId: author!.id, text: 'fine' });
    await applyPendingFeedEvents(db());
    expect(await removeStatusFromFeeds(db(), post.id)).toBe(2);
    expect(await feedOf(a!.id)).toEqual([other.id]);
    expect(await feedOf(b!.id)).toEqual([other.id]);
  });

  it('addAuthorToFeed backfills a new follow so the next read needs no rebuild', async () => {
    const [reader, author] = await Promise.all([1, 2].map(() => createAccountFixture(db())));
    const older = await createStatus(db(), { accountId: author!.id, text: 'older' });
    await buildHomeFeed(db(), reader!.id);
    await follow(reader!.id, author!.id);
    expect(await addAuthorToFeed(db(), reader!.id, author!.id)).toBe(1);
    expect(await addAuthorToFeed(db(), reader!.id, author!.id)).toBe(0);
    expect(await feedOf(reader!.id)).toEqual([older.id]);
    const [state] = await queryRows<{ needed: boolean }>(
      db().primary,
      sql`select exists (select 1 from follows f join home_feed_state st on st.account_id = f.account_id
        where f.account_id = ${reader!.id} and f.id >= st.follows_merged_before_id) as needed`,
    );
    expect(state!.needed).toBe(false);
  });

  it('removeAuthorFromFeed drops the author’s entries, and with boostsOfAuthor others’ boosts of them', async () => {
    const [reader, author, booster] = await Promise.all(
      [1, 2, 3].map(() => createAccountFixture(db())),
    );
    await follow(reader!.id, booster!.id);
    const post = await createStatus(db(), { accountId: author!.id, text: 'post' });
    const boost = await reblogStatus(db(), { accountId: booster!.id, statusId: post.id });
    const own = await createStatus(db(), { accountId: booster!.id, text: 'booster’s own' });
    await applyPendingFeedEvents(db());
    // Followed after the boost arrived (a boost whose original is in the feed is not pushed).
    await follow(reader!.id, author!.id);
    await fanOutStatus(db(), post.id);
    expect(await feedOf(reader!.id)).toEqual([own.id, boost.id, post.id]);
    expect(await removeAuthorFromFeed(db(), reader!.id, author!.id)).toBe(1);
    expect(await feedOf(reader!.id)).toEqual([own.id, boost.id]);
    expect(await removeAuthorFromFeed(db(), reader!.id, author!.id, { boostsOfAuthor: true })).toBe(
      1,
    );
    expect(await feedOf(reader!.id)).toEqual([own.id]);
  });

  it('trimHomeFeeds keeps the newest entries and the read still answers older pages', async () => {
    const [reader, author] = await Promise.all([1, 2].map(() => createAccountFixture(db())));
    await follow(reader!.id, author!.id);
    await buildHomeFeed(db(), reader!.id);
    await insertStatuses(author!.id, HOME_FEED_LENGTH + 30);
    // As if each had been fanned out.
    await db().primary.execute(sql`insert into home_feed_entries (account_id, status_id, author_id)
      select ${reader!.id}, id, account_id from statuses where account_id = ${author!.id}`);
    let after: string | undefined;
    let removed = 0;
    for (;;) {
      const batch = await trimHomeFeeds(db(), {
        ...(after ? { afterAccountId: after } : {}),
        accounts: 1000,
      });
      removed += batch.removed;
      if (!batch.lastAccountId) break;
      after = batch.lastAccountId;
    }
    expect(removed).toBe(30);
    expect((await feedOf(reader!.id)).length).toBe(HOME_FEED_LENGTH);
    const oldest = await homeIds(reader!.id, { limit: 40, minId: '1' });
    expect(oldest).toHaveLength(40);
    const [row] = await queryRows<{ ids: string[] }>(
      db().primary,
      sql`select array_agg(id::text order by id desc) as ids from (select id from statuses
        where account_id = ${author!.id} order by id limit 40) x`,
    );
    expect(oldest).toEqual(row!.ids);
  });
});
