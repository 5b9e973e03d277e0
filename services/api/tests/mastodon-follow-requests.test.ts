/**
 * Locked accounts and follow requests through the API as clients call them: `locked` set by
 * update_credentials, a follow that becomes a request, the request list paged by `Link`, authorize
 * and reject, withdrawing by unfollowing, the `follow_request` notification and followers-only
 * posts kept private. Every body is checked against Mastodon's own description.
 */
import { type Database } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import { deliverNotifications } from '@murmur/db/testing';
import { describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import {
  checkedCaller,
  json,
  links,
  lockedUser,
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

describe('locked accounts', () => {
  it('update_credentials stores `locked`, and every view of the account shows it', async () => {
    const owner = await lockedUser({ app, database });
    expect(await call('GET', '/api/v1/accounts/verify_credentials', owner)).toMatchObject({
      locked: true,
      source: { follow_requests_count: 0 },
    });
    expect(await call('GET', `/api/v1/accounts/${owner.id}`, alice)).toMatchObject({
      locked: true,
    });
    // Form encoding, as many apps send it.
    const response = await app.inject({
      method: 'PATCH',
      url: '/api/v1/accounts/update_credentials',
      headers: { ...owner.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'locked=false',
    });
    expect(json(response).locked).toBe(false);
  });

  it('a follow becomes a request; the owner sees it, is notified, and authorizes it', async () => {
    const owner = await lockedUser({ app, database });
    const secret = await createStatus(database, {
      accountId: owner.id,
      text: 'followers only',
      visibility: 'private',
    });
    const asked = await call('POST', `/api/v1/accounts/${owner.id}/follow`, alice);
    expect(asked).toMatchObject({ id: owner.id, following: false, requested: true });
    expect(await call('GET', `/api/v1/accounts/relationships?id[]=${alice.id}`, owner)).toEqual([
      expect.objectContaining({ followed_by: false, requested_by: true }),
    ]);
    await call('GET', `/api/v1/statuses/${secret.id}`, alice, { status: 404 });

    const requests = await call('GET', '/api/v1/follow_requests', owner);
    expect(requests.map((a: { id: string }) => a.id)).toEqual([alice.id]);
    expect(await call('GET', '/api/v1/accounts/verify_credentials', owner)).toMatchObject({
      source: { follow_requests_count: 1 },
    });
    await deliverNotifications(database);
    const notifications = await call('GET', '/api/v1/notifications', owner);
    expect(notifications).toEqual([
      expect.objectContaining({
        type: 'follow_request',
        account: expect.objectContaining({ id: alice.id }),
      }),
    ]);

    const authorized = await call('POST', `/api/v1/follow_requests/${alice.id}/authorize`, owner);
    expect(authorized).toMatchObject({ id: alice.id, followed_by: true, requested_by: false });
    await call('POST', `/api/v1/follow_requests/${alice.id}/authorize`, owner, { status: 404 });
    expect(await call('GET', `/api/v1/accounts/${owner.id}`, alice)).toMatchObject({
      followers_count: 1,
    });
    expect(await call('GET', `/api/v1/statuses/${secret.id}`, alice)).toMatchObject({
      id: secret.id,
    });
    await deliverNotifications(database);
    // Mastodon sends no `follow` notification for an accepted request; the request's goes away.
    expect(await call('GET', '/api/v1/notifications', owner)).toEqual([]);
  });

  it('rejecting, and unfollowing (withdrawing), end a request without a follow', async () => {
    const owner = await lockedUser({ app, database });
    await call('POST', `/api/v1/accounts/${owner.id}/follow`, alice);
    await call('POST', `/api/v1/accounts/${owner.id}/follow`, bob);
    const rejected = await call('POST', `/api/v1/follow_requests/${alice.id}/reject`, owner);
    expect(rejected).toMatchObject({ followed_by: false, requested_by: false });
    await call('POST', `/api/v1/follow_requests/${alice.id}/reject`, owner, { status: 404 });

    const withdrawn = await call('POST', `/api/v1/accounts/${owner.id}/unfollow`, bob);
    expect(withdrawn).toMatchObject({ following: false, requested: false });
    expect(await call('GET', '/api/v1/follow_requests', owner)).toEqual([]);
    await call('POST', '/api/v1/follow_requests/12345/reject', owner, { status: 404 });
  });

  it('pages the requests with Link, newest first', async () => {
    const owner = await lockedUser({ app, database });
    const askers = [alice, bob, await signedInUser(database)];
    for (const asker of askers) await call('POST', `/api/v1/accounts/${owner.id}/follow`, asker);
    const first = await app.inject({
      method: 'GET',
      url: '/api/v1/follow_requests?limit=2',
      headers: owner.headers,
    });
    expectMastodonResponse(first);
    expect(json(first).map((a: { id: string }) => a.id)).toEqual([askers[2]!.id, bob.id]);
    const next = await call('GET', pathOf(links(first).next!), owner);
    expect(next.map((a: { id: string }) => a.id)).toEqual([alice.id]);
  });

  it('unlocking accepts every pending request', async () => {
    const owner = await lockedUser({ app, database });
    await call('POST', `/api/v1/accounts/${owner.id}/follow`, alice);
    await call('POST', `/api/v1/accounts/${owner.id}/follow`, bob);
    const unlocked = await call('PATCH', '/api/v1/accounts/update_credentials', owner, {
      payload: { locked: false },
    });
    expect(unlocked).toMatchObject({ locked: false, followers_count: 2 });
    expect(await call('GET', `/api/v1/accounts/${owner.id}`, alice)).toMatchObject({
      locked: false,
    });
    expect(await call('GET', `/api/v1/accounts/relationships?id[]=${owner.id}`, bob)).toEqual([
      expect.objectContaining({ following: true, requested: false }),
    ]);
  });

  it('needs the right scopes', async () => {
    const reader = await signedInUser(database, { scopes: ['read:accounts'] });
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/follow_requests',
      headers: reader.headers,
    });
    expect(response.statusCode).toBe(403);
  });
});
