/**
 * Blocks and mutes through the API as clients call them: the relationship each answers, the lists
 * with their Link headers, what disappears from timelines, threads and notifications, and what a
 * blocked person is refused. Every body is checked against Mastodon's own description.
 */
import type { Database } from '@murmur/db';
import { deliverNotifications } from '@murmur/db/testing';
import { describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import {
  checkedCaller,
  json,
  links,
  pathOf,
  signedInUser,
  type TestUser,
  useServer,
} from './_mastodon.js';
import { expectMastodonResponse, expectMastodonSchema } from './_openapi.js';

let app: ApiInstance;
let database: Database;

useServer((server) => ({ app, database } = server));

const call = checkedCaller(() => app);

const people = (count: number) =>
  Promise.all(Array.from({ length: count }, () => signedInUser(database)));

async function postAs(user: TestUser, status: string, extra: object = {}): Promise<string> {
  return (await call('POST', '/api/v1/statuses', user, { payload: { status, ...extra } })).id;
}

const idsOf = (statuses: { id: string }[]) => statuses.map((s) => s.id);

describe('blocks', () => {
  it('blocks: the relationship says so both ways, follows end, and the block is listed and paged', async () => {
    const [alice, bob, carol, dave] = await people(4);
    await call('POST', `/api/v1/accounts/${bob!.id}/follow`, alice!);
    await call('POST', `/api/v1/accounts/${alice!.id}/follow`, bob!);

    const relationship = await call('POST', `/api/v1/accounts/${bob!.id}/block`, alice!);
    expect(relationship).toMatchObject({
      id: bob!.id,
      blocking: true,
      blocked_by: false,
      following: false,
      followed_by: false,
    });
    const [seenByBob] = await call('GET', `/api/v1/accounts/relationships?id[]=${alice!.id}`, bob!);
    expect(seenByBob).toMatchObject({ blocking: false, blocked_by: true, following: false });

    for (const other of [carol!, dave!]) {
      await call('POST', `/api/v1/accounts/${other.id}/block`, alice!);
    }
    const first = await app.inject({
      method: 'GET',
      url: '/api/v1/blocks?limit=2',
      headers: alice!.headers,
    });
    expectMastodonResponse(first);
    expect(idsOf(json(first))).toEqual([dave!.id, carol!.id]);
    const second = await call('GET', pathOf(links(first).next!), alice!);
    expect(idsOf(second)).toEqual([bob!.id]);

    // The blocked person cannot follow the blocker, nor the blocker them while it stands.
    const refused = await call('POST', `/api/v1/accounts/${alice!.id}/follow`, bob!, {
      status: 403,
    });
    expect(refused.error).toBe('This action is not allowed');
    await call('POST', `/api/v1/accounts/${bob!.id}/follow`, alice!, { status: 403 });

    expect(await call('POST', `/api/v1/accounts/${bob!.id}/unblock`, alice!)).toMatchObject({
      blocking: false,
    });
    expect(idsOf(await call('GET', '/api/v1/blocks', alice!))).toEqual([dave!.id, carol!.id]);
    await call('POST', `/api/v1/accounts/${alice!.id}/follow`, bob!);
    await call('POST', '/api/v1/accounts/999999999/block', alice!, { status: 404 });
    // Blocking yourself does nothing (Mastodon's BlockService returns early).
    expect(await call('POST', `/api/v1/accounts/${alice!.id}/block`, alice!)).toMatchObject({
      blocking: false,
    });
    await call('GET', '/api/v1/blocks', null, { status: 401 });
  });

  it("takes the blocked account's posts out of the blocker's timelines, threads and notifications", async () => {
    const [alice, bob, carol] = await people(3);
    await call('POST', `/api/v1/accounts/${carol!.id}/follow`, alice!);
    const root = await postAs(alice!, 'a thread to reply to');
    const reply = await postAs(bob!, `@${alice!.username} replying`, { in_reply_to_id: root });
    const bobs = await postAs(bob!, 'bob on the public timeline');
    const boost = (await call('POST', `/api/v1/statuses/${bobs}/reblog`, carol!)).id;
    await deliverNotifications(database);
    expect(
      (await call('GET', '/api/v1/notifications', alice!)).map((n: { type: string }) => n.type),
    ).toEqual(['mention']);

    await call('POST', `/api/v1/accounts/${bob!.id}/block`, alice!);
    await deliverNotifications(database);

    expect(await call('GET', '/api/v1/notifications', alice!)).toEqual([]);
    const context = await call('GET', `/api/v1/statuses/${root}/context`, alice!);
    expect(idsOf(context.descendants)).not.toContain(reply);
    const publicIds = idsOf(await call('GET', '/api/v1/timelines/public?local=true', alice!));
    expect(publicIds).not.toContain(bobs);
    expect(idsOf(await call('GET', '/api/v1/timelines/home', alice!))).not.toContain(boost);
    expect(await call('GET', `/api/v1/accounts/${bob!.id}/statuses`, alice!)).toEqual([]);

    // Bob, signed in, no longer sees Alice's posts; a mention of her notifies nobody.
    await call('GET', `/api/v1/statuses/${root}`, bob!, { status: 404 });
    await call('POST', `/api/v1/statuses/${root}/favourite`, bob!, { status: 404 });
    expect(await call('GET', `/api/v1/accounts/${alice!.id}/statuses`, bob!)).toEqual([]);
    await postAs(bob!, `@${alice!.username} are you there?`);
    await deliverNotifications(database);
    expect(await call('GET', '/api/v1/notifications', alice!)).toEqual([]);
    // Signed out, the post is public as before.
    await call('GET', `/api/v1/statuses/${root}`, null);
  });
});

describe('mutes', () => {
  it('mutes with options and a duration, lists mute_expires_at, hides without telling', async () => {
    const [alice, bob, carol] = await people(3);
    await call('POST', `/api/v1/accounts/${bob!.id}/follow`, alice!);
    const bobs = await postAs(bob!, 'bob posts while muted');

    const muted = await call('POST', `/api/v1/accounts/${bob!.id}/mute`, alice!, {
      payload: { notifications: false, duration: 3600 },
    });
    expect(muted).toMatchObject({ muting: true, muting_notifications: false, following: true });
    const expiresAt = Date.parse(muted.muting_expires_at);
    expect(Math.abs(expiresAt - Date.now() - 3_600_000)).toBeLessThan(60_000);
    // Muting again changes the options (form bodies as some apps send them).
    const again = await app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${bob!.id}/mute`,
      headers: { ...alice!.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'notifications=true&duration=0',
    });
    expect(json(again)).toMatchObject({ muting_notifications: true, muting_expires_at: null });
    await call('POST', `/api/v1/accounts/${carol!.id}/mute`, alice!);

    const list = await call('GET', '/api/v1/mutes', alice!);
    expect(
      list.map((a: { id: string; mute_expires_at: null }) => [a.id, a.mute_expires_at]),
    ).toEqual([
      [carol!.id, null],
      [bob!.id, null],
    ]);

    expect(idsOf(await call('GET', '/api/v1/timelines/home', alice!))).not.toContain(bobs);
    expect(idsOf(await call('GET', '/api/v1/timelines/public', alice!))).not.toContain(bobs);
    expect(idsOf(await call('GET', `/api/v1/accounts/${bob!.id}/statuses`, alice!))).toContain(
      bobs,
    );
    await postAs(bob!, `@${alice!.username} hello?`);
    await deliverNotifications(database);
    expect(await call('GET', '/api/v1/notifications', alice!)).toEqual([]);

    // Bob learns nothing.
    const [seenByBob] = await call('GET', `/api/v1/accounts/relationships?id[]=${alice!.id}`, bob!);
    expect(seenByBob).toMatchObject({ muting: false, blocked_by: false, followed_by: true });

    expect(await call('POST', `/api/v1/accounts/${bob!.id}/unmute`, alice!)).toMatchObject({
      muting: false,
      muting_notifications: false,
    });
    expect(idsOf(await call('GET', '/api/v1/timelines/home', alice!))).toContain(bobs);
    await call('POST', `/api/v1/accounts/${bob!.id}/mute`, alice!, {
      payload: { duration: -5 },
      status: 422,
    });
    await call('POST', `/api/v1/accounts/${bob!.id}/mute`, alice!, {
      payload: { duration: 'soon' },
      status: 422,
    });
  });
});

describe('domain blocks', () => {
  it('stores, lists (paged by Link) and removes blocked domains, normalized', async () => {
    const [alice, bob] = await people(2);
    expect(await call('GET', '/api/v1/domain_blocks', alice!)).toEqual([]);
    for (const domain of ['spam.example', 'BÜCHER.example', 'spam.example']) {
      expect(await call('POST', '/api/v1/domain_blocks', alice!, { payload: { domain } })).toEqual(
        {},
      );
    }
    const first = await app.inject({
      method: 'GET',
      url: '/api/v1/domain_blocks?limit=1',
      headers: alice!.headers,
    });
    expectMastodonResponse(first);
    expect(json(first)).toEqual(['xn--bcher-kva.example']);
    expect(await call('GET', pathOf(links(first).next!), alice!)).toEqual(['spam.example']);
    expect(await call('GET', '/api/v1/domain_blocks', bob!)).toEqual([]);

    await call('DELETE', '/api/v1/domain_blocks?domain=spam.example', alice!);
    expect(await call('GET', '/api/v1/domain_blocks', alice!)).toEqual(['xn--bcher-kva.example']);
    await call('POST', '/api/v1/domain_blocks', alice!, {
      payload: { domain: 'not a domain' },
      status: 422,
    });
    await call('POST', '/api/v1/domain_blocks', alice!, { payload: {}, status: 422 });
    await call('POST', '/api/v1/domain_blocks', alice!, {
      payload: { domain: 'murmur.test' },
      status: 422,
    });
  });
});

describe('filters', () => {
  it('v2: creates a filter with keywords, marks statuses with the matches, hides, and edits keywords and statuses', async () => {
    const [alice, bob] = await people(2);
    await call('POST', `/api/v1/accounts/${bob!.id}/follow`, alice!);
    const filter = await call('POST', '/api/v2/filters', alice!, {
      payload: {
        title: 'Sports',
        context: ['home', 'public'],
        filter_action: 'warn',
        keywords_attributes: [{ keyword: 'football', whole_word: true }, { keyword: 'goal' }],
      },
    });
    expect(filter).toMatchObject({
      title: 'Sports',
      context: ['home', 'public'],
      filter_action: 'warn',
      expires_at: null,
      statuses: [],
    });
    expect(filter.keywords.map((k: { keyword: string }) => k.keyword)).toEqual([
      'football',
      'goal',
    ]);
    const match = await postAs(bob!, 'What a GOAL in the football match');
    const other = await postAs(bob!, 'footballers are people');

    const home = await call('GET', '/api/v1/timelines/home', alice!);
    const marked = home.find((s: { id: string }) => s.id === match);
    expect(marked.filtered).toEqual([
      {
        filter: expect.objectContaining({ id: filter.id, title: 'Sports', filter_action: 'warn' }),
        keyword_matches: ['football', 'goal'],
        status_matches: null,
      },
    ]);
    expect(home.find((s: { id: string }) => s.id === other).filtered).toEqual([]);
    // Per viewer: Bob's own read of the same statuses carries no filter of Alice's.
    const bobs = await call('GET', '/api/v1/timelines/public', bob!);
    expect(bobs.find((s: { id: string }) => s.id === match).filtered).toEqual([]);

    // Hide, then a filtered status, then remove the keywords one by one.
    await call('PUT', `/api/v2/filters/${filter.id}`, alice!, {
      payload: { filter_action: 'hide' },
    });
    expect(idsOf(await call('GET', '/api/v1/timelines/home', alice!))).toEqual([other]);
    for (const keyword of filter.keywords) {
      await call('DELETE', `/api/v2/filters/keywords/${keyword.id}`, alice!);
    }
    expect(await call('GET', `/api/v2/filters/${filter.id}/keywords`, alice!)).toEqual([]);
    const entry = await call('POST', `/api/v2/filters/${filter.id}/statuses`, alice!, {
      payload: { status_id: other },
    });
    expect(entry).toMatchObject({ status_id: other });
    expect(await call('GET', `/api/v2/filters/statuses/${entry.id}`, alice!)).toEqual(entry);
    expect(idsOf(await call('GET', '/api/v1/timelines/home', alice!))).toEqual([match]);
    const keyword = await call('POST', `/api/v2/filters/${filter.id}/keywords`, alice!, {
      payload: { keyword: 'match', whole_word: false },
    });
    expect(await call('GET', `/api/v2/filters/keywords/${keyword.id}`, alice!)).toEqual(keyword);
    expect(await call('GET', '/api/v1/timelines/home', alice!)).toEqual([]);

    // Bob cannot read or change Alice's filter.
    await call('GET', `/api/v2/filters/${filter.id}`, bob!, { status: 404 });
    await call('DELETE', `/api/v2/filters/keywords/${keyword.id}`, bob!, { status: 404 });
    await call('DELETE', `/api/v2/filters/${filter.id}`, alice!);
    expect(await call('GET', '/api/v2/filters', alice!)).toEqual([]);
    expect(idsOf(await call('GET', '/api/v1/timelines/home', alice!))).toEqual([other, match]);
  });

  it('v2 refuses bad input with 422, and v1 maps each keyword to a V1::Filter', async () => {
    const [alice] = await people(1);
    await call('POST', '/api/v2/filters', alice!, {
      payload: { title: 'x', context: ['everywhere'] },
      status: 422,
    });
    await call('POST', '/api/v2/filters', alice!, { payload: { context: ['home'] }, status: 422 });
    await call('POST', '/api/v2/filters', alice!, {
      payload: {
        title: 'x',
        context: ['home'],
        keywords_attributes: [{ keyword: 'k'.repeat(600) }],
      },
      status: 422,
    });

    const v1 = await call('POST', '/api/v1/filters', alice!, {
      payload: {
        phrase: 'Election',
        context: ['home', 'thread'],
        irreversible: true,
        whole_word: false,
      },
    });
    expect(v1).toMatchObject({
      phrase: 'Election',
      context: ['home', 'thread'],
      irreversible: true,
      whole_word: false,
      expires_at: null,
    });
    const [v2] = await call('GET', '/api/v2/filters', alice!);
    expect(v2).toMatchObject({ title: 'Election', filter_action: 'hide' });
    expect(v2.keywords).toEqual([{ id: v1.id, keyword: 'Election', whole_word: false }]);
    // The description gives this list the schema of one V1Filter (its text says "List of"; Mastodon
    // answers an array): each item is checked against V1Filter instead.
    const list = json(
      await app.inject({ method: 'GET', url: '/api/v1/filters', headers: alice!.headers }),
    );
    expect(list).toEqual([v1]);
    expectMastodonSchema('V1Filter', list[0]);
    const changed = await call('PUT', `/api/v1/filters/${v1.id}`, alice!, {
      payload: { phrase: 'Elections', context: ['home'], irreversible: false, expires_in: 3600 },
    });
    expect(changed).toMatchObject({ id: v1.id, phrase: 'Elections', irreversible: false });
    expect(Date.parse(changed.expires_at)).toBeGreaterThan(Date.now());
    await call('DELETE', `/api/v1/filters/${v1.id}`, alice!);
    expect(await call('GET', '/api/v2/filters', alice!)).toEqual([]);
    await call('GET', `/api/v1/filters/${v1.id}`, alice!, { status: 404 });
  });
});

describe('muted conversations', () => {
  it('mutes a conversation: `muted` on its statuses, no notifications from the thread, until unmuted', async () => {
    const [alice, bob] = await people(2);
    const root = await postAs(alice!, 'my thread');
    const muted = await call('POST', `/api/v1/statuses/${root}/mute`, alice!);
    expect(muted).toMatchObject({ id: root, muted: true });
    await postAs(bob!, `@${alice!.username} replying in the muted thread`, {
      in_reply_to_id: root,
    });
    await call('POST', `/api/v1/statuses/${root}/favourite`, bob!);
    await deliverNotifications(database);
    expect(await call('GET', '/api/v1/notifications', alice!)).toEqual([]);
    expect(await call('GET', `/api/v1/statuses/${root}`, bob!)).toMatchObject({ muted: false });

    expect(await call('POST', `/api/v1/statuses/${root}/unmute`, alice!)).toMatchObject({
      muted: false,
    });
    await postAs(bob!, `@${alice!.username} again`, { in_reply_to_id: root });
    await deliverNotifications(database);
    expect(await call('GET', '/api/v1/notifications', alice!)).toHaveLength(1);
    await call('POST', '/api/v1/statuses/999999999/mute', alice!, { status: 404 });
  });
});
