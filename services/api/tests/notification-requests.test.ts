/**
 * Notification filtering as Mastodon 4.3 apps use it: the policy (v2 and v1 forms), notifications
 * it filters held in one request per sender (out of the lists, counts and announcements), accepting
 * a request (its notifications join the list, the sender is not filtered again), dismissing one
 * (they are deleted), and `drop` (nothing is created). Every body is checked against Mastodon's
 * own description.
 */
import { type Database } from '@murmur/db';
import { createStatus, favouriteStatus } from '@murmur/db/statuses';
import { followAccount } from '@murmur/db/follows';
import { deliverNotifications } from '@murmur/db/testing';
import { describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import { json, signedInUser, type TestUser, useServer } from './_mastodon.js';
import { expectMastodonResponse, expectMastodonSchema } from './_openapi.js';

let app: ApiInstance;
let database: Database;

useServer((server) => ({ app, database } = server));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are checked against the description
async function call<T = any>(
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  user: TestUser,
  options: { status?: number; payload?: object } = {},
): Promise<T> {
  const response = await app.inject({
    method,
    url,
    headers: user.headers,
    ...(options.payload ? { payload: options.payload } : {}),
  });
  const body = json<T>(response, options.status ?? 200);
  // The v1 policy (Mastodon 4.3.0's form) is not among the description's paths: its entity is.
  if (url.startsWith('/api/v1/notifications/policy'))
    expectMastodonSchema('V1NotificationPolicy', body);
  else expectMastodonResponse(response);
  return body;
}

/** A direct message from `from` to `to` (a private mention), delivered by the notify step. */
async function privateMention(from: TestUser, to: TestUser, text = 'psst') {
  const status = await createStatus(database, {
    accountId: from.id,
    text: `@${to.username} ${text}`,
    visibility: 'direct',
  });
  await deliverNotifications(database);
  return status;
}

const notificationIds = async (user: TestUser, query = '') =>
  (await call('GET', `/api/v1/notifications${query}`, user)).map(
    (n: { type: string; account: { id: string } }) => `${n.type}:${n.account.id}`,
  );

async function announcedTo(user: TestUser): Promise<number> {
  const { rows } = await database.pool.query<{ n: number }>(
    `select count(*)::int as n from outbox_events
      where type = 'NotificationCreated' and payload->'data'->>'accountId' = $1`,
    [user.id],
  );
  return rows[0]!.n;
}

describe('notification policy', () => {
  it("answers Mastodon's defaults, and changes one kind of sender at a time (v2 and v1 forms)", async () => {
    const me = await signedInUser(database);
    expect(await call('GET', '/api/v2/notifications/policy', me)).toEqual({
      for_not_following: 'accept',
      for_not_followers: 'accept',
      for_new_accounts: 'accept',
      for_private_mentions: 'filter',
      for_limited_accounts: 'filter',
      summary: { pending_requests_count: 0, pending_notifications_count: 0 },
    });
    const changed = await call('PATCH', '/api/v2/notifications/policy', me, {
      payload: { for_not_following: 'drop', for_new_accounts: 'filter' },
    });
    expect(changed).toMatchObject({
      for_not_following: 'drop',
      for_new_accounts: 'filter',
      for_private_mentions: 'filter',
    });
    expect(await call('GET', '/api/v1/notifications/policy', me)).toEqual({
      filter_not_following: true,
      filter_not_followers: false,
      filter_new_accounts: true,
      filter_private_mentions: true,
      summary: { pending_requests_count: 0, pending_notifications_count: 0 },
    });
    expect(
      await call('PATCH', '/api/v1/notifications/policy', me, {
        payload: { filter_not_following: false, filter_private_mentions: 'false' },
      }),
    ).toMatchObject({ filter_not_following: false, filter_private_mentions: false });
    expect(await call('GET', '/api/v2/notifications/policy', me)).toMatchObject({
      for_not_following: 'accept',
      for_new_accounts: 'filter',
      for_private_mentions: 'accept',
    });
    const refused = await app.inject({
      method: 'PATCH',
      url: '/api/v2/notifications/policy',
      headers: me.headers,
      payload: { for_not_followers: 'ignore' },
    });
    expect(refused.statusCode).toBe(422);
  });
});

describe('notification requests', () => {
  it('holds a stranger’s private mention in a request; accepting it releases it for good', async () => {
    const me = await signedInUser(database);
    const stranger = await signedInUser(database);
    const friend = await signedInUser(database);
    await followAccount(database, { accountId: me.id, targetAccountId: friend.id });

    const filtered = await privateMention(stranger, me, 'first');
    await privateMention(stranger, me, 'second');
    // Someone I follow is never filtered.
    await privateMention(friend, me);

    expect(await notificationIds(me)).toEqual([`mention:${friend.id}`]);
    const grouped = await call('GET', '/api/v2/notifications', me);
    expect(grouped.notification_groups.map((g: { type: string }) => g.type)).toEqual(['mention']);
    expect(await call('GET', '/api/v1/notifications/unread_count', me)).toEqual({ count: 1 });
    expect(await announcedTo(me)).toBe(1);
    expect(await notificationIds(me, '?include_filtered=true')).toEqual([
      `mention:${friend.id}`,
      `mention:${stranger.id}`,
      `mention:${stranger.id}`,
    ]);

    const requests = await call('GET', '/api/v1/notifications/requests', me);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request).toMatchObject({
      account: { id: stranger.id },
      notifications_count: '2',
      last_status: { content: expect.stringContaining('second') },
    });
    expect(await call('GET', `/api/v1/notifications/requests/${request.id}`, me)).toEqual(request);
    expect((await call('GET', '/api/v2/notifications/policy', me)).summary).toEqual({
      pending_requests_count: 1,
      pending_notifications_count: 2,
    });

    expect(await call('POST', `/api/v1/notifications/requests/${request.id}/accept`, me)).toEqual(
      {},
    );
    expect(await call('GET', '/api/v1/notifications/requests/merged', me)).toEqual({
      merged: true,
    });
    expect(await call('GET', '/api/v1/notifications/requests', me)).toEqual([]);
    await call('GET', `/api/v1/notifications/requests/${request.id}`, me, { status: 404 });
    expect(await notificationIds(me)).toEqual([
      `mention:${friend.id}`,
      `mention:${stranger.id}`,
      `mention:${stranger.id}`,
    ]);
    // Accepted: the next one is not filtered, and is announced.
    await privateMention(stranger, me, 'third');
    expect((await notificationIds(me))[0]).toBe(`mention:${stranger.id}`);
    expect(await announcedTo(me)).toBe(2);
    expect(filtered.id).toBeTruthy();
  });

  it('dismissing deletes what the request held; a later one opens a new request', async () => {
    const me = await signedInUser(database);
    const stranger = await signedInUser(database);
    await privateMention(stranger, me);
    const [request] = await call('GET', '/api/v1/notifications/requests', me);
    expect(await call('POST', `/api/v1/notifications/requests/${request.id}/dismiss`, me)).toEqual(
      {},
    );
    expect(await call('GET', '/api/v1/notifications/requests', me)).toEqual([]);
    expect(await notificationIds(me, '?include_filtered=true')).toEqual([]);
    await call('POST', `/api/v1/notifications/requests/${request.id}/dismiss`, me, { status: 404 });
    // Someone else's request is not found either.
    await call('POST', `/api/v1/notifications/requests/${request.id}/accept`, stranger, {
      status: 404,
    });

    await privateMention(stranger, me, 'again');
    const [reopened] = await call('GET', '/api/v1/notifications/requests', me);
    expect(reopened).toMatchObject({ account: { id: stranger.id }, notifications_count: '1' });
    expect(reopened.id).not.toBe(request.id);
  });

  it('filters and drops by policy, and accepts or dismisses several requests at once', async () => {
    const me = await signedInUser(database);
    const [one, two, three] = [
      await signedInUser(database),
      await signedInUser(database),
      await signedInUser(database),
    ];
    await call('PATCH', '/api/v2/notifications/policy', me, {
      payload: { for_not_following: 'filter' },
    });
    const post = await createStatus(database, { accountId: me.id, text: 'hello' });
    for (const user of [one, two, three]) {
      await favouriteStatus(database, { accountId: user.id, statusId: post.id });
    }
    await deliverNotifications(database);
    expect(await notificationIds(me)).toEqual([]);
    const requests = await call('GET', '/api/v1/notifications/requests?limit=2', me);
    expect(requests.map((r: { account: { id: string } }) => r.account.id)).toEqual([
      three.id,
      two.id,
    ]);
    expect(requests[0].last_status.id).toBe(post.id);

    await call('POST', '/api/v1/notifications/requests/accept', me, {
      payload: { id: requests.map((r: { id: string }) => r.id) },
    });
    expect(await notificationIds(me)).toEqual([`favourite:${three.id}`, `favourite:${two.id}`]);
    const [last] = await call('GET', '/api/v1/notifications/requests', me);
    expect(last.account.id).toBe(one.id);
    await call('POST', '/api/v1/notifications/requests/dismiss', me, {
      payload: { id: [last.id, '999'] },
    });
    expect(await call('GET', '/api/v1/notifications/requests', me)).toEqual([]);

    // `drop`: nothing is created at all, not even a request.
    await call('PATCH', '/api/v2/notifications/policy', me, {
      payload: { for_not_following: 'drop' },
    });
    const other = await createStatus(database, { accountId: me.id, text: 'again' });
    await favouriteStatus(database, { accountId: one.id, statusId: other.id });
    await deliverNotifications(database);
    expect(await notificationIds(me, '?include_filtered=true')).toEqual([
      `favourite:${three.id}`,
      `favourite:${two.id}`,
    ]);
    expect(await call('GET', '/api/v1/notifications/requests', me)).toEqual([]);
    // Accepted senders stay accepted whatever the policy says.
    await favouriteStatus(database, { accountId: two.id, statusId: other.id });
    await deliverNotifications(database);
    expect((await notificationIds(me))[0]).toBe(`favourite:${two.id}`);
  });
});
