/**
 * The notification policy in the notify step: each kind of sender (new accounts, not followers,
 * limited accounts) accepted, filtered or dropped as the recipient chose, the strictest winning;
 * staff and accepted senders never filtered.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Database } from '../src/index.js';
import { createStatus, favouriteStatus } from '../src/statuses/index.js';
import { followAccount } from '../src/follows/index.js';
import { updateNotificationPolicy } from '../src/notifications/index.js';
import {
  createAccountFixture,
  deliverNotifications,
  useTestDatabase,
} from '../src/testing/index.js';

const testDb = useTestDatabase();
let database: Database;

beforeAll(async () => {
  database = testDb.database;
});

/** An account created `days` ago (accounts under 30 days old are "new"). */
async function accountAged(days: number) {
  const account = await createAccountFixture(database);
  await database.pool.query(
    `update accounts set created_at = now() - make_interval(days => $2) where id = $1`,
    [account.id, days],
  );
  return account;
}

/** What the recipient has from `from`: 'accepted', 'filtered' or 'none'. */
async function outcome(recipientId: string, fromId: string): Promise<string> {
  const { rows } = await database.pool.query<{ filtered: boolean }>(
    `select filtered from notifications where account_id = $1 and from_account_id = $2`,
    [recipientId, fromId],
  );
  if (rows.length === 0) return 'none';
  return rows.every((r) => r.filtered) ? 'filtered' : 'accepted';
}

async function favouriteFrom(senderId: string, statusId: string) {
  await favouriteStatus(database, { accountId: senderId, statusId });
}

describe('notification policy in the notify step', () => {
  it('filters or drops by kind of sender, the strictest policy winning', async () => {
    const me = await accountAged(400);
    const post = await createStatus(database, { accountId: me.id, text: 'notice me' });
    const newcomer = await accountAged(2);
    const veteran = await accountAged(365);
    const follower = await accountAged(365);
    await followAccount(database, { accountId: follower.id, targetAccountId: me.id });
    await updateNotificationPolicy(database, me.id, {
      forNewAccounts: 'filter',
      forNotFollowers: 'drop',
    });
    // The newcomer follows me (so "not followers" does not apply): only "new account" filters.
    await followAccount(database, { accountId: newcomer.id, targetAccountId: me.id });
    for (const sender of [newcomer, veteran, follower]) await favouriteFrom(sender.id, post.id);
    await deliverNotifications(database);
    expect(await outcome(me.id, newcomer.id)).toBe('filtered');
    expect(await outcome(me.id, veteran.id)).toBe('none');
    expect(await outcome(me.id, follower.id)).toBe('accepted');
  });

  it('filters accounts limited by a moderator unless followed, and never filters staff', async () => {
    const me = await accountAged(400);
    const post = await createStatus(database, { accountId: me.id, text: 'hello' });
    const limited = await accountAged(400);
    const limitedFriend = await accountAged(400);
    const moderator = await accountAged(1);
    await database.pool.query(
      `update accounts set silenced_at = now() where id = any($1::bigint[])`,
      [[limited.id, limitedFriend.id]],
    );
    await database.pool.query(`update accounts set role = 'moderator' where id = $1`, [
      moderator.id,
    ]);
    await followAccount(database, { accountId: me.id, targetAccountId: limitedFriend.id });
    // The moderator's account is new: staff are exempt even so.
    await updateNotificationPolicy(database, me.id, { forNewAccounts: 'drop' });
    for (const sender of [limited, limitedFriend, moderator])
      await favouriteFrom(sender.id, post.id);
    await deliverNotifications(database);
    // Default for limited accounts: filter. Followed: accepted. Staff: never filtered or dropped.
    expect(await outcome(me.id, limited.id)).toBe('filtered');
    expect(await outcome(me.id, limitedFriend.id)).toBe('accepted');
    expect(await outcome(me.id, moderator.id)).toBe('accepted');

    await updateNotificationPolicy(database, me.id, { forLimitedAccounts: 'accept' });
    const other = await createStatus(database, { accountId: me.id, text: 'again' });
    const another = await accountAged(400);
    await database.pool.query(`update accounts set silenced_at = now() where id = $1`, [
      another.id,
    ]);
    await favouriteFrom(another.id, other.id);
    await deliverNotifications(database);
    expect(await outcome(me.id, another.id)).toBe('accepted');
  });
});
