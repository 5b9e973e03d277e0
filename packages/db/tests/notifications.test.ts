import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { type Database } from '../src/index.js';
import {
  clearNotifications,
  dismissNotification,
  getMarkers,
  getNotification,
  listNotifications,
  saveMarkers,
  unreadNotificationsCount,
} from '../src/notifications/index.js';
import {
  createStatus,
  deleteStatus,
  favouriteStatus,
  reblogStatus,
} from '../src/statuses/index.js';
import { followAccount } from '../src/follows/index.js';
import { readDailyStatistics, readInstanceCounts } from '../src/statistics/index.js';
import { notifications } from '../src/schema/index.js';
import {
  countStatements,
  createAccountFixture,
  deliverNotifications,
  useTestDatabase,
} from '../src/testing/index.js';

const testDb = useTestDatabase();
let database: Database;

beforeAll(async () => {
  database = testDb.database;
});

describe('notifications', () => {
  it('lists follow, favourite and reblog notifications newest first with a constant number of queries', async () => {
    const alice = await createAccountFixture(database);
    const fans = await Promise.all([1, 2, 3].map(() => createAccountFixture(database)));
    const post = await createStatus(database, { accountId: alice.id, text: 'hello' });
    for (const fan of fans) {
      await followAccount(database, { accountId: fan.id, targetAccountId: alice.id });
      await favouriteStatus(database, { accountId: fan.id, statusId: post.id });
      await reblogStatus(database, { accountId: fan.id, statusId: post.id });
    }
    await deliverNotifications(database);

    const { result: all, statements } = await countStatements(database, () =>
      listNotifications(database.primary, alice.id, { limit: 40 }),
    );
    expect(all).toHaveLength(9);
    expect(statements).toBeLessThanOrEqual(3);
    expect(all.map((n) => n.id)).toEqual(
      [...all.map((n) => n.id)].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1)),
    );
    const favourite = all.find((n) => n.type === 'favourite')!;
    expect(favourite.status?.id).toBe(post.id);
    expect(all.find((n) => n.type === 'follow')!.status).toBeNull();

    const onlyFollows = await listNotifications(
      database.primary,
      alice.id,
      { limit: 40 },
      { types: ['follow'] },
    );
    expect(onlyFollows.map((n) => n.type)).toEqual(['follow', 'follow', 'follow']);
    const noFollows = await listNotifications(
      database.primary,
      alice.id,
      { limit: 40 },
      { excludeTypes: ['follow', 'poll'] },
    );
    expect(noFollows).toHaveLength(6);
    const fromOne = await listNotifications(
      database.primary,
      alice.id,
      { limit: 40 },
      { fromAccountId: fans[0]!.id },
    );
    expect(fromOne).toHaveLength(3);
    expect(fromOne.every((n) => n.account.id === fans[0]!.id)).toBe(true);
    expect(
      await listNotifications(database.primary, alice.id, { limit: 40 }, { types: ['poll'] }),
    ).toEqual([]);
    expect(
      await listNotifications(database.primary, alice.id, { limit: 40 }, { fromAccountId: 'abc' }),
    ).toEqual([]);

    const second = all[1]!;
    const older = await listNotifications(database.primary, alice.id, {
      limit: 2,
      maxId: second.id,
    });
    expect(older.map((n) => n.id)).toEqual([all[2]!.id, all[3]!.id]);
    const newer = await listNotifications(database.primary, alice.id, {
      limit: 2,
      minId: all[3]!.id,
    });
    expect(newer.map((n) => n.id)).toEqual([all[1]!.id, all[2]!.id]);
  });

  it('gets and dismisses only the recipient’s own notifications', async () => {
    const alice = await createAccountFixture(database);
    const bob = await createAccountFixture(database);
    await followAccount(database, { accountId: bob.id, targetAccountId: alice.id });
    await deliverNotifications(database);
    const [notification] = await listNotifications(database.primary, alice.id, { limit: 5 });
    expect((await getNotification(database.primary, alice.id, notification!.id)).type).toBe(
      'follow',
    );
    await expect(getNotification(database.primary, bob.id, notification!.id)).rejects.toMatchObject(
      {
        code: 'NotificationNotFound',
      },
    );
    await expect(getNotification(database.primary, alice.id, 'x1')).rejects.toMatchObject({
      code: 'NotificationNotFound',
    });
    await expect(
      dismissNotification(database, { accountId: bob.id, notificationId: notification!.id }),
    ).rejects.toMatchObject({ code: 'NotificationNotFound' });
    await dismissNotification(database, { accountId: alice.id, notificationId: notification!.id });
    expect(await listNotifications(database.primary, alice.id, { limit: 5 })).toEqual([]);
  });

  it('leaves out notifications about deleted statuses and clears all', async () => {
    const alice = await createAccountFixture(database);
    const bob = await createAccountFixture(database);
    const post = await createStatus(database, { accountId: alice.id, text: 'soon gone' });
    await favouriteStatus(database, { accountId: bob.id, statusId: post.id });
    await followAccount(database, { accountId: bob.id, targetAccountId: alice.id });
    await deliverNotifications(database);
    // Deleted, and the worker has not removed its notifications yet; and a mention notification
    // written after the post was deleted (events arrive late).
    await deleteStatus(database, { accountId: alice.id, statusId: post.id });
    await database.primary
      .insert(notifications)
      .values({ accountId: alice.id, fromAccountId: bob.id, type: 'mention', statusId: post.id });
    expect(
      (await listNotifications(database.primary, alice.id, { limit: 5 })).map((n) => n.type),
    ).toEqual(['follow']);
    expect(await clearNotifications(database, alice.id)).toBe(3);
    expect(await listNotifications(database.primary, alice.id, { limit: 5 })).toEqual([]);
  });

  it('counts unread notifications after the notifications marker, capped', async () => {
    const alice = await createAccountFixture(database);
    const fans = await Promise.all([1, 2, 3].map(() => createAccountFixture(database)));
    for (const fan of fans)
      await followAccount(database, { accountId: fan.id, targetAccountId: alice.id });
    await deliverNotifications(database);
    expect(await unreadNotificationsCount(database.primary, alice.id)).toBe(3);
    expect(await unreadNotificationsCount(database.primary, alice.id, 2)).toBe(2);
    const list = await listNotifications(database.primary, alice.id, { limit: 5 });
    await saveMarkers(database, alice.id, { notifications: list[1]!.id });
    expect(await unreadNotificationsCount(database.primary, alice.id)).toBe(1);
  });
});

describe('markers', () => {
  it('saves markers, bumping the version, and reads back only the asked timelines', async () => {
    const alice = await createAccountFixture(database);
    expect(await getMarkers(database.primary, alice.id, ['home', 'notifications'])).toEqual([]);
    await saveMarkers(database, alice.id, { home: '100' });
    const [saved] = await saveMarkers(database, alice.id, { home: '200' });
    expect(saved).toMatchObject({ timeline: 'home', lastReadId: '200', version: 2 });
    expect(await getMarkers(database.primary, alice.id, ['home', 'bogus'])).toHaveLength(1);
    expect(await getMarkers(database.primary, alice.id, ['notifications'])).toEqual([]);
    await expect(saveMarkers(database, alice.id, { home: 'abc' })).rejects.toMatchObject({
      code: 'InvalidField',
    });
  });
});

describe('statistics', () => {
  it('reads daily rows in a range and instance counts', async () => {
    await database.primary.execute(sql`insert into daily_stats (day, posts, new_accounts, logins)
      values ('2024-01-01', 5, 1, 2), ('2024-01-08', 7, 0, 3), ('2024-03-01', 1, 1, 1)`);
    const rows = await readDailyStatistics(database.primary, {
      from: '2024-01-01',
      to: '2024-01-31',
    });
    expect(rows).toEqual([
      expect.objectContaining({ day: '2024-01-01', posts: 5, newAccounts: 1, logins: 2 }),
      expect.objectContaining({ day: '2024-01-08', posts: 7, newAccounts: 0, logins: 3 }),
    ]);
    const author = await createAccountFixture(database);
    await createStatus(database, { accountId: author.id, text: 'counted' });
    const counts = await readInstanceCounts(database.primary);
    expect(counts.users).toBeGreaterThan(0);
    expect(counts.activeMonth).toBeGreaterThanOrEqual(1);
    expect(counts.localPosts).toBeGreaterThanOrEqual(1);
  });
});
