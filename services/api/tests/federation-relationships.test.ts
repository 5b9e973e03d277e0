/**
 * Relationships across servers. A local person follows a remote account from the client API: a
 * pending request and a signed `Follow` to its server, whose `Accept` (or `Reject`) decides it;
 * unfollowing sends the `Undo`. A locked local account (`manuallyApprovesFollowers`) gets a
 * follow request from a remote `Follow`, with its notification; authorizing it sends `Accept`,
 * rejecting it `Reject`. The other server is `_remote-actor` on loopback, which records what it
 * is sent and checks nothing; the signatures are checked by the inbox tests.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mastodonFixture } from './_fixtures.js';
import { useInboxHarness } from './_inbox.js';
import { lockedUser, ORIGIN, signedInUser, type TestUser } from './_mastodon.js';
import { expectMastodonResponse } from './_openapi.js';

const harness = useInboxHarness();
let alice: TestUser;
let malloryId: string;
let actor: string;

beforeAll(async () => {
  alice = await signedInUser(harness.server.database);
  actor = harness.remote.actorId.href;
  malloryId = (await harness.resolver.resolveActor(harness.remote.actorId))!;
});

function call(method: 'GET' | 'POST', url: string, user: TestUser, payload?: object) {
  return harness.server.app.inject({
    method,
    url,
    headers: user.headers,
    ...(payload ? { payload } : {}),
  });
}

async function relationship(user: TestUser, id: string) {
  const response = await call('GET', `/api/v1/accounts/relationships?id[]=${id}`, user);
  expectMastodonResponse(response);
  return (
    response.json() as { following: boolean; requested: boolean; followed_by: boolean }[]
  )[0]!;
}

/** Mallory's server answers alice's follow `followId` (Mastodon's shape: the Follow embedded). */
function answer(answerType: 'Accept' | 'Reject', answerId: string, followId: string) {
  return harness.deliverAndApply(
    mastodonFixture('accept-follow', {
      actor,
      answerId,
      answerType,
      followId,
      follower: `${ORIGIN}/users/${alice.username}`,
    }),
  );
}

/** The activities the remote server received since `from`. */
const receivedSince = (from: number) => harness.remote.inbox.slice(from).map((entry) => entry);

describe('following a remote account', () => {
  let followId: string;

  it('is a pending request, and a signed Follow reaches its server', async () => {
    const before = harness.remote.inbox.length;
    const response = await call('POST', `/api/v1/accounts/${malloryId}/follow`, alice);
    expectMastodonResponse(response);
    expect(response.json()).toMatchObject({ following: false, requested: true });
    await harness.sendRelationshipEvents();
    const [follow] = receivedSince(before);
    expect(follow?.signature).toContain(`keyId="${ORIGIN}/users/${alice.username}#main-key"`);
    expect(follow?.body).toMatchObject({
      type: 'Follow',
      actor: `${ORIGIN}/users/${alice.username}`,
      object: actor,
    });
    followId = follow!.body.id as string;
  });

  it('becomes a follow when its server accepts', async () => {
    await answer('Accept', '1', followId);
    expect(await relationship(alice, malloryId)).toMatchObject({
      following: true,
      requested: false,
    });
    const account = await call('GET', `/api/v1/accounts/${alice.id}`, alice);
    expect(account.json()).toMatchObject({ following_count: 1 });
  });

  it('an Accept of a follow she never asked for (or withdrew) changes nothing', async () => {
    await call('POST', `/api/v1/accounts/${malloryId}/unfollow`, alice);
    await answer('Accept', '2', followId);
    expect(await relationship(alice, malloryId)).toMatchObject({
      following: false,
      requested: false,
    });
    // Only the account asked can answer: the answer names its actor as the followed account.
    await call('POST', `/api/v1/accounts/${malloryId}/follow`, alice);
  });

  it('ends with an Undo sent when she unfollows', async () => {
    await harness.sendRelationshipEvents();
    await answer('Accept', '3', harness.remote.inbox.at(-1)!.body.id as string);
    expect(await relationship(alice, malloryId)).toMatchObject({ following: true });
    const before = harness.remote.inbox.length;
    await call('POST', `/api/v1/accounts/${malloryId}/unfollow`, alice);
    await harness.sendRelationshipEvents();
    const [undo] = receivedSince(before);
    expect(undo?.body).toMatchObject({
      type: 'Undo',
      actor: `${ORIGIN}/users/${alice.username}`,
      object: { type: 'Follow', actor: `${ORIGIN}/users/${alice.username}`, object: actor },
    });
  });

  it('is refused when its server rejects it', async () => {
    const before = harness.remote.inbox.length;
    await call('POST', `/api/v1/accounts/${malloryId}/follow`, alice);
    await harness.sendRelationshipEvents();
    const follow = receivedSince(before).find((entry) => entry.body.type === 'Follow')!;
    await answer('Reject', '4', follow.body.id as string);
    expect(await relationship(alice, malloryId)).toMatchObject({
      following: false,
      requested: false,
    });
  });
});

describe('blocking a remote account', () => {
  it('sends a Block to its server, and an Undo of it when lifted', async () => {
    const before = harness.remote.inbox.length;
    const blocked = await call('POST', `/api/v1/accounts/${malloryId}/block`, alice);
    expectMastodonResponse(blocked);
    await harness.sendRelationshipEvents();
    const aliceUri = `${ORIGIN}/users/${alice.username}`;
    expect(receivedSince(before).map((entry) => entry.body)).toEqual([
      expect.objectContaining({ type: 'Block', actor: aliceUri, object: actor }),
    ]);
    expect(receivedSince(before)[0]!.signature).toContain(`keyId="${aliceUri}#main-key"`);

    const unblocked = await call('POST', `/api/v1/accounts/${malloryId}/unblock`, alice);
    expectMastodonResponse(unblocked);
    await harness.sendRelationshipEvents();
    expect(receivedSince(before).map((entry) => entry.body)).toEqual([
      expect.objectContaining({ type: 'Block' }),
      expect.objectContaining({
        type: 'Undo',
        actor: aliceUri,
        object: expect.objectContaining({ type: 'Block', actor: aliceUri, object: actor }),
      }),
    ]);
  });
});

describe('a locked local account', () => {
  let dave: TestUser;
  const daveUri = () => `${ORIGIN}/users/${dave.username}`;
  let followCount = 0;

  beforeAll(async () => {
    dave = await lockedUser(harness.server);
  });

  /** Mallory's Follow of dave, delivered and applied; returns its id. */
  async function malloryFollowsDave(): Promise<string> {
    const id = `${actor}/follows/dave-${++followCount}`;
    await harness.deliverAndApply({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id,
      type: 'Follow',
      actor,
      object: daveUri(),
    });
    return id;
  }

  it('says so in its actor document', async () => {
    const response = await harness.server.app.inject({
      url: `/users/${dave.username}`,
      headers: { accept: 'application/activity+json' },
    });
    expect(response.json()).toMatchObject({ manuallyApprovesFollowers: true });
  });

  it('turns a remote Follow into a request, notified and answered with Accept once authorized', async () => {
    const before = harness.remote.inbox.length;
    await malloryFollowsDave();
    expect(receivedSince(before)).toEqual([]);
    const requests = await call('GET', '/api/v1/follow_requests', dave);
    expectMastodonResponse(requests);
    expect((requests.json() as { id: string }[]).map((a) => a.id)).toEqual([malloryId]);
    const { deliverNotifications } = await import('@murmur/db/testing');
    await deliverNotifications(harness.server.database);
    const notifications = await call('GET', '/api/v1/notifications', dave);
    expect((notifications.json() as { type: string }[]).map((n) => n.type)).toContain(
      'follow_request',
    );

    const authorized = await call('POST', `/api/v1/follow_requests/${malloryId}/authorize`, dave);
    expect(authorized.json()).toMatchObject({ followed_by: true });
    await harness.sendRelationshipEvents();
    // One Accept: the request's closing and the follow's AccountFollowed do not both send one.
    expect(receivedSince(before)).toHaveLength(1);
    const [accept] = receivedSince(before);
    expect(accept?.signature).toContain(`keyId="${daveUri()}#main-key"`);
    expect(accept?.body).toMatchObject({
      type: 'Accept',
      actor: daveUri(),
      object: { type: 'Follow', actor, object: daveUri() },
    });
  });

  it('answers a rejected request with Reject', async () => {
    await harness.deliverAndApply({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${actor}/follows/dave-undo`,
      type: 'Undo',
      actor,
      object: { id: `${actor}/follows/dave-1`, type: 'Follow', actor, object: daveUri() },
    });
    expect(await relationship(dave, malloryId)).toMatchObject({ followed_by: false });
    const before = harness.remote.inbox.length;
    await malloryFollowsDave();
    const rejected = await call('POST', `/api/v1/follow_requests/${malloryId}/reject`, dave);
    expect(rejected.statusCode).toBe(200);
    await harness.sendRelationshipEvents();
    expect(receivedSince(before).map((entry) => entry.body)).toEqual([
      expect.objectContaining({
        type: 'Reject',
        actor: daveUri(),
        object: expect.objectContaining({ type: 'Follow', actor, object: daveUri() }),
      }),
    ]);
    expect(await relationship(dave, malloryId)).toMatchObject({ followed_by: false });
  });
});

describe('through the real worker', () => {
  it('the federation-delivery consumer sends the Follow of a remote account', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { outboxEvents } = await import('@murmur/db/testing');
    const { startWorkerProcess } = await import('./_worker.js');
    const directory = await mkdtemp(`${tmpdir()}/murmur-relationships-`);
    const worker = await startWorkerProcess({
      databaseUrl: harness.server.databaseUrl,
      mediaDir: directory,
      extra: { ALLOWED_PRIVATE_ADDRESSES: '127.0.0.0/8' },
    });
    try {
      await call('POST', `/api/v1/accounts/${malloryId}/follow`, alice);
      const requested = (await outboxEvents(harness.server.database, ['FollowRequested'])).at(-1)!;
      const followOf = () =>
        harness.remote.inbox.find(
          (entry) => entry.body.id === `${ORIGIN}/users/${alice.username}#follows/${requested.id}`,
        );
      const deadline = Date.now() + 60_000;
      while (!followOf() && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(followOf()?.body).toMatchObject({ type: 'Follow', object: actor });
    } finally {
      await worker.stop();
      await rm(directory, { recursive: true, force: true });
    }
  }, 120_000);
});
