/**
 * What boosts, undone boosts, deletions, follows, unfollows and followed hashtags do to the
 * precomputed home feeds, through the events the consumer processes (`applyPendingFeedEvents` runs
 * the consumer's steps without NATS), each event applied three times where redelivery matters.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { applyHomeFeedEvent, type HomeFeedEvent } from '../src/feeds/index.js';
import { createStatus, deleteStatus, reblogStatus } from '../src/statuses/index.js';
import { followAccount, unfollowAccount } from '../src/follows/index.js';
import { followTag, unfollowTag } from '../src/tags/index.js';
import { homeTimeline } from '../src/timelines/index.js';
import { queryRows } from '../src/client.js';
import {
  applyPendingFeedEvents,
  createAccountFixture,
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

const homeIds = async (readerId: string) =>
  (await homeTimeline(db(), readerId, { limit: 40 })).map((s) => s.id);

const accounts = (n: number) =>
  Promise.all(Array.from({ length: n }, () => createAccountFixture(db())));

/** The outbox's events of a type about an account or status, oldest first, as delivered. */
async function eventsOf(type: HomeFeedEvent['type'], about: string): Promise<HomeFeedEvent[]> {
  const rows = await queryRows<{ payload: HomeFeedEvent }>(
    db().primary,
    sql`select payload from outbox_events where type = ${type}
      and payload::text like ${`%"${about}"%`} order by occurred_at, id`,
  );
  return rows.map((r) => r.payload);
}

/** Applies an event three times (a redelivery, twice): the feed must end as after once. */
async function applyThrice(event: HomeFeedEvent): Promise<void> {
  for (let i = 0; i < 3; i++) await applyHomeFeedEvent(db(), event);
}

describe('boosts in home feeds', () => {
  it('a boost enters the feeds of the booster’s followers, once however often delivered', async () => {
    const [author, booster, reader] = await accounts(3);
    await followAccount(db(), { accountId: reader!.id, targetAccountId: booster!.id });
    await homeIds(reader!.id); // builds the feed
    const post = await createStatus(db(), { accountId: author!.id, text: 'worth sharing' });
    const boost = await reblogStatus(db(), { accountId: booster!.id, statusId: post.id });
    await applyPendingFeedEvents(db());
    const [reblogged] = await eventsOf('StatusReblogged', post.id);
    await applyThrice(reblogged!);
    expect(await feedOf(reader!.id)).toEqual([boost.id]);
    expect(await homeIds(reader!.id)).toEqual([boost.id]);
  });

  it('leaves a boost out when the reader’s feed shows the original near its top, and a second boost of it', async () => {
    const [author, boosterA, boosterB, reader] = await accounts(4);
    for (const target of [author!, boosterA!, boosterB!]) {
      await followAccount(db(), { accountId: reader!.id, targetAccountId: target.id });
    }
    await homeIds(reader!.id);
    const post = await createStatus(db(), { accountId: author!.id, text: 'original' });
    await applyPendingFeedEvents(db());
    const earlierBoost = await reblogStatus(db(), { accountId: boosterA!.id, statusId: post.id });
    await applyPendingFeedEvents(db());
    // The original is in the feed: the boost adds nothing.
    expect(await feedOf(reader!.id)).toEqual([post.id]);

    // Another reader who follows only the boosters sees the first boost, not the second.
    const [other] = await accounts(1);
    const elsewhere = await createStatus(db(), { accountId: author!.id, text: 'another' });
    for (const target of [boosterA!, boosterB!]) {
      await followAccount(db(), { accountId: other!.id, targetAccountId: target.id });
    }
    await homeIds(other!.id);
    await applyPendingFeedEvents(db());
    const first = await reblogStatus(db(), { accountId: boosterA!.id, statusId: elsewhere.id });
    await applyPendingFeedEvents(db());
    await reblogStatus(db(), { accountId: boosterB!.id, statusId: elsewhere.id });
    await applyPendingFeedEvents(db());
    // (The earlier boost came in with the build of this reader's feed.)
    expect(await feedOf(other!.id)).toEqual([first.id, earlierBoost.id]);
  });

  it('puts a boost of the reader’s own post into their home (Mastodon filters no such boost)', async () => {
    const [reader, booster] = await accounts(2);
    await followAccount(db(), { accountId: reader!.id, targetAccountId: booster!.id });
    await homeIds(reader!.id);
    const mine = await createStatus(db(), { accountId: reader!.id, text: 'mine' });
    const boost = await reblogStatus(db(), { accountId: booster!.id, statusId: mine.id });
    await applyPendingFeedEvents(db());
    expect(await homeIds(reader!.id)).toEqual([boost.id, mine.id]);
  });

  it('shows the reader’s own boost in their home at once, before any fan-out', async () => {
    const [reader, author] = await accounts(2);
    const post = await createStatus(db(), { accountId: author!.id, text: 'boost me' });
    const boost = await reblogStatus(db(), { accountId: reader!.id, statusId: post.id });
    expect(await homeIds(reader!.id)).toEqual([boost.id]);
  });

  it('an undone boost leaves the feeds; delivered again, it removes nothing more', async () => {
    const [author, booster, reader] = await accounts(3);
    await followAccount(db(), { accountId: reader!.id, targetAccountId: booster!.id });
    await homeIds(reader!.id);
    const post = await createStatus(db(), { accountId: author!.id, text: 'briefly shared' });
    const boost = await reblogStatus(db(), { accountId: booster!.id, statusId: post.id });
    await applyPendingFeedEvents(db());
    expect(await feedOf(reader!.id)).toEqual([boost.id]);
    await deleteStatus(db(), { accountId: booster!.id, statusId: boost.id });
    await applyPendingFeedEvents(db());
    expect(await feedOf(reader!.id)).toEqual([]);
    // A StatusReblogged delivered late, after the undo, adds nothing back.
    const [reblogged] = await eventsOf('StatusReblogged', post.id);
    await applyThrice(reblogged!);
    expect(await feedOf(reader!.id)).toEqual([]);
  });
});

describe('deletions in home feeds', () => {
  it('a deleted post and its boosts leave every feed they were in', async () => {
    const [author, booster, follower, boosterFollower] = await accounts(4);
    await followAccount(db(), { accountId: follower!.id, targetAccountId: author!.id });
    await followAccount(db(), { accountId: boosterFollower!.id, targetAccountId: booster!.id });
    await Promise.all([homeIds(follower!.id), homeIds(boosterFollower!.id)]);
    const post = await createStatus(db(), { accountId: author!.id, text: 'regrettable' });
    const boost = await reblogStatus(db(), { accountId: booster!.id, statusId: post.id });
    await applyPendingFeedEvents(db());
    expect(await feedOf(follower!.id)).toEqual([post.id]);
    expect(await feedOf(boosterFollower!.id)).toEqual([boost.id]);
    await deleteStatus(db(), { accountId: author!.id, statusId: post.id });
    await applyPendingFeedEvents(db());
    expect(await feedOf(follower!.id)).toEqual([]);
    expect(await feedOf(boosterFollower!.id)).toEqual([]);
    const [deleted] = await eventsOf('StatusDeleted', post.id);
    expect(deleted!.type === 'StatusDeleted' && deleted!.data.reblogIds).toEqual([boost.id]);
    await applyThrice(deleted!);
    expect(await feedOf(follower!.id)).toEqual([]);
  });
});

describe('follows and unfollows in home feeds', () => {
  it('a follow merges the account’s recent posts into the built feed, without a rebuild', async () => {
    const [reader, author] = await accounts(2);
    await homeIds(reader!.id);
    const posts = [];
    for (let i = 0; i < 3; i++) {
      posts.push(await createStatus(db(), { accountId: author!.id, text: `older ${i}` }));
    }
    await applyPendingFeedEvents(db());
    const builtAt = async () =>
      (
        await queryRows<{ builtAt: string }>(
          db().primary,
          sql`select built_at::text as "builtAt" from home_feed_state where account_id = ${reader!.id}`,
        )
      )[0]?.builtAt;
    const before = await builtAt();
    await followAccount(db(), { accountId: reader!.id, targetAccountId: author!.id });
    const [followed] = await eventsOf('AccountFollowed', author!.id);
    await applyThrice(followed!);
    const expected = posts.map((p) => p.id).reverse();
    expect(await feedOf(reader!.id)).toEqual(expected);
    expect(await homeIds(reader!.id)).toEqual(expected);
    // The read found the follow merged: it did not rebuild the feed.
    expect(await builtAt()).toBe(before);
  });

  it('an unfollow takes the account’s entries out; delivered again after a new follow, it removes nothing', async () => {
    const [reader, author, friend] = await accounts(3);
    await followAccount(db(), { accountId: reader!.id, targetAccountId: author!.id });
    await followAccount(db(), { accountId: reader!.id, targetAccountId: friend!.id });
    await homeIds(reader!.id);
    const post = await createStatus(db(), { accountId: author!.id, text: 'bye' });
    const kept = await createStatus(db(), { accountId: friend!.id, text: 'still here' });
    await applyPendingFeedEvents(db());
    await unfollowAccount(db(), { accountId: reader!.id, targetAccountId: author!.id });
    await applyPendingFeedEvents(db());
    expect(await feedOf(reader!.id)).toEqual([kept.id]);

    await followAccount(db(), { accountId: reader!.id, targetAccountId: author!.id });
    await applyPendingFeedEvents(db());
    expect(await feedOf(reader!.id)).toEqual([kept.id, post.id]);
    const [unfollowed] = await eventsOf('AccountUnfollowed', author!.id);
    await applyThrice(unfollowed!);
    expect(await feedOf(reader!.id)).toEqual([kept.id, post.id]);
  });
});

describe('followed hashtags in home feeds', () => {
  it('a reader who follows a hashtag and no account sees its public posts, and only those', async () => {
    const [reader, author] = await accounts(2);
    await followTag(db(), { accountId: reader!.id, name: 'gardening' });
    expect(await homeIds(reader!.id)).toEqual([]);
    const tagged = await createStatus(db(), { accountId: author!.id, text: 'tomatoes #Gardening' });
    const unlisted = await createStatus(db(), {
      accountId: author!.id,
      text: 'quietly #gardening',
      visibility: 'unlisted',
    });
    const forFollowers = await createStatus(db(), {
      accountId: author!.id,
      text: 'friends #gardening',
      visibility: 'private',
    });
    await createStatus(db(), { accountId: author!.id, text: 'no tag here' });
    await applyPendingFeedEvents(db());
    const [created] = await eventsOf('PostCreated', tagged.id);
    await applyThrice(created!);
    expect(await feedOf(reader!.id)).toEqual([tagged.id]);
    expect(await homeIds(reader!.id)).toEqual([tagged.id]);
    expect([unlisted.id, forFollowers.id]).not.toContain((await homeIds(reader!.id))[0]);

    // Unfollowing the tag hides it at once (the read checks), deleting the post removes it.
    await unfollowTag(db(), { accountId: reader!.id, name: 'gardening' });
    expect(await homeIds(reader!.id)).toEqual([]);
    await followTag(db(), { accountId: reader!.id, name: 'gardening' });
    await deleteStatus(db(), { accountId: author!.id, statusId: tagged.id });
    await applyPendingFeedEvents(db());
    expect(await feedOf(reader!.id)).toEqual([]);
  });

  it('a follower of both the author and the tag gets the post once', async () => {
    const [reader, author] = await accounts(2);
    await followAccount(db(), { accountId: reader!.id, targetAccountId: author!.id });
    await followTag(db(), { accountId: reader!.id, name: 'news' });
    await homeIds(reader!.id);
    const post = await createStatus(db(), { accountId: author!.id, text: 'today #news' });
    await applyPendingFeedEvents(db());
    expect(await feedOf(reader!.id)).toEqual([post.id]);
    expect(await homeIds(reader!.id)).toEqual([post.id]);
  });
});
