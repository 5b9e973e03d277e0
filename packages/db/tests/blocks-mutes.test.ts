/**
 * Blocks and mutes, as a person relies on them: what they end (follows), what they hide (every
 * timeline, threads, search, lists, notifications and mention e-mails), what they refuse (follows,
 * reading the blocker's posts) and what they never reveal (a mute, to the muted account).
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../src/index.js';
import {
  accountStatuses,
  favouritedStatuses,
  findVisibleStatus,
  homeTimeline,
  publicTimeline,
  statusContext,
  tagTimeline,
} from '../src/timelines/index.js';
import { applyNotificationChanges, listNotifications } from '../src/notifications/index.js';
import {
  blockAccount,
  blockedBy,
  mutedAccounts,
  muteAccount,
  muteConversation,
  unblockAccount,
  unmuteAccount,
  unmuteConversation,
} from '../src/safety/index.js';
import { createStatus, favouriteStatus, reblogStatus } from '../src/statuses/index.js';
import { followAccount, relationships } from '../src/follows/index.js';
import { searchStatuses } from '../src/search/index.js';
import {
  createAccountFixture,
  deliverNotifications,
  applyPendingFeedEvents,
  outboxEvents,
  useTestDatabase,
} from '../src/testing/index.js';

const testDb = useTestDatabase();
const db = () => testDb.database;
const page = { limit: 40 };

async function accountsNamed(count: number) {
  return Promise.all(Array.from({ length: count }, () => createAccountFixture(db())));
}

async function post(accountId: string, text: string, extra: { inReplyToId?: string } = {}) {
  return (await createStatus(db(), { accountId, text, ...extra })).id;
}

const ids = (statuses: { id: string }[]) => statuses.map((s) => s.id);

async function notificationsOf(accountId: string) {
  await deliverNotifications(db());
  return (await listNotifications(db().primary, accountId, page)).map((n) => ({
    type: n.type,
    from: n.account.id,
  }));
}

describe('blockAccount', () => {
  it('ends the follows both ways with the events an unfollow writes, once', async () => {
    const [alice, bob] = await accountsNamed(2);
    await followAccount(db(), { accountId: alice!.id, targetAccountId: bob!.id });
    await followAccount(db(), { accountId: bob!.id, targetAccountId: alice!.id });
    expect(await notificationsOf(alice!.id)).toEqual([{ type: 'follow', from: bob!.id }]);

    await blockAccount(db(), { accountId: alice!.id, targetAccountId: bob!.id, requestId: 'r' });
    await blockAccount(db(), { accountId: alice!.id, targetAccountId: bob!.id });

    const [relation] = await relationships(db().primary, alice!.id, [bob!.id]);
    expect(relation).toMatchObject({ following: false, followedBy: false, blocking: true });
    const [reverse] = await relationships(db().primary, bob!.id, [alice!.id]);
    expect(reverse).toMatchObject({ blocking: false, blockedBy: true });
    const counts = await db().primary.execute<{ following: number; followers: number }>(
      sql`select following_count as following, followers_count as followers from accounts
        where id in (${alice!.id}, ${bob!.id})`,
    );
    expect(counts.rows).toEqual([
      { following: 0, followers: 0 },
      { following: 0, followers: 0 },
    ]);
    const mine = (await outboxEvents(db(), ['AccountUnfollowed', 'AccountBlocked'])).filter((e) =>
      [alice!.id, bob!.id].includes(e.data.accountId),
    );
    expect(mine.map((e) => [e.type, e.data.accountId])).toEqual([
      ['AccountUnfollowed', alice!.id],
      ['AccountUnfollowed', bob!.id],
      ['AccountBlocked', alice!.id],
    ]);
    // The follow notification went with the follow, and the rest with the block.
    expect(await notificationsOf(alice!.id)).toEqual([]);
    expect((await blockedBy(db().primary, alice!.id, page)).accounts.map((a) => a.id)).toEqual([
      bob!.id,
    ]);
  });

  it('refuses following either way while it stands, yourself, and unknown accounts', async () => {
    const [alice, bob] = await accountsNamed(2);
    await blockAccount(db(), { accountId: alice!.id, targetAccountId: bob!.id });
    for (const [from, to] of [
      [bob!, alice!],
      [alice!, bob!],
    ] as const) {
      const refused = followAccount(db(), { accountId: from.id, targetAccountId: to.id });
      await expect(refused).rejects.toThrow(DomainError);
      await expect(refused).rejects.toMatchObject({ code: 'NotAllowed' });
    }
    await blockAccount(db(), { accountId: alice!.id, targetAccountId: alice!.id });
    const [self] = await relationships(db().primary, alice!.id, [alice!.id]);
    expect(self).toMatchObject({ blocking: false });
    await expect(
      blockAccount(db(), { accountId: alice!.id, targetAccountId: '99999999' }),
    ).rejects.toMatchObject({ code: 'AccountNotFound' });

    await unblockAccount(db(), { accountId: alice!.id, targetAccountId: bob!.id });
    await unblockAccount(db(), { accountId: alice!.id, targetAccountId: bob!.id });
    await followAccount(db(), { accountId: bob!.id, targetAccountId: alice!.id });
    const unblocked = await outboxEvents(db(), ['AccountUnblocked']);
    expect(unblocked.filter((e) => e.data.accountId === alice!.id)).toHaveLength(1);
  });

  it("hides the blocked account's posts, boosts, replies and mentions from the blocker everywhere", async () => {
    const [alice, bob, carol] = await accountsNamed(3);
    await followAccount(db(), { accountId: alice!.id, targetAccountId: bob!.id });
    await followAccount(db(), { accountId: alice!.id, targetAccountId: carol!.id });
    const root = await post(alice!.id, 'root of a thread about #gardens');
    const bobs = await post(bob!.id, 'bob speaks of #gardens');
    const bobsReply = await post(bob!.id, 'a reply by bob', { inReplyToId: root });
    const carolsBoost = (await reblogStatus(db(), { accountId: carol!.id, statusId: bobs })).id;
    const carolMentionsBob = await post(carol!.id, `hello @${bob!.username} #gardens`);
    const carols = await post(carol!.id, 'carol alone');
    await favouriteStatus(db(), { accountId: alice!.id, statusId: bobs });
    await applyPendingFeedEvents(db());

    const homeBefore = ids(await homeTimeline(db(), alice!.id, page));
    expect(homeBefore).toEqual(
      expect.arrayContaining([bobs, carolsBoost, carolMentionsBob, carols, root]),
    );

    await blockAccount(db(), { accountId: alice!.id, targetAccountId: bob!.id });

    // Home: bob's posts, a boost of them, and a post mentioning him are gone; carol's stay.
    expect(ids(await homeTimeline(db(), alice!.id, page))).toEqual([carols, root]);
    const publicIds = ids(await publicTimeline(db().primary, page, alice!.id));
    expect(publicIds).not.toContain(bobs);
    expect(publicIds).not.toContain(bobsReply);
    expect(publicIds).toContain(carols);
    expect(ids(await tagTimeline(db().primary, 'gardens', page, alice!.id))).toEqual([
      carolMentionsBob,
      root,
    ]);
    expect(ids(await accountStatuses(db().primary, bob!.id, page, alice!.id))).toEqual([]);
    expect(ids(await accountStatuses(db().primary, carol!.id, page, alice!.id))).not.toContain(
      carolsBoost,
    );
    expect((await statusContext(db().primary, root, alice!.id))!.descendants).toEqual([]);
    expect(
      ids(await searchStatuses(db().primary, 'bob', { limit: 20, viewerId: alice!.id })),
    ).toEqual([]);
    expect((await favouritedStatuses(db().primary, alice!.id, page)).statuses).toEqual([]);

    // Signed out, or as someone else, nothing changed.
    expect(ids(await publicTimeline(db().primary, page))).toContain(bobs);
    expect(ids(await accountStatuses(db().primary, bob!.id, page, carol!.id))).toContain(bobs);

    // Unblocking restores the view at once (the follows stay ended, as in Mastodon).
    await unblockAccount(db(), { accountId: alice!.id, targetAccountId: bob!.id });
    expect(ids(await publicTimeline(db().primary, page, alice!.id))).toContain(bobs);
    expect(ids(await homeTimeline(db(), alice!.id, page))).toContain(carolsBoost);
  });

  it("keeps the blocker's posts from the blocked account while signed in", async () => {
    const [alice, bob, carol] = await accountsNamed(3);
    await followAccount(db(), { accountId: bob!.id, targetAccountId: alice!.id });
    await followAccount(db(), { accountId: bob!.id, targetAccountId: carol!.id });
    const alices = await post(alice!.id, 'alice in public');
    const carolsBoost = (await reblogStatus(db(), { accountId: carol!.id, statusId: alices })).id;
    await applyPendingFeedEvents(db());
    await blockAccount(db(), { accountId: alice!.id, targetAccountId: bob!.id });

    expect(await findVisibleStatus(db().primary, alices, bob!.id)).toBeNull();
    expect(await findVisibleStatus(db().primary, alices, null)).not.toBeNull();
    expect(ids(await accountStatuses(db().primary, alice!.id, page, bob!.id))).toEqual([]);
    expect(ids(await publicTimeline(db().primary, page, bob!.id))).not.toContain(alices);
    expect(ids(await homeTimeline(db(), bob!.id, page))).not.toContain(carolsBoost);
    await expect(
      favouriteStatus(db(), { accountId: bob!.id, statusId: alices }),
    ).rejects.toMatchObject({ code: 'StatusNotFound' });
    await expect(
      createStatus(db(), { accountId: bob!.id, text: 'reply', inReplyToId: alices }),
    ).rejects.toThrow(DomainError);
  });

  it('notifies nobody across a block, and sends no mention e-mail', async () => {
    const [alice, bob] = await accountsNamed(2);
    const alices = await post(alice!.id, 'something to favourite');
    await blockAccount(db(), { accountId: alice!.id, targetAccountId: bob!.id });
    // Written before the block reached the worker, delivered after: still nothing.
    await post(bob!.id, `hey @${alice!.username}`);
    await post(alice!.id, `hey @${bob!.username}`);
    await deliverNotifications(db());
    expect(await notificationsOf(alice!.id)).toEqual([]);
    expect(await notificationsOf(bob!.id)).toEqual([]);
    expect(alices).toBeTruthy();

    const mention = (await outboxEvents(db(), ['UserMentioned'])).find(
      (e) => e.data.accountId === bob!.id,
    )!;
    const [outcome] = await applyNotificationChanges(db(), 'a-fresh-consumer', [
      { event: mention },
    ]);
    expect(outcome).toEqual({ processed: false, created: false, mention: null });
  });
});

describe('muteAccount', () => {
  it('hides the muted account from timelines and threads, not from its profile, and never tells it', async () => {
    const [alice, bob] = await accountsNamed(2);
    await followAccount(db(), { accountId: alice!.id, targetAccountId: bob!.id });
    const root = await post(alice!.id, 'a thread');
    const bobs = await post(bob!.id, 'bob posts', { inReplyToId: root });
    const loud = await post(bob!.id, 'bob is loud');
    await applyPendingFeedEvents(db());

    await muteAccount(db(), { accountId: alice!.id, targetAccountId: bob!.id });
    expect(ids(await homeTimeline(db(), alice!.id, page))).toEqual([root]);
    expect(ids(await publicTimeline(db().primary, page, alice!.id))).not.toContain(loud);
    expect((await statusContext(db().primary, root, alice!.id))!.descendants).toEqual([]);
    expect(ids(await accountStatuses(db().primary, bob!.id, page, alice!.id))).toEqual([
      loud,
      bobs,
    ]);
    const [relation] = await relationships(db().primary, alice!.id, [bob!.id]);
    expect(relation).toMatchObject({
      following: true,
      muting: true,
      mutingNotifications: true,
      mutingExpiresAt: null,
    });
    const [seenByBob] = await relationships(db().primary, bob!.id, [alice!.id]);
    expect(seenByBob).toMatchObject({ muting: false, blockedBy: false, followedBy: true });

    await unmuteAccount(db(), { accountId: alice!.id, targetAccountId: bob!.id });
    expect(ids(await homeTimeline(db(), alice!.id, page))).toEqual([loud, bobs, root]);
    const events = await outboxEvents(db(), ['AccountMuted', 'AccountUnmuted']);
    expect(events.filter((e) => e.data.accountId === alice!.id).map((e) => e.type)).toEqual([
      'AccountMuted',
      'AccountUnmuted',
    ]);
  });

  it('hides notifications only when asked', async () => {
    const [alice, bob, carol] = await accountsNamed(3);
    await muteAccount(db(), { accountId: alice!.id, targetAccountId: bob!.id });
    await muteAccount(db(), {
      accountId: alice!.id,
      targetAccountId: carol!.id,
      notifications: false,
    });
    await post(bob!.id, `hi @${alice!.username}`);
    await post(carol!.id, `hi @${alice!.username}`);
    expect(await notificationsOf(alice!.id)).toEqual([{ type: 'mention', from: carol!.id }]);
    const [, carolRelation] = await relationships(db().primary, alice!.id, [bob!.id, carol!.id]);
    expect(carolRelation).toMatchObject({ muting: true, mutingNotifications: false });
  });

  it('ends by itself when its duration is over, with no job', async () => {
    const [alice, bob] = await accountsNamed(2);
    const bobs = await post(bob!.id, 'soon visible again');
    await muteAccount(db(), {
      accountId: alice!.id,
      targetAccountId: bob!.id,
      durationSeconds: 3600,
    });
    const listed = await mutedAccounts(db().primary, alice!.id, page);
    expect(listed.accounts).toHaveLength(1);
    const expiresAt = listed.accounts[0]!.expiresAt!;
    expect(Math.abs(expiresAt.getTime() - Date.now() - 3_600_000)).toBeLessThan(60_000);
    expect(ids(await publicTimeline(db().primary, page, alice!.id))).not.toContain(bobs);

    // The hour passes.
    await db().primary.execute(
      sql`update mutes set expires_at = now() - interval '1 second' where account_id = ${alice!.id}`,
    );
    expect(ids(await publicTimeline(db().primary, page, alice!.id))).toContain(bobs);
    expect((await mutedAccounts(db().primary, alice!.id, page)).accounts).toEqual([]);
    const [relation] = await relationships(db().primary, alice!.id, [bob!.id]);
    expect(relation).toMatchObject({ muting: false, mutingNotifications: false });
    await post(bob!.id, `back @${alice!.username}`);
    expect(await notificationsOf(alice!.id)).toEqual([{ type: 'mention', from: bob!.id }]);
  });

  it('refuses a bad duration, and does nothing to yourself', async () => {
    const [alice, bob] = await accountsNamed(2);
    await expect(
      muteAccount(db(), { accountId: alice!.id, targetAccountId: bob!.id, durationSeconds: -1 }),
    ).rejects.toMatchObject({ code: 'InvalidField' });
    await muteAccount(db(), { accountId: alice!.id, targetAccountId: alice!.id });
    const [self] = await relationships(db().primary, alice!.id, [alice!.id]);
    expect(self).toMatchObject({ muting: false });
  });
});

describe('muteConversation', () => {
  it('stops notifications from any status of the thread and marks its statuses muted', async () => {
    const [alice, bob] = await accountsNamed(2);
    const root = await post(alice!.id, 'a thread that will get noisy');
    const first = await post(bob!.id, `@${alice!.username} one`, { inReplyToId: root });
    expect(await notificationsOf(alice!.id)).toEqual([{ type: 'mention', from: bob!.id }]);

    // Muted from a reply deep in the thread: the whole conversation is muted.
    await muteConversation(db(), { accountId: alice!.id, statusId: first });
    const second = await post(bob!.id, `@${alice!.username} two`, { inReplyToId: first });
    await favouriteStatus(db(), { accountId: bob!.id, statusId: root });
    const elsewhere = await post(bob!.id, `@${alice!.username} another topic`);
    expect(await notificationsOf(alice!.id)).toEqual([
      { type: 'mention', from: bob!.id },
      { type: 'mention', from: bob!.id },
    ]);
    const thread = await statusContext(db().primary, root, alice!.id);
    expect(thread!.descendants.map((s) => [s.id, s.muted])).toEqual([
      [first, true],
      [second, true],
    ]);
    expect((await findVisibleStatus(db().primary, elsewhere, alice!.id))!.muted).toBe(false);
    expect((await findVisibleStatus(db().primary, root, bob!.id))!.muted).toBe(false);

    await unmuteConversation(db(), { accountId: alice!.id, statusId: root });
    await post(bob!.id, `@${alice!.username} three`, { inReplyToId: second });
    expect(await notificationsOf(alice!.id)).toHaveLength(3);
  });
});
