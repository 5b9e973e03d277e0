/**
 * Grouped notifications (`/api/v2/notifications`, Mastodon 4.3+), what current apps load in their
 * notifications tab: groups, paging by Link, filters, one group, its accounts, dismissal and the
 * unread count. Every body is checked against Mastodon's own OpenAPI description.
 */
import { type Database } from '@murmur/db';
import { createStatus, favouriteStatus, reblogStatus } from '@murmur/db/statuses';
import { followAccount } from '@murmur/db/follows';
import { createAccountFixture, deliverNotifications } from '@murmur/db/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import { expectMastodonSchema } from './_openapi.js';
import { json, links, pathOf, signedInUser, type TestUser, useServer } from './_mastodon.js';

let app: ApiInstance;
let database: Database;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let dave: TestUser;
let popular: string;
let quiet: string;
const mentions: string[] = [];

useServer((server) => ({ app, database, alice, bob } = server));

interface Group {
  group_key: string;
  type: string;
  notifications_count: number;
  most_recent_notification_id: string;
  sample_account_ids: string[];
  status_id?: string;
  page_min_id: string;
  page_max_id: string;
}
interface Results {
  accounts: { id: string }[];
  partial_accounts?: { id: string }[];
  statuses: { id: string }[];
  notification_groups: Group[];
}

beforeAll(async () => {
  carol = await signedInUser(database);
  dave = await signedInUser(database);
  popular = (await createStatus(database, { accountId: alice.id, text: 'popular' })).id;
  quiet = (await createStatus(database, { accountId: alice.id, text: 'quiet' })).id;
  for (const fan of [bob, carol, dave]) {
    await favouriteStatus(database, { accountId: fan.id, statusId: popular });
  }
  await followAccount(database, { accountId: bob.id, targetAccountId: alice.id });
  await reblogStatus(database, { accountId: bob.id, statusId: popular });
  await favouriteStatus(database, { accountId: carol.id, statusId: quiet });
  await reblogStatus(database, { accountId: carol.id, statusId: popular });
  await followAccount(database, { accountId: carol.id, targetAccountId: alice.id });
  for (const text of ['first', 'second']) {
    const mention = await createStatus(database, {
      accountId: bob.id,
      text: `${text} @${alice.username}`,
    });
    mentions.push(mention.id);
  }
  await followAccount(database, { accountId: dave.id, targetAccountId: alice.id });
  // What the worker's notifications consumer does with these events, in the order they happened.
  await deliverNotifications(database);
});

async function grouped(path: string, user: TestUser = alice) {
  const response = await app.inject({ url: path, headers: user.headers });
  const body = json<Results>(response);
  expectMastodonSchema('GroupedNotificationsResults', body);
  return { body, response };
}

const summary = (body: Results) =>
  body.notification_groups.map((g) => [g.type, g.notifications_count, g.status_id ?? null]);

describe('GET /api/v2/notifications', () => {
  it('is checked by a validator that can fail', () => {
    expect(() => expectMastodonSchema('GroupedNotificationsResults', { accounts: [] })).toThrow();
    expect(() =>
      expectMastodonSchema('NotificationGroup', {
        group_key: 'follow-12',
        most_recent_notification_id: '1',
        notifications_count: '1',
        sample_account_ids: [],
        type: 'follow',
      }),
    ).toThrow();
  });

  it('groups favourites and reblogs of one status, and follows; mentions stand alone', async () => {
    const { body } = await grouped('/api/v2/notifications');
    // Newest group first (by its newest notification): dave's follow came last.
    expect(summary(body)).toEqual([
      ['follow', 3, null],
      ['mention', 1, mentions[1]],
      ['mention', 1, mentions[0]],
      ['reblog', 2, popular],
      ['favourite', 1, quiet],
      ['favourite', 3, popular],
    ]);
    const favourites = body.notification_groups.at(-1)!;
    expect(favourites.group_key).toMatch(new RegExp(`^favourite-${popular}-\\d+$`));
    expect(favourites.sample_account_ids).toEqual([dave.id, carol.id, bob.id]);
    const follows = body.notification_groups[0]!;
    expect(follows.group_key).toMatch(/^follow-\d+$/);
    expect(follows.sample_account_ids).toEqual([dave.id, carol.id, bob.id]);
    expect(follows.most_recent_notification_id).toBe(follows.page_max_id);

    // Each account and each status once, and everything the groups name is there.
    const accountIds = body.accounts.map((a) => a.id);
    expect(new Set(accountIds).size).toBe(accountIds.length);
    expect(accountIds.sort()).toEqual([bob.id, carol.id, dave.id].sort());
    const statusIds = body.statuses.map((s) => s.id);
    expect(statusIds.sort()).toEqual([popular, quiet, ...mentions].sort());

    // The v1 list gives each notification the key of its group here.
    const v1 = json<{ id: string; type: string; group_key: string }[]>(
      await app.inject({ url: '/api/v1/notifications', headers: alice.headers }),
    );
    const keys = new Set(body.notification_groups.map((g) => g.group_key));
    expect(v1).toHaveLength(11);
    for (const notification of v1) expect(keys).toContain(notification.group_key);
    const mentionIds = v1.filter((n) => n.type === 'mention').map((n) => `ungrouped-${n.id}`);
    expect(
      body.notification_groups.filter((g) => g.type === 'mention').map((g) => g.group_key),
    ).toEqual(mentionIds);
  });

  it('does not group the types left out of grouped_types[], and filters by types[] and exclude_types[]', async () => {
    const { body } = await grouped('/api/v2/notifications?grouped_types[]=follow');
    expect(summary(body).filter(([type]) => type === 'favourite')).toHaveLength(4);
    expect(
      body.notification_groups
        .filter((g) => g.type === 'favourite')
        .every((g) => g.group_key.startsWith('ungrouped-')),
    ).toBe(true);
    expect(summary(body).filter(([type]) => type === 'follow')).toEqual([['follow', 3, null]]);

    const follows = await grouped('/api/v2/notifications?types[]=follow');
    expect(summary(follows.body)).toEqual([['follow', 3, null]]);
    const noMentions = await grouped(
      '/api/v2/notifications?exclude_types[]=mention&exclude_types[]=follow',
    );
    expect(summary(noMentions.body).map(([type]) => type)).toEqual([
      'reblog',
      'favourite',
      'favourite',
    ]);
    const fromCarol = await grouped(`/api/v2/notifications?account_id=${carol.id}`);
    expect(summary(fromCarol.body)).toEqual([
      ['follow', 1, null],
      ['reblog', 1, popular],
      ['favourite', 1, quiet],
      ['favourite', 1, popular],
    ]);
    const nothing = await grouped('/api/v2/notifications?types[]=poll');
    expect(nothing.body.notification_groups).toEqual([]);
  });

  it('pages by Link through every notification once, newest first, and back', async () => {
    const pages: Group[][] = [];
    let path: string | undefined = '/api/v2/notifications?limit=2';
    while (path && pages.length < 10) {
      const { body, response } = await grouped(path);
      if (body.notification_groups.length === 0) break;
      expect(body.notification_groups.length).toBeLessThanOrEqual(2);
      pages.push(body.notification_groups);
      const next = links(response).next;
      expect(next?.searchParams.get('limit')).toBe('2');
      path = next ? pathOf(next) : undefined;
    }
    // Each page covers the notifications below the previous one; a group with older
    // notifications further down appears again there (apps merge groups by key, as with Mastodon).
    const ids = (page: Group[], key: 'page_min_id' | 'page_max_id') =>
      page.map((g) => BigInt(g[key]));
    for (let i = 1; i < pages.length; i++) {
      const newestHere = ids(pages[i]!, 'page_max_id').reduce((a, b) => (a > b ? a : b));
      const oldestAbove = ids(pages[i - 1]!, 'page_min_id').reduce((a, b) => (a < b ? a : b));
      expect(newestHere < oldestAbove).toBe(true);
    }
    const all = await grouped('/api/v2/notifications');
    const firstSeen = [...new Set(pages.flat().map((g) => g.group_key))];
    expect(firstSeen).toEqual(all.body.notification_groups.map((g) => g.group_key));
    expect(pages.map((page) => page.map((g) => g.type))).toEqual([
      ['follow', 'mention'],
      ['mention', 'follow'],
      ['reblog', 'favourite'],
      ['reblog', 'follow'],
      ['favourite'],
    ]);

    // Polling for newer groups from the top: nothing yet.
    const first = await grouped('/api/v2/notifications?limit=2');
    const prev = links(first.response).prev!;
    expect((await grouped(pathOf(prev))).body.notification_groups).toEqual([]);
    // min_id pages forward from a cursor: the two groups just above the older mention.
    const olderMention = all.body.notification_groups[2]!;
    const newer = await grouped(`/api/v2/notifications?limit=2&min_id=${olderMention.page_max_id}`);
    expect(summary(newer.body)).toEqual([
      ['follow', 3, null],
      ['mention', 1, mentions[1]],
    ]);
    // Only dave's follow is above the mention.
    expect(newer.body.notification_groups[0]!.page_min_id).toBe(
      newer.body.notification_groups[0]!.page_max_id,
    );
  });

  it('with expand_accounts=partial_avatars, only the newest account of each group is in full', async () => {
    const { body } = await grouped(
      '/api/v2/notifications?expand_accounts=partial_avatars&types[]=favourite',
    );
    // Groups: favourite on quiet (carol), favourite on popular (dave, carol, bob).
    expect(body.accounts.map((a) => a.id).sort()).toEqual([carol.id, dave.id].sort());
    expect(body.partial_accounts!.map((a) => a.id)).toEqual([bob.id]);
    for (const partial of body.partial_accounts!) {
      expectMastodonSchema('PartialAccountWithAvatar', partial);
    }
  });

  it('answers 401 without a token and 403 without the scope', async () => {
    expect((await app.inject({ url: '/api/v2/notifications' })).statusCode).toBe(401);
    const writeOnly = await signedInUser(database, { scopes: ['write'] });
    const forbidden = await app.inject({
      url: '/api/v2/notifications',
      headers: writeOnly.headers,
    });
    expect(forbidden.statusCode).toBe(403);
  });
});

describe('one group', () => {
  it('GET /api/v2/notifications/:group_key and its accounts', async () => {
    const { body: all } = await grouped('/api/v2/notifications');
    const favourites = all.notification_groups.find(
      (g) => g.type === 'favourite' && g.status_id === popular,
    )!;
    const { body } = await grouped(`/api/v2/notifications/${favourites.group_key}`);
    expect(body.notification_groups).toEqual([favourites]);
    expect(body.statuses.map((s) => s.id)).toEqual([popular]);

    const mention = all.notification_groups.find((g) => g.type === 'mention')!;
    const single = await grouped(`/api/v2/notifications/${mention.group_key}`);
    expect(summary(single.body)).toEqual([['mention', 1, mention.status_id]]);

    const accounts = json<{ id: string }[]>(
      await app.inject({
        url: `/api/v2/notifications/${favourites.group_key}/accounts`,
        headers: alice.headers,
      }),
    );
    expect(accounts.map((a) => a.id)).toEqual([dave.id, carol.id, bob.id]);
    for (const account of accounts) expectMastodonSchema('Account', account);

    for (const unknown of [
      'favourite-1-12',
      'nonsense',
      `ungrouped-${mention.most_recent_notification_id}0`,
    ]) {
      for (const suffix of ['', '/accounts']) {
        const response = await app.inject({
          url: `/api/v2/notifications/${unknown}${suffix}`,
          headers: alice.headers,
        });
        expect(response.statusCode, unknown + suffix).toBe(404);
        expectMastodonSchema('Error', response.json());
      }
    }
    // Someone else's group is not found either.
    const other = await app.inject({
      url: `/api/v2/notifications/${favourites.group_key}`,
      headers: bob.headers,
    });
    expect(other.statusCode).toBe(404);
  });
});

describe('unread count and dismissal', () => {
  it('counts groups after the notifications marker', async () => {
    const count = async (query = '') =>
      json<{ count: number }>(
        await app.inject({
          url: `/api/v2/notifications/unread_count${query}`,
          headers: alice.headers,
        }),
      ).count;
    expect(await count()).toBe(6);
    expect(await count('?limit=2')).toBe(2);
    // Only types that cannot be grouped: nothing is grouped.
    expect(await count('?grouped_types[]=mention')).toBe(11);
    expect(await count('?types[]=mention')).toBe(2);

    const { body } = await grouped('/api/v2/notifications');
    // Read up to the older mention: newer are the other mention and the follows' newest (dave).
    const olderMention = body.notification_groups[2]!;
    const marker = await app.inject({
      method: 'POST',
      url: '/api/v1/markers',
      headers: alice.headers,
      payload: { notifications: { last_read_id: olderMention.page_max_id } },
    });
    expect(marker.statusCode).toBe(200);
    expect(await count()).toBe(2);
    const v1 = json<{ count: number }>(
      await app.inject({ url: '/api/v1/notifications/unread_count', headers: alice.headers }),
    );
    expect(v1.count).toBe(2);
  });

  it('POST /api/v2/notifications/:group_key/dismiss removes every notification of the group', async () => {
    const { body } = await grouped('/api/v2/notifications?types[]=reblog');
    const reblogs = body.notification_groups[0]!;
    const dismiss = () =>
      app.inject({
        method: 'POST',
        url: `/api/v2/notifications/${reblogs.group_key}/dismiss`,
        headers: alice.headers,
      });
    expect(json(await dismiss())).toEqual({});
    expect(
      (await grouped('/api/v2/notifications?types[]=reblog')).body.notification_groups,
    ).toEqual([]);
    const v1 = json<{ type: string }[]>(
      await app.inject({ url: '/api/v1/notifications?types[]=reblog', headers: alice.headers }),
    );
    expect(v1).toEqual([]);
    expect(json(await dismiss())).toEqual({}); // twice is harmless
    const nonsense = await app.inject({
      method: 'POST',
      url: '/api/v2/notifications/nonsense/dismiss',
      headers: alice.headers,
    });
    expect(nonsense.statusCode).toBe(404);
    // Other groups are untouched.
    expect(summary((await grouped('/api/v2/notifications?types[]=favourite')).body)).toHaveLength(
      2,
    );
  });
});

describe('a group larger than a page reads', () => {
  it('fills a short page and continues below it, with the whole count each time', async () => {
    const star = await signedInUser(database);
    const follower = await signedInUser(database);
    await followAccount(database, { accountId: follower.id, targetAccountId: star.id });
    const post = (await createStatus(database, { accountId: star.id, text: 'viral' })).id;
    for (let i = 0; i < 50; i++) {
      const fan = await createAccountFixture(database);
      await favouriteStatus(database, { accountId: fan.id, statusId: post });
    }
    await deliverNotifications(database);
    // Two groups asked for: a page reads at most 40 notifications, all of them favourites.
    const first = await grouped('/api/v2/notifications?limit=2', star);
    expect(summary(first.body)).toEqual([['favourite', 50, post]]);
    // Below the cursor, a group counts its notifications below the cursor (as Mastodon does).
    const second = await grouped(pathOf(links(first.response).next!), star);
    expect(summary(second.body)).toEqual([
      ['favourite', 10, post],
      ['follow', 1, null],
    ]);
    expect(second.body.notification_groups[0]!.group_key).toBe(
      first.body.notification_groups[0]!.group_key,
    );
  });
});
