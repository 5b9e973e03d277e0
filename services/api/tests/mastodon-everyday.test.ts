/**
 * The everyday features of Mastodon apps, through the API as clients call it: bookmarks, pinned
 * statuses, featured and followed hashtags, featured accounts, private notes, removing a follower,
 * familiar followers, the directory, suggestions, statuses and accounts by id, the operator's
 * texts and OpenID Connect's UserInfo. Every body is checked against Mastodon's own description.
 */
import { type Database } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import { followAccount } from '@murmur/db/follows';
import { outboxEvents } from '@murmur/db/testing';
import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import {
  checkedCaller,
  json,
  links,
  pathOf,
  signedInUser,
  type TestUser,
  tokenFor,
  useServer,
} from './_mastodon.js';
import { expectMastodonResponse } from './_openapi.js';

let app: ApiInstance;
let database: Database;
let alice: TestUser;
let bob: TestUser;

// The default contact (admin@localhost) is not an address the description's `email` format accepts.
useServer((server) => ({ app, database, alice, bob } = server), {
  INSTANCE_CONTACT_EMAIL: 'admin@murmur.test',
});

const call = checkedCaller(() => app);

async function raw(
  method: 'GET' | 'POST',
  url: string,
  user: TestUser | null,
): Promise<LightMyRequestResponse> {
  return app.inject({ method, url, headers: user ? user.headers : {} });
}

const post = async (user: TestUser, text: string, visibility?: 'private' | 'unlisted') =>
  (
    await createStatus(database, {
      accountId: user.id,
      text,
      ...(visibility ? { visibility } : {}),
    })
  ).id;

describe('bookmarks', () => {
  it('bookmarks a status, shows `bookmarked`, lists bookmarks newest first and pages them by Link', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await post(bob, `bookmark me ${i}`));
    // Bookmarked in another order than posted: the list follows when each was bookmarked.
    for (const id of [ids[1]!, ids[0]!, ids[2]!]) {
      const status = await call('POST', `/api/v1/statuses/${id}/bookmark`, alice);
      expect(status).toMatchObject({ id, bookmarked: true });
    }
    await call('POST', `/api/v1/statuses/${ids[2]}/bookmark`, alice); // twice changes nothing

    expect(await call('GET', `/api/v1/statuses/${ids[0]}`, alice)).toMatchObject({
      bookmarked: true,
    });
    expect(await call('GET', `/api/v1/statuses/${ids[0]}`, bob)).toMatchObject({
      bookmarked: false,
    });
    expect(await call('GET', `/api/v1/statuses/${ids[0]}`, null)).not.toHaveProperty('bookmarked');

    const first = await raw('GET', '/api/v1/bookmarks?limit=2', alice);
    expectMastodonResponse(first);
    expect(json(first).map((s: { id: string }) => s.id)).toEqual([ids[2], ids[0]]);
    const next = links(first).next!;
    const second = await call('GET', pathOf(next), alice);
    expect(second.map((s: { id: string }) => s.id)).toEqual([ids[1]]);

    expect(await call('POST', `/api/v1/statuses/${ids[0]}/unbookmark`, alice)).toMatchObject({
      bookmarked: false,
    });
    const left = await call('GET', '/api/v1/bookmarks', alice);
    expect(left.map((s: { id: string }) => s.id)).toEqual([ids[2], ids[1]]);
    expect(await call('GET', '/api/v1/bookmarks', bob)).toEqual([]);
  });

  it('bookmarking a reblog bookmarks its original; a status one may not see is a 404', async () => {
    const original = await post(bob, 'boost then bookmark');
    const reblog = await call('POST', `/api/v1/statuses/${original}/reblog`, alice);
    const bookmarked = await call('POST', `/api/v1/statuses/${reblog.id}/bookmark`, alice);
    expect(bookmarked).toMatchObject({ id: original, bookmarked: true });

    const hidden = await post(bob, 'followers only', 'private');
    await call('POST', `/api/v1/statuses/${hidden}/bookmark`, alice, { status: 404 });
    await call('POST', '/api/v1/statuses/not-an-id/bookmark', alice, { status: 404 });
    expect((await raw('GET', '/api/v1/bookmarks', null)).statusCode).toBe(401);
  });

  it('writes no event: bookmarks are private to their owner', async () => {
    const before = (await outboxEvents(database)).length;
    const id = await post(bob, 'a private bookmark');
    const afterPost = (await outboxEvents(database)).length;
    await call('POST', `/api/v1/statuses/${id}/bookmark`, alice);
    expect((await outboxEvents(database)).length).toBe(afterPost);
    expect(afterPost).toBeGreaterThan(before);
  });
});

describe('pinned statuses', () => {
  it('pins own public statuses, up to five, shows them on the profile and writes events', async () => {
    const pinner = await signedInUser(database);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await post(pinner, `pin candidate ${i}`));
    for (const id of ids.slice(0, 5)) {
      expect(await call('POST', `/api/v1/statuses/${id}/pin`, pinner)).toMatchObject({
        id,
        pinned: true,
      });
    }
    const refused = await call('POST', `/api/v1/statuses/${ids[5]}/pin`, pinner, { status: 422 });
    expect(refused.error).toMatch(/maximum/);
    // Pinning one already pinned is not a sixth pin.
    await call('POST', `/api/v1/statuses/${ids[0]}/pin`, pinner);

    const pinned = await call('GET', `/api/v1/accounts/${pinner.id}/statuses?pinned=true`, null);
    expect(pinned.map((s: { id: string }) => s.id)).toEqual(ids.slice(0, 5).reverse());
    expect(pinned[0]).not.toHaveProperty('pinned'); // only the author is told
    const own = await call('GET', `/api/v1/accounts/${pinner.id}/statuses?pinned=true`, pinner);
    expect(own.every((s: { pinned: boolean }) => s.pinned)).toBe(true);
    const timeline = await call('GET', `/api/v1/accounts/${pinner.id}/statuses`, pinner);
    expect(timeline.find((s: { id: string }) => s.id === ids[5])).toMatchObject({ pinned: false });

    expect(await call('POST', `/api/v1/statuses/${ids[1]}/unpin`, pinner)).toMatchObject({
      pinned: false,
    });
    await call('POST', `/api/v1/statuses/${ids[5]}/pin`, pinner);

    const events = await outboxEvents(database, ['StatusPinned', 'StatusUnpinned']);
    const mine = events.filter((e) => e.data.accountId === pinner.id);
    expect(mine.map((e) => e.type)).toEqual([
      ...Array(5).fill('StatusPinned'),
      'StatusUnpinned',
      'StatusPinned',
    ]);
    expect(mine.at(-1)!.data.statusId).toBe(ids[5]);
  });

  it("refuses someone else's status, a private one and a reblog", async () => {
    const bobs = await post(bob, 'not yours to pin');
    await call('POST', `/api/v1/statuses/${bobs}/pin`, alice, { status: 422 });
    const privateOne = await post(alice, 'for followers', 'private');
    await call('POST', `/api/v1/statuses/${privateOne}/pin`, alice, { status: 422 });
    const reblog = await call('POST', `/api/v1/statuses/${bobs}/reblog`, alice);
    await call('POST', `/api/v1/statuses/${reblog.id}/pin`, alice, { status: 422 });
  });

  it('two pins at once cannot both take the last place', async () => {
    const racer = await signedInUser(database);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await post(racer, `race ${i}`));
    for (const id of ids.slice(0, 4)) await call('POST', `/api/v1/statuses/${id}/pin`, racer);
    const results = await Promise.all(
      ids
        .slice(4)
        .map((id) =>
          app.inject({ method: 'POST', url: `/api/v1/statuses/${id}/pin`, headers: racer.headers }),
        ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 422, 422]);
    const pinned = await call('GET', `/api/v1/accounts/${racer.id}/statuses?pinned=true`, racer);
    expect(pinned).toHaveLength(5);
  });
});

describe('featured hashtags', () => {
  it('features hashtags, lists them with counts, suggests the others and removes them', async () => {
    const author = await signedInUser(database);
    await post(author, 'first #Gardening post');
    await post(author, 'second #gardening post #Cooking');
    const featured = await call('POST', '/api/v1/featured_tags', author, {
      payload: { name: '#Gardening' },
    });
    expect(featured).toMatchObject({
      name: 'gardening',
      statuses_count: '2',
      url: `https://murmur.test/@${author.username}/tagged/gardening`,
    });
    expect(featured.last_status_at).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    expect(await call('GET', '/api/v1/featured_tags', author)).toEqual([featured]);
    expect(await call('GET', `/api/v1/accounts/${author.id}/featured_tags`, null)).toEqual([
      featured,
    ]);
    const suggestions = await call('GET', '/api/v1/featured_tags/suggestions', author);
    expect(suggestions.map((t: { name: string }) => t.name)).toEqual(['cooking']);

    const tag = await call('POST', '/api/v1/tags/Cooking/feature', author);
    expect(tag).toMatchObject({ name: 'cooking', featuring: true });
    const bad = await call('POST', '/api/v1/featured_tags', author, {
      payload: { name: 'not a tag!' },
      status: 422,
    });
    expect(bad.error).toMatch(/hashtag/);

    expect(await call('DELETE', `/api/v1/featured_tags/${featured.id}`, author)).toEqual({});
    await call('DELETE', `/api/v1/featured_tags/${featured.id}`, author, { status: 404 });
    expect(await call('POST', '/api/v1/tags/cooking/unfeature', author)).toMatchObject({
      featuring: false,
    });
    expect(await call('GET', '/api/v1/featured_tags', author)).toEqual([]);

    const events = await outboxEvents(database, ['TagFeatured', 'TagUnfeatured']);
    expect(
      events
        .filter((e) => e.data.accountId === author.id)
        .map((e) => `${e.type} ${String(e.data.tag)}`),
    ).toEqual([
      'TagFeatured gardening',
      'TagFeatured cooking',
      'TagUnfeatured gardening',
      'TagUnfeatured cooking',
    ]);
  });
});

describe('hashtags', () => {
  it('shows a hashtag with its use over the last week, follows and unfollows it', async () => {
    await post(alice, 'today #Weather');
    await post(bob, 'also #weather today');
    const tag = await call('GET', '/api/v1/tags/WEATHER', null);
    expect(tag).toMatchObject({ name: 'weather', url: 'https://murmur.test/tags/weather' });
    expect(tag).not.toHaveProperty('following');
    expect(tag.history).toHaveLength(7);
    const today = Math.floor(Date.now() / 86_400_000) * 86_400;
    expect(tag.history[0]).toEqual({ day: String(today), uses: '2', accounts: '2' });
    expect(tag.history[1]).toMatchObject({ day: String(today - 86_400), uses: '0' });

    expect(await call('GET', '/api/v1/tags/weather', alice)).toMatchObject({ following: false });
    expect(await call('POST', '/api/v1/tags/Weather/follow', alice)).toMatchObject({
      name: 'weather',
      following: true,
    });
    // A hashtag nobody used yet can be looked at and followed.
    expect(await call('GET', '/api/v1/tags/brandnew', alice)).toMatchObject({
      name: 'brandnew',
      following: false,
    });
    await call('POST', '/api/v1/tags/brandnew/follow', alice);
    const followed = await call('GET', '/api/v1/followed_tags', alice);
    expect(followed.map((t: { name: string }) => t.name)).toEqual(['brandnew', 'weather']);
    expect(followed.every((t: { following: boolean }) => t.following)).toBe(true);

    const paged = await raw('GET', '/api/v1/followed_tags?limit=1', alice);
    const rest = await call('GET', pathOf(links(paged).next!), alice);
    expect(rest.map((t: { name: string }) => t.name)).toEqual(['weather']);

    expect(await call('POST', '/api/v1/tags/weather/unfollow', alice)).toMatchObject({
      following: false,
    });
    await call('GET', '/api/v1/tags/no%20spaces', alice, { status: 404 });
  });
});

describe('accounts', () => {
  let friend: TestUser;
  let stranger: TestUser;

  beforeAll(async () => {
    friend = await signedInUser(database);
    stranger = await signedInUser(database);
    await followAccount(database, { accountId: alice.id, targetAccountId: friend.id });
    await followAccount(database, { accountId: friend.id, targetAccountId: stranger.id });
  });

  it('keeps a private note per account, shown only in the relationship of its author', async () => {
    const set = await call('POST', `/api/v1/accounts/${friend.id}/note`, alice, {
      payload: { comment: 'Met at the garden club' },
    });
    expect(set).toMatchObject({ id: friend.id, note: 'Met at the garden club' });
    const [theirs] = await call('GET', `/api/v1/accounts/relationships?id[]=${alice.id}`, friend);
    expect(theirs.note).toBe('');
    const cleared = await call('POST', `/api/v1/accounts/${friend.id}/note`, alice, {
      payload: { comment: '' },
    });
    expect(cleared.note).toBe('');
    await call('POST', `/api/v1/accounts/${friend.id}/note`, alice, {
      payload: { comment: 'x'.repeat(2001) },
      status: 422,
    });
  });

  it('endorses only accounts one follows, lists them on the profile and writes events', async () => {
    const refused = await call('POST', `/api/v1/accounts/${stranger.id}/endorse`, alice, {
      status: 422,
    });
    expect(refused.error).toMatch(/follow/);
    expect(await call('POST', `/api/v1/accounts/${friend.id}/endorse`, alice)).toMatchObject({
      endorsed: true,
    });
    const own = await call('GET', '/api/v1/endorsements', alice);
    expect(own.map((a: { id: string }) => a.id)).toEqual([friend.id]);
    const shown = await call('GET', `/api/v1/accounts/${alice.id}/endorsements`, null);
    expect(shown.map((a: { id: string }) => a.id)).toEqual([friend.id]);
    expect(await call('POST', `/api/v1/accounts/${friend.id}/unpin`, alice)).toMatchObject({
      endorsed: false,
    });
    expect(await call('GET', '/api/v1/endorsements', alice)).toEqual([]);
    const events = await outboxEvents(database, ['AccountEndorsed', 'AccountUnendorsed']);
    expect(events.map((e) => [e.type, e.data.targetAccountId])).toEqual([
      ['AccountEndorsed', friend.id],
      ['AccountUnendorsed', friend.id],
    ]);
  });

  it('shows the followers one shares with an account', async () => {
    const found = await call(
      'GET',
      `/api/v1/accounts/familiar_followers?id[]=${stranger.id}&id[]=${friend.id}`,
      alice,
    );
    expect(found).toEqual([
      { id: stranger.id, accounts: [expect.objectContaining({ id: friend.id })] },
      { id: friend.id, accounts: [] },
    ]);
  });

  it('removes a follower: the follow ends, counters follow, an event is written', async () => {
    const follower = await signedInUser(database);
    const target = await signedInUser(database);
    await followAccount(database, { accountId: follower.id, targetAccountId: target.id });
    const relationship = await call(
      'POST',
      `/api/v1/accounts/${follower.id}/remove_from_followers`,
      target,
    );
    expect(relationship).toMatchObject({ id: follower.id, followed_by: false });
    const account = await call('GET', `/api/v1/accounts/${target.id}`, null);
    expect(account.followers_count).toBe(0);
    const [seen] = await call('GET', `/api/v1/accounts/relationships?id[]=${target.id}`, follower);
    expect(seen.following).toBe(false);
    const events = await outboxEvents(database, ['FollowerRemoved']);
    expect(events.map((e) => e.data)).toContainEqual({
      accountId: target.id,
      targetAccountId: follower.id,
    });
  });

  it('suggests accounts followed by those one follows, and never a dismissed one', async () => {
    const suggestions = await call('GET', '/api/v2/suggestions', alice);
    expect(suggestions[0]).toMatchObject({
      sources: ['friends_of_friends'],
      account: { id: stranger.id },
    });
    const ids = suggestions.map((s: { account: { id: string } }) => s.account.id);
    expect(ids).not.toContain(alice.id);
    expect(ids).not.toContain(friend.id); // already followed
    expect(await call('DELETE', `/api/v1/suggestions/${stranger.id}`, alice)).toEqual({});
    const v1 = await call('GET', '/api/v1/suggestions', alice);
    expect(v1.map((a: { id: string }) => a.id)).not.toContain(stranger.id);
  });

  it('lists the directory, statuses by id and accounts by id', async () => {
    const active = await signedInUser(database);
    await post(active, 'I was here last');
    const directory = await call('GET', '/api/v1/directory?order=active&limit=1', null);
    expect(directory.map((a: { id: string }) => a.id)).toEqual([active.id]);
    const newest = await call('GET', '/api/v1/directory?order=new&limit=2', null);
    expect(newest[0].id).toBe(active.id);

    const visible = await post(bob, 'visible to all');
    const hidden = await post(bob, 'not for alice', 'private');
    const statuses = await call(
      'GET',
      `/api/v1/statuses?id[]=${hidden}&id[]=${visible}&id[]=junk`,
      alice,
    );
    expect(statuses.map((s: { id: string }) => s.id)).toEqual([visible]);
    const accounts = await call('GET', `/api/v1/accounts?id[]=${bob.id}&id[]=${alice.id}`, null);
    expect(accounts.map((a: { id: string }) => a.id)).toEqual([bob.id, alice.id]);
  });
});

describe('the instance and OpenID Connect', () => {
  it("serves the operator's texts as HTML with their date", async () => {
    const about = await call('GET', '/api/v1/instance/extended_description', null);
    expect(about).toMatchObject({ updated_at: '2026-01-01T00:00:00.000Z' });
    expect(about.content).toMatch(/^<p>Murmur is a small/);
    const privacy = await call('GET', '/api/v1/instance/privacy_policy', null);
    expect(privacy.content).toMatch(/e-mail address/);
    const terms = await call('GET', '/api/v1/instance/terms_of_service', null);
    expect(terms).toMatchObject({
      effective: true,
      effective_date: '2026-01-01',
      succeeded_by: null,
    });
    expect(await call('GET', '/api/v1/instance/terms_of_service/2026-01-01', null)).toEqual(terms);
    await call('GET', '/api/v1/instance/terms_of_service/2025-01-01', null, { status: 404 });
    const instance = await call('GET', '/api/v2/instance', null);
    expect(instance.configuration.accounts).toEqual({
      max_featured_tags: 10,
      max_pinned_statuses: 5,
    });
  });

  it('answers /oauth/userinfo for a token with the profile scope, announced in discovery', async () => {
    const discovery = await call('GET', '/.well-known/oauth-authorization-server', null);
    expect(discovery.userinfo_endpoint).toBe('https://murmur.test/oauth/userinfo');
    const profileOnly = await tokenFor(database, alice.id, ['profile']);
    const response = await app.inject({
      url: '/oauth/userinfo',
      headers: { authorization: `Bearer ${profileOnly}` },
    });
    expect(json(response)).toEqual({
      iss: 'https://murmur.test',
      sub: `https://murmur.test/@${alice.username}`,
      name: alice.username,
      preferred_username: alice.username,
      profile: `https://murmur.test/@${alice.username}`,
      picture: 'https://murmur.test/avatars/original/missing.png',
    });
    const readOnly = await tokenFor(database, alice.id, ['read']);
    const denied = await app.inject({
      url: '/oauth/userinfo',
      headers: { authorization: `Bearer ${readOnly}` },
    });
    expect(denied.statusCode).toBe(403);
  });
});
