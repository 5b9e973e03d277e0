/**
 * Lists through the API as clients call it: create, read, rename, delete, members (only accounts
 * you follow), the lists holding an account, and the list timeline with its Link paging. Every body
 * is checked against Mastodon's description.
 */
import { type Database } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import { followAccount } from '@murmur/db/follows';
import { applyPendingFeedEvents } from '@murmur/db/testing';
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

describe('lists', () => {
  it('creates, reads, renames and deletes a list; someone else’s list is not found', async () => {
    const created = await call('POST', '/api/v1/lists', alice, {
      payload: { title: 'Friends', replies_policy: 'followed' },
    });
    expect(created).toMatchObject({
      title: 'Friends',
      replies_policy: 'followed',
      exclusive: false,
    });
    expect(await call('GET', `/api/v1/lists/${created.id}`, alice)).toEqual(created);
    expect(await call('GET', '/api/v1/lists', alice)).toContainEqual(created);
    const renamed = await call('PUT', `/api/v1/lists/${created.id}`, alice, {
      payload: { title: 'Close friends', exclusive: true },
    });
    expect(renamed).toEqual({ ...created, title: 'Close friends', exclusive: true });
    await call('GET', `/api/v1/lists/${created.id}`, bob, { status: 404 });
    await call('DELETE', `/api/v1/lists/${created.id}`, bob, { status: 404 });
    const blank = await call('POST', '/api/v1/lists', alice, {
      payload: { title: '  ' },
      status: 422,
    });
    expect(blank.error).toMatch(/Title can't be blank/);
    await call('POST', '/api/v1/lists', alice, {
      payload: { title: 'x', replies_policy: 'everyone' },
      status: 422,
    });
    expect(await call('DELETE', `/api/v1/lists/${created.id}`, alice)).toEqual({});
    await call('GET', `/api/v1/lists/${created.id}`, alice, { status: 404 });
    await call('GET', '/api/v1/lists', null, { status: 401 });
  });

  it('adds only followed accounts, lists members and the lists holding an account, removes them', async () => {
    const carol = await signedInUser(database);
    const dave = await signedInUser(database);
    await followAccount(database, { accountId: alice.id, targetAccountId: carol.id });
    const list = await call('POST', '/api/v1/lists', alice, { payload: { title: 'Carol' } });
    await call('POST', `/api/v1/lists/${list.id}/accounts`, alice, {
      payload: { account_ids: [dave.id] },
      status: 404,
    });
    expect(
      await call('POST', `/api/v1/lists/${list.id}/accounts`, alice, {
        payload: { account_ids: [carol.id] },
      }),
    ).toEqual({});
    await call('POST', `/api/v1/lists/${list.id}/accounts`, alice, {
      payload: { account_ids: [carol.id] },
      status: 422,
    });
    const members = await call('GET', `/api/v1/lists/${list.id}/accounts`, alice);
    expect(members.map((a: { id: string }) => a.id)).toEqual([carol.id]);
    expect(await call('GET', `/api/v1/lists/${list.id}/accounts?limit=0`, alice)).toHaveLength(1);
    expect(await call('GET', `/api/v1/accounts/${carol.id}/lists`, alice)).toEqual([list]);
    expect(await call('GET', `/api/v1/accounts/${carol.id}/lists`, bob)).toEqual([]);
    await call('DELETE', `/api/v1/lists/${list.id}/accounts?account_ids[]=${carol.id}`, alice);
    expect(await call('GET', `/api/v1/lists/${list.id}/accounts`, alice)).toEqual([]);
  });

  it('reads a list timeline newest first, paged by Link, to its owner only', async () => {
    const erin = await signedInUser(database);
    const frank = await signedInUser(database);
    await followAccount(database, { accountId: alice.id, targetAccountId: erin.id });
    await followAccount(database, { accountId: alice.id, targetAccountId: frank.id });
    const list = await call('POST', '/api/v1/lists', alice, { payload: { title: 'Erin' } });
    await call('POST', `/api/v1/lists/${list.id}/accounts`, alice, {
      payload: { account_ids: [erin.id] },
    });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await createStatus(database, { accountId: erin.id, text: `list post ${i}` })).id);
    }
    await createStatus(database, { accountId: frank.id, text: 'not in the list' });
    await applyPendingFeedEvents(database);
    const first = await app.inject({
      method: 'GET',
      url: `/api/v1/timelines/list/${list.id}?limit=2`,
      headers: alice.headers,
    });
    expectMastodonResponse(first);
    expect(json<{ id: string }[]>(first).map((s) => s.id)).toEqual([ids[2], ids[1]]);
    const next = await call('GET', pathOf(links(first).next!), alice);
    expect(next.map((s: { id: string }) => s.id)).toEqual([ids[0]]);
    await call('GET', `/api/v1/timelines/list/${list.id}`, bob, { status: 404 });
  });
});
