/**
 * Every change writes its event(s) to the outbox in its own transaction, and nothing when it fails
 * or changes nothing; the notify step turns those events into notifications once, however often
 * an event is delivered.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { DomainEvent, EventType } from '@murmur/events';
import { type Database } from '../src/index.js';
import { applyNotificationChanges } from '../src/notifications/index.js';
import {
  createAuthorizationCode,
  issueAccessToken,
  redeemAuthorizationCode,
  registerApplication,
} from '../src/auth/index.js';
import {
  createStatus,
  deleteStatus,
  favouriteStatus,
  reblogStatus,
  unfavouriteStatus,
  unreblogStatus,
} from '../src/statuses/index.js';
import {
  endorseAccount,
  followAccount,
  removeFromFollowers,
  unendorseAccount,
  unfollowAccount,
} from '../src/follows/index.js';
import { pinStatus, unpinStatus } from '../src/statuses/index.js';
import { featureTag, unfeatureTag } from '../src/tags/index.js';
import { takeAccountAction } from '../src/moderation/index.js';
import type { AccountActionInput } from '../src/operations/moderation/take-account-action.js';
import { registerAccount, updateProfile } from '../src/accounts/index.js';
import { notifications } from '../src/schema/index.js';
import {
  createAccountFixture,
  deliverNotifications,
  outboxEvents,
  useTestDatabase,
} from '../src/testing/index.js';

const testDb = useTestDatabase();
let database: Database;

beforeAll(async () => {
  database = testDb.database;
});

/** The events `change` wrote (the outbox rows that appeared while it ran). */
async function eventsWrittenBy(change: () => Promise<unknown>): Promise<DomainEvent[]> {
  const before = new Set((await outboxEvents(database)).map((e) => e.id));
  await change();
  return (await outboxEvents(database)).filter((e) => !before.has(e.id));
}

async function expectEvents(change: () => Promise<unknown>, types: EventType[]) {
  const events = await eventsWrittenBy(change);
  expect(events.map((e) => e.type)).toEqual(types);
  return events;
}

async function expectNoEvent(change: () => Promise<unknown>, error?: string) {
  const events = await eventsWrittenBy(async () => {
    if (error) await expect(change()).rejects.toMatchObject({ code: error });
    else await change();
  });
  expect(events).toEqual([]);
}

async function notificationsOf(accountId: string) {
  return database.primary
    .select()
    .from(notifications)
    .where(eq(notifications.accountId, accountId))
    .orderBy(notifications.id);
}

describe('each operation writes its event, once, in its transaction', () => {
  it('favourite and unfavourite: one event each, none when repeated, none for a missing status', async () => {
    const alice = await createAccountFixture(database);
    const bob = await createAccountFixture(database);
    const post = await createStatus(database, { accountId: alice.id, text: 'like me' });
    const [favourited] = await expectEvents(
      () => favouriteStatus(database, { accountId: bob.id, statusId: post.id, requestId: 'req-f' }),
      ['StatusFavourited'],
    );
    expect(favourited).toMatchObject({
      requestId: 'req-f',
      data: { statusId: post.id, statusAccountId: alice.id, accountId: bob.id },
    });
    await expectNoEvent(() => favouriteStatus(database, { accountId: bob.id, statusId: post.id }));
    await expectNoEvent(
      () => favouriteStatus(database, { accountId: bob.id, statusId: '1' }),
      'StatusNotFound',
    );
    await expectEvents(
      () => unfavouriteStatus(database, { accountId: bob.id, statusId: post.id }),
      ['StatusUnfavourited'],
    );
    await expectNoEvent(() =>
      unfavouriteStatus(database, { accountId: bob.id, statusId: post.id }),
    );
  });

  it('favouriting a reblog favourites the original', async () => {
    const alice = await createAccountFixture(database);
    const bob = await createAccountFixture(database);
    const carol = await createAccountFixture(database);
    const post = await createStatus(database, { accountId: alice.id, text: 'original' });
    const wrapper = await reblogStatus(database, { accountId: bob.id, statusId: post.id });
    const [event] = await expectEvents(
      () => favouriteStatus(database, { accountId: carol.id, statusId: wrapper.id }),
      ['StatusFavourited'],
    );
    expect(event!.data).toMatchObject({ statusId: post.id, statusAccountId: alice.id });
  });

  it('reblog, unreblog and delete: StatusReblogged, ReblogUndone, StatusDeleted naming the reblogs', async () => {
    const alice = await createAccountFixture(database);
    const bob = await createAccountFixture(database);
    const carol = await createAccountFixture(database);
    const post = await createStatus(database, { accountId: alice.id, text: 'boost me' });
    let wrapperId = '';
    const [reblogged] = await expectEvents(async () => {
      wrapperId = (await reblogStatus(database, { accountId: bob.id, statusId: post.id })).id;
    }, ['StatusReblogged']);
    expect(reblogged!.data).toMatchObject({ reblogId: wrapperId, statusId: post.id });
    await expectNoEvent(async () => {
      expect((await reblogStatus(database, { accountId: bob.id, statusId: post.id })).id).toBe(
        wrapperId,
      );
    });
    await expectEvents(
      () => unreblogStatus(database, { accountId: bob.id, statusId: post.id }),
      ['ReblogUndone'],
    );
    await expectNoEvent(() => unreblogStatus(database, { accountId: bob.id, statusId: post.id }));

    const kept = await reblogStatus(database, { accountId: carol.id, statusId: post.id });
    await expectNoEvent(
      () => deleteStatus(database, { accountId: bob.id, statusId: post.id }),
      'NotAllowed',
    );
    const [deleted] = await expectEvents(
      () => deleteStatus(database, { accountId: alice.id, statusId: post.id }),
      ['StatusDeleted'],
    );
    expect(deleted!.data).toMatchObject({ statusId: post.id, reblogIds: [kept.id] });
    await expectNoEvent(
      () => deleteStatus(database, { accountId: alice.id, statusId: post.id }),
      'StatusNotFound',
    );
  });

  it('follow and unfollow: one event each, none when repeated, for oneself or a missing account', async () => {
    const alice = await createAccountFixture(database);
    const bob = await createAccountFixture(database);
    const follow = { accountId: bob.id, targetAccountId: alice.id };
    await expectEvents(() => followAccount(database, follow), ['AccountFollowed']);
    await expectNoEvent(() => followAccount(database, follow));
    await expectNoEvent(
      () => followAccount(database, { accountId: bob.id, targetAccountId: bob.id }),
      'CannotFollowSelf',
    );
    await expectNoEvent(
      () => followAccount(database, { accountId: bob.id, targetAccountId: '1' }),
      'AccountNotFound',
    );
    await expectEvents(() => unfollowAccount(database, follow), ['AccountUnfollowed']);
    await expectNoEvent(() => unfollowAccount(database, follow));
    // An id that cannot be an account's is a missing account too, not an invalid event.
    for (const change of [followAccount, unfollowAccount]) {
      await expectNoEvent(
        () => change(database, { accountId: bob.id, targetAccountId: 'not-an-id' }),
        'AccountNotFound',
      );
    }
  });

  it('registration, profile changes and sign-ins', async () => {
    const [registered] = await expectEvents(
      () =>
        registerAccount(
          database,
          { username: 'newcomer', email: 'newcomer@example.test', password: 'a long passphrase!' },
          { bcryptCost: 10 },
        ),
      ['AccountRegistered'],
    );
    const accountId = (registered!.data as { accountId: string }).accountId;
    await expectNoEvent(
      () =>
        registerAccount(
          database,
          { username: 'NEWCOMER', email: 'other@example.test', password: 'a long passphrase!' },
          { bcryptCost: 10 },
        ),
      'UsernameTaken',
    );
    const [updated] = await expectEvents(
      () => updateProfile(database, accountId, { displayName: 'New Comer', note: '' }),
      ['AccountUpdated'],
    );
    expect(updated!.data).toEqual({ accountId, changed: ['displayName'] });
    await expectNoEvent(() => updateProfile(database, accountId, { displayName: 'New Comer' }));
    await expectNoEvent(() => updateProfile(database, accountId, { emailOnMention: false }));

    const { application } = await registerApplication(database, {
      name: 'app',
      redirectUris: ['https://app.example/cb'],
      scopes: ['read'],
    });
    await expectNoEvent(() =>
      issueAccessToken(database, {
        applicationId: application.id,
        accountId: null,
        scopes: ['read'],
      }),
    );
    await expectEvents(
      () =>
        issueAccessToken(database, {
          applicationId: application.id,
          accountId,
          scopes: ['read'],
        }),
      ['SignedIn'],
    );
    const code = await createAuthorizationCode(database, {
      applicationId: application.id,
      accountId,
      redirectUri: 'https://app.example/cb',
      scopes: ['read'],
      codeChallenge: null,
      codeChallengeMethod: null,
      ttlMs: 60_000,
    });
    const redeem = () =>
      redeemAuthorizationCode(database, {
        code,
        applicationId: application.id,
        redirectUri: 'https://app.example/cb',
        codeVerifier: null,
        requestId: 'req-sign-in',
      });
    const [signedIn] = await expectEvents(redeem, ['SignedIn']);
    expect(signedIn).toMatchObject({
      requestId: 'req-sign-in',
      data: { accountId, via: 'authorization_code' },
    });
    await expectNoEvent(redeem, 'InvalidGrant');
  });
});

describe('every event type of profile features and moderation: one event, none when repeated, none when refused', () => {
  // Each row: the change, then the same change again (a no-op: no event), then a refused variant
  // (an error, no event). Types no other test of this file covers.
  type Actors = { alice: { id: string }; bob: { id: string }; postId: string };
  const cases: {
    type: EventType;
    before?: (a: Actors) => Promise<unknown>;
    change: (a: Actors) => Promise<unknown>;
    refused: (a: Actors) => Promise<unknown>;
    error: string;
  }[] = [
    {
      type: 'StatusPinned',
      change: (a) => pinStatus(database, { accountId: a.alice.id, statusId: a.postId }),
      refused: (a) => pinStatus(database, { accountId: a.bob.id, statusId: a.postId }),
      error: 'InvalidField',
    },
    {
      type: 'StatusUnpinned',
      before: (a) => pinStatus(database, { accountId: a.alice.id, statusId: a.postId }),
      change: (a) => unpinStatus(database, { accountId: a.alice.id, statusId: a.postId }),
      refused: (a) => unpinStatus(database, { accountId: a.alice.id, statusId: '1' }),
      error: 'StatusNotFound',
    },
    {
      type: 'TagFeatured',
      change: (a) => featureTag(database, { accountId: a.alice.id, name: 'cats' }),
      refused: (a) => featureTag(database, { accountId: a.alice.id, name: 'not a tag!' }),
      error: 'InvalidField',
    },
    {
      type: 'TagUnfeatured',
      before: (a) => featureTag(database, { accountId: a.alice.id, name: 'dogs' }),
      change: (a) => unfeatureTag(database, { accountId: a.alice.id, name: 'dogs' }),
      refused: (a) => unfeatureTag(database, { accountId: a.alice.id, featuredTagId: '1' }),
      error: 'StatusNotFound' /* the code unfeatureTag uses for any missing record */,
    },
    {
      type: 'AccountEndorsed',
      before: (a) => followAccount(database, { accountId: a.alice.id, targetAccountId: a.bob.id }),
      change: (a) => endorseAccount(database, { accountId: a.alice.id, targetAccountId: a.bob.id }),
      refused: (a) =>
        endorseAccount(database, { accountId: a.bob.id, targetAccountId: a.alice.id }),
      error: 'InvalidField',
    },
    {
      type: 'AccountUnendorsed',
      before: async (a) => {
        await followAccount(database, { accountId: a.alice.id, targetAccountId: a.bob.id });
        await endorseAccount(database, { accountId: a.alice.id, targetAccountId: a.bob.id });
      },
      change: (a) =>
        unendorseAccount(database, { accountId: a.alice.id, targetAccountId: a.bob.id }),
      refused: (a) => unendorseAccount(database, { accountId: a.alice.id, targetAccountId: '1' }),
      error: 'AccountNotFound',
    },
  ];
  const moderation: [EventType, AccountActionInput['type'], AccountActionInput['type'] | null][] = [
    ['AccountSuspended', 'suspend', null],
    ['AccountUnsuspended', 'unsuspend', 'suspend'],
    ['AccountSilenced', 'silence', null],
    ['AccountUnsilenced', 'unsilence', 'silence'],
    ['AccountSensitized', 'sensitive', null],
    ['AccountUnsensitized', 'unsensitive', 'sensitive'],
    ['AccountDisabled', 'disable', null],
    ['AccountEnabled', 'enable', 'disable'],
  ];
  for (const [type, action, first] of moderation) {
    cases.push({
      type,
      before: first
        ? (a) =>
            takeAccountAction(database, { moderatorId: null, accountId: a.bob.id, type: first })
        : undefined,
      change: (a) =>
        takeAccountAction(database, { moderatorId: null, accountId: a.bob.id, type: action }),
      // A moderator who is not staff is refused.
      refused: (a) =>
        takeAccountAction(database, { moderatorId: a.alice.id, accountId: a.bob.id, type: action }),
      error: 'NotAllowed',
    });
  }

  for (const c of cases) {
    it(c.type, async () => {
      const alice = await createAccountFixture(database);
      const bob = await createAccountFixture(database);
      const post = await createStatus(database, { accountId: alice.id, text: 'mine' });
      const actors = { alice, bob, postId: post.id };
      await c.before?.(actors);
      await expectEvents(() => c.change(actors), [c.type]);
      await expectNoEvent(() => c.change(actors));
      await expectNoEvent(() => c.refused(actors), c.error);
    });
  }
});

describe('the notify step', () => {
  it('creates each kind of notification once when its event is delivered three times, and announces it once', async () => {
    const alice = await createAccountFixture(database);
    const bob = await createAccountFixture(database);
    const post = await createStatus(database, { accountId: alice.id, text: 'hi' });
    const events = await eventsWrittenBy(async () => {
      await followAccount(database, { accountId: bob.id, targetAccountId: alice.id });
      await favouriteStatus(database, { accountId: bob.id, statusId: post.id });
      await reblogStatus(database, { accountId: bob.id, statusId: post.id });
      await createStatus(database, { accountId: bob.id, text: `@${alice.username} hello` });
    });
    const notifying = events.filter((e) => e.type !== 'PostCreated');
    expect(notifying.map((e) => e.type)).toEqual([
      'AccountFollowed',
      'StatusFavourited',
      'StatusReblogged',
      'UserMentioned',
    ]);
    const announced = await eventsWrittenBy(async () => {
      const deliveries = [1, 2, 3].map(() =>
        applyNotificationChanges(
          database,
          'notifications',
          notifying.map((event) => ({ event })),
        ),
      );
      const outcomes = (await Promise.all(deliveries)).flat();
      expect(outcomes.filter((o) => !o.processed && o.created)).toHaveLength(4);
      // And once more, after they all committed: processed.
      expect(
        await applyNotificationChanges(
          database,
          'notifications',
          notifying.map((event) => ({ event })),
        ),
      ).toEqual(notifying.map(() => ({ processed: true })));
    });
    expect((await notificationsOf(alice.id)).map((n) => n.type).sort()).toEqual([
      'favourite',
      'follow',
      'mention',
      'reblog',
    ]);
    expect(announced.map((e) => e.type)).toEqual(Array(4).fill('NotificationCreated'));
    const announcements = announced.map((e) => e.data as { type: string });
    expect(announcements.sort((a, b) => (a.type < b.type ? -1 : 1))).toEqual([
      expect.objectContaining({ type: 'favourite', accountId: alice.id, fromAccountId: bob.id }),
      expect.objectContaining({ type: 'follow', statusId: null }),
      expect.objectContaining({ type: 'mention' }),
      expect.objectContaining({ type: 'reblog', statusId: post.id }),
    ]);
    // Nobody is notified of their own actions.
    expect(await notificationsOf(bob.id)).toEqual([]);
  });

  it('does not notify oneself, and not of what was undone before the event arrived', async () => {
    const alice = await createAccountFixture(database);
    const bob = await createAccountFixture(database);
    const post = await createStatus(database, { accountId: alice.id, text: 'mine' });
    await favouriteStatus(database, { accountId: alice.id, statusId: post.id });
    await favouriteStatus(database, { accountId: bob.id, statusId: post.id });
    await unfavouriteStatus(database, { accountId: bob.id, statusId: post.id });
    await followAccount(database, { accountId: bob.id, targetAccountId: alice.id });
    await unfollowAccount(database, { accountId: bob.id, targetAccountId: alice.id });
    await deliverNotifications(database);
    expect(await notificationsOf(alice.id)).toEqual([]);
  });

  it('removes the notification on undo, unless the fact holds again', async () => {
    const alice = await createAccountFixture(database);
    const bob = await createAccountFixture(database);
    const post = await createStatus(database, { accountId: alice.id, text: 'undo me' });
    await favouriteStatus(database, { accountId: bob.id, statusId: post.id });
    await reblogStatus(database, { accountId: bob.id, statusId: post.id });
    await followAccount(database, { accountId: bob.id, targetAccountId: alice.id });
    await deliverNotifications(database);
    expect(await notificationsOf(alice.id)).toHaveLength(3);

    await unfavouriteStatus(database, { accountId: bob.id, statusId: post.id });
    await unreblogStatus(database, { accountId: bob.id, statusId: post.id });
    await unfollowAccount(database, { accountId: bob.id, targetAccountId: alice.id });
    // Followed again before the unfollow is delivered: the follow notification stays.
    await followAccount(database, { accountId: bob.id, targetAccountId: alice.id });
    await deliverNotifications(database);
    expect((await notificationsOf(alice.id)).map((n) => n.type)).toEqual(['follow']);
  });

  it('removes the follow notification of a follower removed (Mastodon does), not the others', async () => {
    const alice = await createAccountFixture(database);
    const bob = await createAccountFixture(database);
    const carol = await createAccountFixture(database);
    await followAccount(database, { accountId: bob.id, targetAccountId: alice.id });
    await followAccount(database, { accountId: carol.id, targetAccountId: alice.id });
    await deliverNotifications(database);
    await expectEvents(
      () => removeFromFollowers(database, { accountId: alice.id, followerAccountId: bob.id }),
      ['FollowerRemoved'],
    );
    await deliverNotifications(database);
    expect((await notificationsOf(alice.id)).map((n) => n.fromAccountId)).toEqual([carol.id]);
    // Removing him again changes nothing.
    await expectNoEvent(() =>
      removeFromFollowers(database, { accountId: alice.id, followerAccountId: bob.id }),
    );
  });

  it('removes every notification about a deleted status', async () => {
    const alice = await createAccountFixture(database);
    const bob = await createAccountFixture(database);
    const post = await createStatus(database, { accountId: alice.id, text: 'soon gone' });
    await favouriteStatus(database, { accountId: bob.id, statusId: post.id });
    await reblogStatus(database, { accountId: bob.id, statusId: post.id });
    await followAccount(database, { accountId: bob.id, targetAccountId: alice.id });
    await deliverNotifications(database);
    await deleteStatus(database, { accountId: alice.id, statusId: post.id });
    await deliverNotifications(database);
    expect((await notificationsOf(alice.id)).map((n) => n.type)).toEqual(['follow']);
  });
});
