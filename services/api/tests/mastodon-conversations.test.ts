/**
 * Direct messages through the API: a `direct` status reaches only the accounts it mentions (the
 * timelines, the status, its thread, the account's statuses and search, for a follower and for
 * anonymous readers), and the conversations list with unread state, mark read and remove, paged by
 * Link. Every body is checked against Mastodon's description.
 */
import { type Database } from '@murmur/db';
import { followAccount } from '@murmur/db/follows';
import { applyPendingFeedEvents, recordPendingDirectMessages } from '@murmur/db/testing';
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
import { expectMastodonResponse } from './_openapi.js';

let app: ApiInstance;
let database: Database;
let alice: TestUser;
let bob: TestUser;

useServer((server) => ({ app, database, alice, bob } = server));

const call = checkedCaller(() => app);

const ids = (statuses: { id: string }[]) => statuses.map((s) => s.id);

describe('direct messages', () => {
  it('never show to a follower who is not mentioned, nor to anonymous readers', async () => {
    const follower = await signedInUser(database);
    await followAccount(database, { accountId: follower.id, targetAccountId: alice.id });
    const dm = await call('POST', '/api/v1/statuses', alice, {
      payload: {
        status: `@${bob.username} the password is swordfish #secret`,
        visibility: 'direct',
      },
    });
    expect(dm.visibility).toBe('direct');
    await applyPendingFeedEvents(database);
    for (const viewer of [follower, null]) {
      await call('GET', `/api/v1/statuses/${dm.id}`, viewer, { status: 404 });
      await call('GET', `/api/v1/statuses/${dm.id}/context`, viewer, { status: 404 });
      expect(ids(await call('GET', '/api/v1/timelines/public', viewer))).not.toContain(dm.id);
      expect(await call('GET', '/api/v1/timelines/tag/secret', viewer)).toEqual([]);
      expect(await call('GET', `/api/v1/accounts/${alice.id}/statuses`, viewer)).not.toContainEqual(
        expect.objectContaining({ id: dm.id }),
      );
    }
    expect(ids(await call('GET', '/api/v1/timelines/home', follower))).not.toContain(dm.id);
    const found = await call('GET', '/api/v2/search?q=swordfish&type=statuses', follower);
    expect(found.statuses).toEqual([]);
    expect(await call('GET', `/api/v1/statuses/${dm.id}`, bob)).toMatchObject({ id: dm.id });
  });

  it('lists conversations with unread state, marks one read, removes one, pages by Link', async () => {
    const carol = await signedInUser(database);
    const dave = await signedInUser(database);
    const first = await call('POST', '/api/v1/statuses', carol, {
      payload: { status: `@${dave.username} first`, visibility: 'direct' },
    });
    const second = await call('POST', '/api/v1/statuses', carol, {
      payload: { status: `@${dave.username} @${bob.username} second`, visibility: 'direct' },
    });
    await recordPendingDirectMessages(database);
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/conversations?limit=1',
      headers: dave.headers,
    });
    expectMastodonResponse(response);
    const [newest] = json<{ id: string; unread: boolean; last_status: { id: string } }[]>(response);
    expect(newest).toMatchObject({ unread: true, last_status: { id: second.id } });
    const older = await call('GET', pathOf(links(response).next!), dave);
    expect(older).toMatchObject([{ unread: true, last_status: { id: first.id } }]);
    expect(older[0].accounts.map((a: { id: string }) => a.id)).toEqual([carol.id]);

    const read = await call('POST', `/api/v1/conversations/${newest!.id}/read`, dave);
    expect(read).toMatchObject({ id: newest!.id, unread: false });
    await call('POST', `/api/v1/conversations/${newest!.id}/read`, carol, { status: 404 });
    expect(await call('GET', '/api/v1/conversations', carol)).toMatchObject([
      { unread: false },
      { unread: false },
    ]);
    expect(await call('DELETE', `/api/v1/conversations/${newest!.id}`, dave)).toEqual({});
    expect(
      ids(
        (await call('GET', '/api/v1/conversations', dave)).map(
          (c: { last_status: { id: string } }) => c.last_status,
        ),
      ),
    ).toEqual([first.id]);
    await call('GET', '/api/v1/conversations', null, { status: 401 });
  });
});
