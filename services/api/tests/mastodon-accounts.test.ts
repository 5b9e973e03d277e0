import { type Database } from '@murmur/db';
import { createStatus, favouriteStatus } from '@murmur/db/statuses';
import { createAccountFixture, deliverNotifications } from '@murmur/db/testing';
import { describe, expect, it } from 'vitest';
import { Account, CredentialAccount, Notification, Relationship } from '../src/schemas/entities.js';
import type { ApiInstance } from '../src/plugins/context.js';
import {
  expectSchema,
  json,
  links,
  ORIGIN,
  pathOf,
  signedInUser,
  tokenFor,
  type TestUser,
  useServer,
} from './_mastodon.js';

let app: ApiInstance;
let database: Database;
let alice: TestUser;
let bob: TestUser;

useServer((server) => ({ app, database, alice, bob } = server));

const ids = (items: { id: string }[]) => items.map((i) => i.id);

describe('the signed-in account', () => {
  it('verify_credentials returns a CredentialAccount with source and role', async () => {
    const account = json(
      await app.inject({ url: '/api/v1/accounts/verify_credentials', headers: alice.headers }),
    );
    expectSchema(CredentialAccount, account);
    expect(account).toMatchObject({
      id: alice.id,
      username: alice.username,
      acct: alice.username,
      display_name: '',
      avatar: `${ORIGIN}/avatars/original/missing.png`,
      source: {
        privacy: 'public',
        sensitive: false,
        note: '',
        fields: [],
        follow_requests_count: 0,
      },
    });
    expect(account.created_at).toMatch(/T00:00:00\.000Z$/);
    json(await app.inject({ url: '/api/v1/accounts/verify_credentials' }), 401);
  });

  it('update_credentials changes display name and bio from JSON and multipart', async () => {
    const updated = json(
      await app.inject({
        method: 'PATCH',
        url: '/api/v1/accounts/update_credentials',
        headers: alice.headers,
        payload: { display_name: 'Alice A.', note: 'Hello <b>world</b>' },
      }),
    );
    expect(updated).toMatchObject({
      display_name: 'Alice A.',
      source: { note: 'Hello <b>world</b>' },
    });
    expect(updated.note).toBe('<p>Hello &lt;b&gt;world&lt;/b&gt;</p>');
    const boundary = 'b0undary';
    const multipart = json(
      await app.inject({
        method: 'PATCH',
        url: '/api/v1/accounts/update_credentials',
        headers: { ...alice.headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: `--${boundary}\r\nContent-Disposition: form-data; name="display_name"\r\n\r\nAlice\r\n--${boundary}--\r\n`,
      }),
    );
    expect(multipart).toMatchObject({
      display_name: 'Alice',
      source: { note: 'Hello <b>world</b>' },
    });
    const tooLong = await app.inject({
      method: 'PATCH',
      url: '/api/v1/accounts/update_credentials',
      headers: alice.headers,
      payload: { display_name: 'x'.repeat(200) },
    });
    expect(json(tooLong, 422).error).toMatch(/^Validation failed: Display name/);
  });

  it('serves preferences and the default images', async () => {
    const preferences = json(
      await app.inject({ url: '/api/v1/preferences', headers: alice.headers }),
    );
    expect(preferences['posting:default:visibility']).toBe('public');
    for (const path of ['/avatars/original/missing.png', '/headers/original/missing.png']) {
      const image = await app.inject({ url: path });
      expect(image.statusCode).toBe(200);
      expect(image.headers['content-type']).toBe('image/png');
      expect(image.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    }
  });
});

describe('profiles', () => {
  it('shows an account, and 404s on unknown and malformed ids', async () => {
    const account = json(await app.inject({ url: `/api/v1/accounts/${bob.id}` }));
    expectSchema(Account, account);
    expect(account.url).toBe(`${ORIGIN}/@${bob.username}`);
    expect(json(await app.inject({ url: '/api/v1/accounts/999' }), 404)).toEqual({
      error: 'Record not found',
    });
    json(await app.inject({ url: '/api/v1/accounts/abc' }), 404);
  });

  it('looks accounts up by acct, with or without @ and this domain', async () => {
    for (const acct of [
      bob.username,
      `@${bob.username}`,
      `${bob.username.toUpperCase()}@murmur.test`,
    ]) {
      expect(
        json(await app.inject({ url: `/api/v1/accounts/lookup?acct=${encodeURIComponent(acct)}` }))
          .id,
      ).toBe(bob.id);
    }
    json(
      await app.inject({ url: `/api/v1/accounts/lookup?acct=${bob.username}@elsewhere.example` }),
      404,
    );
    json(await app.inject({ url: '/api/v1/accounts/lookup?acct=nobody_here' }), 404);
  });

  it('lists an account’s statuses with filters and a Link header', async () => {
    const author = await signedInUser(database);
    const first = await createStatus(database, { accountId: author.id, text: 'one #tagged' });
    const second = await createStatus(database, {
      accountId: author.id,
      text: 'two',
      inReplyToId: first.id,
    });
    const third = await createStatus(database, { accountId: author.id, text: 'three' });
    const other = await createStatus(database, { accountId: bob.id, text: 'bob' });
    const reply = await createStatus(database, {
      accountId: author.id,
      text: 'to bob',
      inReplyToId: other.id,
    });
    const url = `/api/v1/accounts/${author.id}/statuses`;

    const all = json(await app.inject({ url }));
    expect(ids(all)).toEqual([reply.id, third.id, second.id, first.id]);
    expect(ids(json(await app.inject({ url: `${url}?exclude_replies=true` })))).toEqual([
      third.id,
      second.id,
      first.id,
    ]);
    expect(ids(json(await app.inject({ url: `${url}?tagged=Tagged` })))).toEqual([first.id]);
    expect(json(await app.inject({ url: `${url}?only_media=1` }))).toEqual([]);
    expect(json(await app.inject({ url: `${url}?pinned=true` }))).toEqual([]);
    expect(ids(json(await app.inject({ url: `${url}?pinned=false&limit=1` })))).toEqual([reply.id]);

    const page = await app.inject({ url: `${url}?limit=2&exclude_reblogs=1` });
    expect(ids(json(page))).toEqual([reply.id, third.id]);
    const next = links(page).next!;
    expect(next.origin).toBe(ORIGIN);
    expect(next.searchParams.get('exclude_reblogs')).toBe('1');
    expect(next.searchParams.get('max_id')).toBe(third.id);
    expect(ids(json(await app.inject({ url: pathOf(next) })))).toEqual([second.id, first.id]);
    expect(links(page).prev!.searchParams.get('min_id')).toBe(reply.id);
    json(await app.inject({ url: '/api/v1/accounts/12345/statuses' }), 404);
  });
});

describe('follows', () => {
  it('follows and unfollows, returning full relationships', async () => {
    const carol = await signedInUser(database);
    const followed = json(
      await app.inject({
        method: 'POST',
        url: `/api/v1/accounts/${carol.id}/follow`,
        headers: alice.headers,
        payload: { reblogs: true },
      }),
    );
    expectSchema(Relationship, followed);
    expect(followed).toMatchObject({
      id: carol.id,
      following: true,
      followed_by: false,
      blocking: false,
      requested: false,
    });

    const fromCarol = json(
      await app.inject({
        url: `/api/v1/accounts/relationships?id[]=${alice.id}&id[]=999&id[]=abc`,
        headers: carol.headers,
      }),
    );
    expect(fromCarol).toEqual([
      expect.objectContaining({ id: alice.id, following: false, followed_by: true }),
      expect.objectContaining({ id: '999', following: false, followed_by: false }),
    ]);
    const single = json(
      await app.inject({
        url: `/api/v1/accounts/relationships?id=${alice.id}`,
        headers: carol.headers,
      }),
    );
    expect(single).toHaveLength(1);

    const unfollowed = json(
      await app.inject({
        method: 'POST',
        url: `/api/v1/accounts/${carol.id}/unfollow`,
        headers: alice.headers,
      }),
    );
    expect(unfollowed.following).toBe(false);
    json(
      await app.inject({
        method: 'POST',
        url: '/api/v1/accounts/999/follow',
        headers: alice.headers,
      }),
      404,
    );
    json(
      await app.inject({
        method: 'POST',
        url: `/api/v1/accounts/${alice.id}/follow`,
        headers: alice.headers,
      }),
      403,
    );
  });

  it('pages followers and following by follow id with a Link header (limit 40, max 80)', async () => {
    const star = await signedInUser(database);
    const fans: TestUser[] = [];
    for (let i = 0; i < 3; i++) {
      const fan = await signedInUser(database);
      fans.push(fan);
      json(
        await app.inject({
          method: 'POST',
          url: `/api/v1/accounts/${star.id}/follow`,
          headers: fan.headers,
        }),
      );
    }
    const page = await app.inject({ url: `/api/v1/accounts/${star.id}/followers?limit=2` });
    expect(ids(json(page))).toEqual([fans[2]!.id, fans[1]!.id]);
    const rest = json(await app.inject({ url: pathOf(links(page).next!) }));
    expect(ids(rest)).toEqual([fans[0]!.id]);
    const blank = json(await app.inject({ url: `/api/v1/accounts/${star.id}/followers?limit=` }));
    expect(blank).toHaveLength(3);
    const garbage = json(
      await app.inject({ url: `/api/v1/accounts/${star.id}/followers?limit=abc` }),
    );
    expect(garbage).toHaveLength(3);
    const following = json(await app.inject({ url: `/api/v1/accounts/${fans[0]!.id}/following` }));
    expect(ids(following)).toEqual([star.id]);
    json(await app.inject({ url: '/api/v1/accounts/1/following' }), 404);
  });

  it('searches accounts for a signed-in user', async () => {
    const found = json(
      await app.inject({
        url: `/api/v1/accounts/search?q=${bob.username}`,
        headers: alice.headers,
      }),
    );
    expect(ids(found)).toContain(bob.id);
    json(await app.inject({ url: `/api/v1/accounts/search?q=${bob.username}` }), 401);
  });
});

describe('notifications and markers', () => {
  it('lists, filters, pages, gets, dismisses and clears notifications', async () => {
    const star = await signedInUser(database);
    const fan = await signedInUser(database);
    const post = await createStatus(database, { accountId: star.id, text: 'notify me' });
    json(
      await app.inject({
        method: 'POST',
        url: `/api/v1/accounts/${star.id}/follow`,
        headers: fan.headers,
      }),
    );
    await favouriteStatus(database, { accountId: fan.id, statusId: post.id });
    json(
      await app.inject({
        method: 'POST',
        url: `/api/v1/statuses/${post.id}/reblog`,
        headers: fan.headers,
      }),
    );

    // Notifications are the worker's: run its notify step over the events written so far.
    await deliverNotifications(database);
    const response = await app.inject({ url: '/api/v1/notifications', headers: star.headers });
    const all = json(response);
    expect(all.map((n: { type: string }) => n.type)).toEqual(['reblog', 'favourite', 'follow']);
    for (const notification of all) expectSchema(Notification, notification);
    expect(all[0]).toMatchObject({
      // The key of its group in /api/v2/notifications: reblogs of one post within 12 hours.
      group_key: expect.stringMatching(new RegExp(`^reblog-${post.id}-\\d+$`)),
      account: { id: fan.id },
      status: { id: post.id },
    });
    expect('status' in all[2]).toBe(false);

    const mentions = json(
      await app.inject({ url: '/api/v1/notifications?types[]=mention', headers: star.headers }),
    );
    expect(mentions).toEqual([]);
    const noFollows = json(
      await app.inject({
        url: '/api/v1/notifications?exclude_types[]=follow&exclude_types[]=reblog',
        headers: star.headers,
      }),
    );
    expect(noFollows.map((n: { type: string }) => n.type)).toEqual(['favourite']);
    const fromFan = json(
      await app.inject({
        url: `/api/v1/notifications?account_id=${fan.id}`,
        headers: star.headers,
      }),
    );
    expect(fromFan).toHaveLength(3);

    const page = await app.inject({
      url: '/api/v1/notifications?limit=1&types[]=follow&types[]=favourite',
      headers: star.headers,
    });
    expect(ids(json(page))).toEqual([all[1].id]);
    const next = links(page).next!;
    expect(next.searchParams.getAll('types[]')).toEqual(['follow', 'favourite']);
    expect(ids(json(await app.inject({ url: pathOf(next), headers: star.headers })))).toEqual([
      all[2].id,
    ]);
    const newer = json(
      await app.inject({
        url: `/api/v1/notifications?since_id=${all[1].id}`,
        headers: star.headers,
      }),
    );
    expect(ids(newer)).toEqual([all[0].id]);

    expect(
      json(await app.inject({ url: `/api/v1/notifications/${all[1].id}`, headers: star.headers }))
        .type,
    ).toBe('favourite');
    json(
      await app.inject({ url: `/api/v1/notifications/${all[1].id}`, headers: fan.headers }),
      404,
    );
    json(await app.inject({ url: '/api/v1/notifications/zzz', headers: star.headers }), 404);

    expect(
      json(await app.inject({ url: '/api/v1/notifications/unread_count', headers: star.headers })),
    ).toEqual({ count: 3 });
    const markers = json(
      await app.inject({
        method: 'POST',
        url: '/api/v1/markers',
        headers: star.headers,
        payload: { notifications: { last_read_id: all[1].id } },
      }),
    );
    expect(markers.notifications).toMatchObject({ last_read_id: all[1].id, version: 1 });
    expect(
      json(await app.inject({ url: '/api/v1/notifications/unread_count', headers: star.headers })),
    ).toEqual({ count: 1 });

    json(
      await app.inject({
        method: 'POST',
        url: `/api/v1/notifications/${all[0].id}/dismiss`,
        headers: fan.headers,
      }),
      404,
    );
    expect(
      json(
        await app.inject({
          method: 'POST',
          url: `/api/v1/notifications/${all[0].id}/dismiss`,
          headers: star.headers,
        }),
      ),
    ).toEqual({});
    expect(
      json(await app.inject({ url: '/api/v1/notifications', headers: star.headers })),
    ).toHaveLength(2);
    expect(
      json(
        await app.inject({
          method: 'POST',
          url: '/api/v1/notifications/clear',
          headers: star.headers,
        }),
      ),
    ).toEqual({});
    expect(json(await app.inject({ url: '/api/v1/notifications', headers: star.headers }))).toEqual(
      [],
    );
    json(await app.inject({ url: '/api/v1/notifications' }), 401);
  });

  it('reads and saves markers from forms, and reads only the asked timelines', async () => {
    const reader = await signedInUser(database);
    expect(
      json(
        await app.inject({
          url: '/api/v1/markers?timeline[]=home&timeline[]=notifications',
          headers: reader.headers,
        }),
      ),
    ).toEqual({});
    json(
      await app.inject({
        method: 'POST',
        url: '/api/v1/markers',
        headers: { ...reader.headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'home[last_read_id]=1234',
      }),
    );
    const both = json(
      await app.inject({
        url: '/api/v1/markers?timeline[]=home&timeline[]=notifications',
        headers: reader.headers,
      }),
    );
    expect(both).toEqual({
      home: { last_read_id: '1234', version: 1, updated_at: expect.stringMatching(/Z$/) },
    });
    expect(
      json(
        await app.inject({
          url: '/api/v1/markers?timeline[]=notifications',
          headers: reader.headers,
        }),
      ),
    ).toEqual({});
  });

  it('a mention notification written by the worker shows the status', async () => {
    const target = await createAccountFixture(database);
    const status = await createStatus(database, {
      accountId: bob.id,
      text: `hi @${target.username}`,
    });
    await database.pool.query(
      `insert into notifications (account_id, from_account_id, type, status_id) values ($1, $2, 'mention', $3)`,
      [target.id, bob.id, status.id],
    );
    const accessToken = await tokenFor(database, target.id, ['read']);
    const list = json(
      await app.inject({
        url: '/api/v1/notifications?types[]=mention',
        headers: { authorization: `Bearer ${accessToken}` },
      }),
    );
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      type: 'mention',
      status: { id: status.id, mentions: [{ id: target.id }] },
    });
  });
});
