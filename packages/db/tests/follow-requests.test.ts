/**
 * Locked accounts: following one asks, the owner authorizes or rejects, unfollowing withdraws,
 * unlocking authorizes every pending request; the `follow_request` notification lives exactly as
 * long as the request, and followers-only posts stay private until a request is authorized.
 */
import { describe, expect, it } from 'vitest';
import { accountStatuses } from '../src/timelines/index.js';
import {
  authorizeFollowRequest,
  followAccount,
  followRequestsOf,
  rejectFollowRequest,
  relationships,
  unfollowAccount,
} from '../src/follows/index.js';
import { findAccountById, updateProfile } from '../src/accounts/index.js';
import { listNotifications } from '../src/notifications/index.js';
import {
  createAccountFixture,
  createStatusFixture,
  deliverNotifications,
  outboxEvents,
  useTestDatabase,
} from '../src/testing/index.js';

const testDb = useTestDatabase();
const page = { limit: 40 };

async function lockedPair() {
  const owner = await createAccountFixture(testDb.database, { locked: true });
  const asker = await createAccountFixture(testDb.database);
  return { owner, asker };
}

async function notificationTypes(accountId: string) {
  await deliverNotifications(testDb.database);
  return (await listNotifications(testDb.database.primary, accountId, page)).map((n) => n.type);
}

function eventsBetween<T extends { data: { accountId: string; targetAccountId: string } }>(
  events: T[],
  accountId: string,
  targetAccountId: string,
): T[] {
  return events.filter(
    (e) => e.data.accountId === accountId && e.data.targetAccountId === targetAccountId,
  );
}

describe('following a locked account', () => {
  it('creates one request (not a follow), notified once, and keeps followers-only posts private', async () => {
    const { owner, asker } = await lockedPair();
    const secret = await createStatusFixture(testDb.database, {
      accountId: owner.id,
      visibility: 'private',
    });
    await followAccount(testDb.database, { accountId: asker.id, targetAccountId: owner.id });
    await followAccount(testDb.database, { accountId: asker.id, targetAccountId: owner.id });

    const [relationship] = await relationships(testDb.database.primary, asker.id, [owner.id]);
    expect(relationship).toMatchObject({ following: false, requested: true });
    const [reverse] = await relationships(testDb.database.primary, owner.id, [asker.id]);
    expect(reverse).toMatchObject({ followedBy: false, requestedBy: true });
    expect((await findAccountById(testDb.database.primary, owner.id))!.followersCount).toBe(0);

    const events = await outboxEvents(testDb.database, ['FollowRequested', 'AccountFollowed']);
    expect(eventsBetween(events, asker.id, owner.id).map((e) => e.type)).toEqual([
      'FollowRequested',
    ]);
    expect(await notificationTypes(owner.id)).toEqual(['follow_request']);

    const requests = await followRequestsOf(testDb.database.primary, owner.id, page);
    expect(requests.accounts.map((a) => a.id)).toEqual([asker.id]);

    const seen = await accountStatuses(testDb.database.primary, owner.id, page, asker.id);
    expect(seen.map((s) => s.id)).not.toContain(secret.id);
  });

  it('authorizing makes the follow (counters, AccountFollowed), ends the request and its notification, without a follow notification', async () => {
    const { owner, asker } = await lockedPair();
    const secret = await createStatusFixture(testDb.database, {
      accountId: owner.id,
      visibility: 'private',
    });
    await followAccount(testDb.database, { accountId: asker.id, targetAccountId: owner.id });
    expect(await notificationTypes(owner.id)).toEqual(['follow_request']);

    await authorizeFollowRequest(testDb.database, {
      accountId: asker.id,
      targetAccountId: owner.id,
    });
    await expect(
      authorizeFollowRequest(testDb.database, { accountId: asker.id, targetAccountId: owner.id }),
    ).rejects.toMatchObject({ code: 'AccountNotFound' });

    const [relationship] = await relationships(testDb.database.primary, asker.id, [owner.id]);
    expect(relationship).toMatchObject({ following: true, requested: false });
    expect((await findAccountById(testDb.database.primary, owner.id))!.followersCount).toBe(1);
    expect((await findAccountById(testDb.database.primary, asker.id))!.followingCount).toBe(1);
    const followed = await outboxEvents(testDb.database, ['AccountFollowed']);
    expect(eventsBetween(followed, asker.id, owner.id)).toHaveLength(1);
    expect(await notificationTypes(owner.id)).toEqual([]);

    const seen = await accountStatuses(testDb.database.primary, owner.id, page, asker.id);
    expect(seen.map((s) => s.id)).toContain(secret.id);
  });

  it('rejecting and withdrawing end the request and its notification, with no follow', async () => {
    const { owner, asker } = await lockedPair();
    const other = await createAccountFixture(testDb.database);
    await followAccount(testDb.database, { accountId: asker.id, targetAccountId: owner.id });
    await followAccount(testDb.database, { accountId: other.id, targetAccountId: owner.id });
    expect(await notificationTypes(owner.id)).toEqual(['follow_request', 'follow_request']);

    await rejectFollowRequest(testDb.database, { accountId: asker.id, targetAccountId: owner.id });
    await expect(
      rejectFollowRequest(testDb.database, { accountId: asker.id, targetAccountId: owner.id }),
    ).rejects.toMatchObject({ code: 'AccountNotFound' });
    await unfollowAccount(testDb.database, { accountId: other.id, targetAccountId: owner.id });

    expect(await notificationTypes(owner.id)).toEqual([]);
    const closed = await outboxEvents(testDb.database, ['FollowRequestClosed']);
    expect(
      closed.filter((e) => e.data.targetAccountId === owner.id).map((e) => e.data.outcome),
    ).toEqual(['rejected', 'withdrawn']);
    const rows = await relationships(testDb.database.primary, owner.id, [asker.id, other.id]);
    expect(rows.map((r) => [r.followedBy, r.requestedBy])).toEqual([
      [false, false],
      [false, false],
    ]);
    expect((await findAccountById(testDb.database.primary, owner.id))!.followersCount).toBe(0);
  });

  it('unlocking authorizes every pending request; later follows are immediate', async () => {
    const { owner, asker } = await lockedPair();
    const second = await createAccountFixture(testDb.database);
    const late = await createAccountFixture(testDb.database);
    await followAccount(testDb.database, { accountId: asker.id, targetAccountId: owner.id });
    await followAccount(testDb.database, { accountId: second.id, targetAccountId: owner.id });

    const unlocked = await updateProfile(testDb.database, owner.id, { locked: false });
    expect(unlocked).toMatchObject({ locked: false, followersCount: 2 });
    expect((await followRequestsOf(testDb.database.primary, owner.id, page)).accounts).toEqual([]);

    await followAccount(testDb.database, { accountId: late.id, targetAccountId: owner.id });
    const rows = await relationships(testDb.database.primary, owner.id, [
      asker.id,
      second.id,
      late.id,
    ]);
    expect(rows.every((r) => r.followedBy)).toBe(true);
    // Only the direct follow notifies as a follow.
    expect(await notificationTypes(owner.id)).toEqual(['follow']);
    const updated = await outboxEvents(testDb.database, ['AccountUpdated']);
    expect(updated.find((e) => e.data.accountId === owner.id)?.data.changed).toEqual(['locked']);
  });

  it('locking does not touch existing followers', async () => {
    const owner = await createAccountFixture(testDb.database);
    const follower = await createAccountFixture(testDb.database);
    await followAccount(testDb.database, { accountId: follower.id, targetAccountId: owner.id });
    await updateProfile(testDb.database, owner.id, { locked: true });
    await followAccount(testDb.database, { accountId: follower.id, targetAccountId: owner.id });
    const [row] = await relationships(testDb.database.primary, follower.id, [owner.id]);
    expect(row).toMatchObject({ following: true, requested: false });
  });
});
