import { type Database } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import { followAccount } from '@murmur/db/follows';
import { createAccountFixture } from '@murmur/db/testing';
import { describe, expect, it } from 'vitest';
import { Account, Context, Status } from '../src/schemas/entities.js';
import type { ApiInstance } from '../src/plugins/context.js';
import {
  expectSchema,
  json,
  links,
  ORIGIN,
  signedInUser,
  type TestUser,
  useServer,
} from './_mastodon.js';

let app: ApiInstance;
let database: Database;
let alice: TestUser;
let bob: TestUser;

useServer((server) => ({ app, database, alice, bob } = server));

async function post(
  user: TestUser,
  payload: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/statuses',
    headers: { ...user.headers, ...headers },
    payload,
  });
}

async function mentionEventsFor(statusId: string): Promise<number> {
  const result = await database.pool.query(
    `select count(*)::int as n from outbox_events where type = 'UserMentioned' and payload->'data'->>'statusId' = $1`,
    [statusId],
  );
  return result.rows[0].n as number;
}

describe('POST /api/v1/statuses', () => {
  it('posts from JSON and returns a Status with HTML content, links and the application', async () => {
    const status = json(
      await post(alice, {
        status: `Hello @${bob.username} and @nobody #Murmur https://example.com/x`,
        language: 'en',
      }),
    );
    expectSchema(Status, status);
    expect(status.account.id).toBe(alice.id);
    expect(status.content).toContain(`href="${ORIGIN}/@${bob.username}"`);
    expect(status.content).not.toContain('/@nobody');
    expect(status.content).toContain(`href="${ORIGIN}/tags/murmur"`);
    expect(status.mentions).toEqual([
      { id: bob.id, username: bob.username, acct: bob.username, url: `${ORIGIN}/@${bob.username}` },
    ]);
    expect(status.tags).toEqual([{ name: 'murmur', url: `${ORIGIN}/tags/murmur` }]);
    expect(status.application).toEqual({
      name: expect.stringMatching(/^Test client/),
      website: 'https://client.example',
    });
    expect(status.url).toBe(`${ORIGIN}/@${alice.username}/${status.id}`);
    expect(status).toMatchObject({
      text: null,
      language: 'en',
      favourited: false,
      reblogged: false,
      visibility: 'public',
    });
    expect(await mentionEventsFor(status.id)).toBe(1);
  });

  it("carries the request's X-Request-Id into every event it writes", async () => {
    const status = json(
      await post(alice, { status: `Traced @${bob.username}` }, { 'x-request-id': 'trace-4711' }),
    );
    const { rows } = await database.pool.query<{ type: string; request_id: string | null }>(
      `select type, payload->>'requestId' as request_id from outbox_events
       where payload->'data'->>'statusId' = $1 order by type`,
      [status.id],
    );
    expect(rows).toEqual([
      { type: 'PostCreated', request_id: 'trace-4711' },
      { type: 'UserMentioned', request_id: 'trace-4711' },
    ]);
  });

  it('posts from a form and from multipart, reading Rails-style booleans', async () => {
    const form = await app.inject({
      method: 'POST',
      url: '/api/v1/statuses',
      headers: { ...alice.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'status=from+a+form&sensitive=true&spoiler_text=cw&visibility=unlisted',
    });
    expect(json(form)).toMatchObject({
      content: '<p>from a form</p>',
      sensitive: true,
      spoiler_text: 'cw',
      visibility: 'unlisted',
    });
    const boundary = 'murmurboundary';
    const multipart = await app.inject({
      method: 'POST',
      url: '/api/v1/statuses',
      headers: { ...alice.headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="status"\r\n\r\nfrom multipart\r\n--${boundary}--\r\n`,
    });
    expect(json(multipart).content).toBe('<p>from multipart</p>');
  });

  it('returns the same status for a repeated Idempotency-Key', async () => {
    const first = json(await post(alice, { status: 'only once' }, { 'idempotency-key': 'key-1' }));
    const again = json(await post(alice, { status: 'only once' }, { 'idempotency-key': 'key-1' }));
    expect(again.id).toBe(first.id);
    const other = json(await post(alice, { status: 'only once' }, { 'idempotency-key': 'key-2' }));
    expect(other.id).not.toBe(first.id);
  });

  it('refuses text over the limit, empty text and unknown media with 422', async () => {
    const tooLong = await post(alice, { status: 'x'.repeat(501) });
    expect(json(tooLong, 422)).toEqual({
      error: 'Validation failed: Text character limit of 500 exceeded',
    });
    expect(json(await post(alice, { status: '   ' }), 422).error).toMatch(/^Validation failed: /);
    expect(json(await post(alice, { status: 'with media', media_ids: ['1'] }), 422).error).toMatch(
      /Media/,
    );
    expect(json(await post(alice, { status: 'x', visibility: 'everyone' }), 422).error).toMatch(
      /Visibility/,
    );
  });

  it('counts a URL as 23 characters', async () => {
    const text = `${'x'.repeat(476)} https://example.com/${'a'.repeat(100)}`;
    json(await post(alice, { status: text }));
  });

  it('ignores unknown fields, refuses __proto__ and requires a token with write scope', async () => {
    const extra = json(await post(alice, { status: 'x', account_id: 1 }));
    expect(extra.account.id).toBe(alice.id);
    const proto = await app.inject({
      method: 'POST',
      url: '/api/v1/statuses',
      headers: { ...alice.headers, 'content-type': 'application/json' },
      payload: '{"status":"x","__proto__":{"admin":true}}',
    });
    expect(proto.statusCode).toBe(400);
    expect(
      json(
        await app.inject({ method: 'POST', url: '/api/v1/statuses', payload: { status: 'x' } }),
        401,
      ).error,
    ).toBe('This API requires an authenticated user');
    const reader = await signedInUser(database, { scopes: ['read'] });
    expect(json(await post(reader, { status: 'x' }), 403).error).toBe(
      'This action is outside the authorized scopes',
    );
  });

  it('gives no mention event for a self-mention', async () => {
    const status = json(await post(alice, { status: `note to self @${alice.username}` }));
    expect(status.mentions).toHaveLength(1);
    expect(await mentionEventsFor(status.id)).toBe(0);
  });

  it('replies with in_reply_to_id (as a string or a number) and 404s on an unknown parent', async () => {
    const parent = json(await post(alice, { status: 'parent' }));
    const reply = json(await post(bob, { status: 'reply', in_reply_to_id: parent.id }));
    expect(reply).toMatchObject({ in_reply_to_id: parent.id, in_reply_to_account_id: alice.id });
    const numeric = json(
      await post(bob, { status: 'reply 2', in_reply_to_id: Number(parent.id.slice(0, 15)) }),
      404,
    );
    expect(numeric).toEqual({ error: 'Record not found' });
    for (const bad of ['abc', '9999999999999999999']) {
      json(await post(bob, { status: 'reply 3', in_reply_to_id: bad }), 404);
    }
  });
});

describe('GET and DELETE /api/v1/statuses/:id', () => {
  it('shows public statuses to anyone and 404s on unknown, malformed and invisible ones', async () => {
    const status = json(await post(alice, { status: 'public' }));
    const anonymous = json(await app.inject({ url: `/api/v1/statuses/${status.id}` }));
    expect(anonymous.id).toBe(status.id);
    expect('favourited' in anonymous).toBe(false);
    expect(json(await app.inject({ url: '/api/v1/statuses/123456789' }), 404)).toEqual({
      error: 'Record not found',
    });
    expect(json(await app.inject({ url: '/api/v1/statuses/not-an-id' }), 404)).toEqual({
      error: 'Record not found',
    });
    expect(json(await app.inject({ url: `/api/v1/statuses/${'9'.repeat(30)}` }), 404)).toEqual({
      error: 'Record not found',
    });

    const secret = json(await post(alice, { status: 'followers only', visibility: 'private' }));
    json(await app.inject({ url: `/api/v1/statuses/${secret.id}`, headers: bob.headers }), 404);
    json(await app.inject({ url: `/api/v1/statuses/${secret.id}` }), 404);
    json(await app.inject({ url: `/api/v1/statuses/${secret.id}`, headers: alice.headers }));
  });

  it('shows the author as they are now, not as they were when the status was first read', async () => {
    const first = json(await post(alice, { status: 'first' }));
    const read = () => app.inject({ url: `/api/v1/statuses/${first.id}`, headers: bob.headers });
    const before = json(await read());
    json(await post(alice, { status: 'second' }));
    json(
      await app.inject({
        method: 'PATCH',
        url: '/api/v1/accounts/update_credentials',
        headers: alice.headers,
        payload: { display_name: 'Alice Renamed', note: 'New note' },
      }),
    );
    const after = json(await read());
    expect(after.account).toMatchObject({
      display_name: 'Alice Renamed',
      note: '<p>New note</p>',
      statuses_count: before.account.statuses_count + 1,
    });
    expect({ ...after, account: null }).toEqual({ ...before, account: null });
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/status_json_cache_entries\{kind="statuses",service="api"\} [1-9]/);
  });

  it('deletes one’s own status returning its source text, and refuses someone else’s with 403', async () => {
    const status = json(await post(alice, { status: 'delete & redraft #me' }));
    json(
      await app.inject({
        method: 'DELETE',
        url: `/api/v1/statuses/${status.id}`,
        headers: bob.headers,
      }),
      403,
    );
    const deleted = json(
      await app.inject({
        method: 'DELETE',
        url: `/api/v1/statuses/${status.id}`,
        headers: alice.headers,
      }),
    );
    expectSchema(Status, deleted);
    expect(deleted.text).toBe('delete & redraft #me');
    json(await app.inject({ url: `/api/v1/statuses/${status.id}` }), 404);
    json(
      await app.inject({
        method: 'DELETE',
        url: `/api/v1/statuses/${status.id}`,
        headers: alice.headers,
      }),
      404,
    );
  });
});

describe('threads, favourites and reblogs', () => {
  it('returns the context of a status in reading order', async () => {
    const root = json(await post(alice, { status: 'root' }));
    const child = json(await post(bob, { status: 'child', in_reply_to_id: root.id }));
    const grandchild = json(await post(alice, { status: 'grandchild', in_reply_to_id: child.id }));
    const context = json(await app.inject({ url: `/api/v1/statuses/${child.id}/context` }));
    expectSchema(Context, context);
    expect(context.ancestors.map((s: { id: string }) => s.id)).toEqual([root.id]);
    expect(context.descendants.map((s: { id: string }) => s.id)).toEqual([grandchild.id]);
    json(await app.inject({ url: '/api/v1/statuses/1/context' }), 404);
  });

  it('lists your favourites, most recently favourited first, paged by Link', async () => {
    const first = json(await post(alice, { status: 'first to be liked' }));
    const second = json(await post(alice, { status: 'second to be liked' }));
    for (const id of [second.id, first.id]) {
      await app.inject({
        method: 'POST',
        url: `/api/v1/statuses/${id}/favourite`,
        headers: bob.headers,
      });
    }
    const page = await app.inject({ url: '/api/v1/favourites?limit=1', headers: bob.headers });
    const statuses = json(page);
    expect(statuses.map((s: { id: string }) => s.id)).toEqual([first.id]);
    expectSchema(Status, statuses[0]);
    const next = links(page).next!;
    const rest = json(
      await app.inject({ url: `${next.pathname}${next.search}`, headers: bob.headers }),
    );
    expect(rest.map((s: { id: string }) => s.id)).toEqual([second.id]);
    json(await app.inject({ url: '/api/v1/favourites' }), 401);
  });

  it('favourites and unfavourites, listing who favourited', async () => {
    const status = json(await post(alice, { status: 'like me' }));
    const favourited = json(
      await app.inject({
        method: 'POST',
        url: `/api/v1/statuses/${status.id}/favourite`,
        headers: bob.headers,
      }),
    );
    expect(favourited).toMatchObject({ id: status.id, favourited: true, favourites_count: 1 });
    const by = await app.inject({ url: `/api/v1/statuses/${status.id}/favourited_by` });
    const accounts = json(by);
    expect(accounts.map((a: { id: string }) => a.id)).toEqual([bob.id]);
    expectSchema(Account, accounts[0]);
    expect(links(by).next?.searchParams.get('max_id')).toMatch(/^\d+$/);
    const undone = json(
      await app.inject({
        method: 'POST',
        url: `/api/v1/statuses/${status.id}/unfavourite`,
        headers: bob.headers,
      }),
    );
    expect(undone).toMatchObject({ favourited: false, favourites_count: 0 });
    json(
      await app.inject({
        method: 'POST',
        url: '/api/v1/statuses/42/favourite',
        headers: bob.headers,
      }),
      404,
    );
  });

  it('reblogs returning the wrapper, lists rebloggers and unreblogs', async () => {
    const status = json(await post(alice, { status: 'boost me' }));
    const wrapper = json(
      await app.inject({
        method: 'POST',
        url: `/api/v1/statuses/${status.id}/reblog`,
        headers: { ...bob.headers, 'content-type': 'application/json' },
        payload: '',
      }),
    );
    expectSchema(Status, wrapper);
    expect(wrapper.id).not.toBe(status.id);
    expect(wrapper.account.id).toBe(bob.id);
    expect(wrapper.reblog).toMatchObject({ id: status.id, reblogged: true, reblogs_count: 1 });
    const again = json(
      await app.inject({
        method: 'POST',
        url: `/api/v1/statuses/${status.id}/reblog`,
        headers: bob.headers,
      }),
    );
    expect(again.id).toBe(wrapper.id);
    const by = json(
      await app.inject({
        url: `/api/v1/statuses/${status.id}/reblogged_by`,
        headers: alice.headers,
      }),
    );
    expect(by.map((a: { id: string }) => a.id)).toEqual([bob.id]);
    const undone = json(
      await app.inject({
        method: 'POST',
        url: `/api/v1/statuses/${status.id}/unreblog`,
        headers: bob.headers,
      }),
    );
    expect(undone).toMatchObject({ id: status.id, reblogged: false, reblogs_count: 0 });
  });

  it('does not let a follower-only status be reblogged, and shows it to followers', async () => {
    const carol = await createAccountFixture(database);
    const secret = await createStatus(database, {
      accountId: carol.id,
      text: 'followers',
      visibility: 'private',
    });
    json(
      await app.inject({
        method: 'POST',
        url: `/api/v1/statuses/${secret.id}/reblog`,
        headers: bob.headers,
      }),
      404,
    );
    await followAccount(database, { accountId: bob.id, targetAccountId: carol.id });
    json(await app.inject({ url: `/api/v1/statuses/${secret.id}`, headers: bob.headers }));
    json(
      await app.inject({
        method: 'POST',
        url: `/api/v1/statuses/${secret.id}/reblog`,
        headers: bob.headers,
      }),
      403,
    );
  });
});
