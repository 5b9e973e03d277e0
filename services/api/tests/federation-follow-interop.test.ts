/**
 * Follows with Mastodon as the other side, as a person sees them in their app. A remote account
 * that approves its followers (`manuallyApprovesFollowers`) is `locked` in the client API, so apps
 * offer "Request"; the follow shows `requested` until its server's `Accept` (then `following`) or
 * `Reject` (then nothing); an `Update(Person)` brings its profile's change. A remote server that
 * sends its `Follow` again (it never saw the `Accept`, or forgot the follow) gets another `Accept`
 * of that `Follow`, and nothing else changes; to a locked account it keeps one request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverNotifications, outboxEvents } from '@murmur/db/testing';
import { mastodonFixture } from './_fixtures.js';
import { startInboxHarness, type InboxHarness } from './_inbox.js';
import { lockedUser, ORIGIN, signedInUser, type TestUser } from './_mastodon.js';
import { expectMastodonResponse } from './_openapi.js';
import { deliver } from './_remote-actor.js';

let harness: InboxHarness;
let actor: string;

beforeAll(async () => {
  harness = await startInboxHarness();
  actor = harness.remote.actorId.href;
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

function call(method: 'GET' | 'POST', url: string, user: TestUser) {
  return harness.server.app.inject({ method, url, headers: user.headers });
}

async function relationship(user: TestUser, id: string) {
  const response = await call('GET', `/api/v1/accounts/relationships?id[]=${id}`, user);
  expectMastodonResponse(response);
  return (
    response.json() as {
      following: boolean;
      requested: boolean;
      followed_by: boolean;
      requested_by: boolean;
    }[]
  )[0]!;
}

async function account(user: TestUser, id: string) {
  const response = await call('GET', `/api/v1/accounts/${id}`, user);
  expectMastodonResponse(response);
  return response.json() as { locked: boolean; followers_count: number; acct: string };
}

/** What the remote server received since `from` (its inbox's length then). */
const receivedSince = (from: number) => harness.remote.inbox.slice(from).map((entry) => entry.body);

const localUri = (user: TestUser) => `${ORIGIN}/users/${user.username}`;

/** Mallory's `Follow` of `user`, delivered and applied, with the id `id`. */
function malloryFollows(user: TestUser, id: string) {
  return harness.deliverAndApply({
    '@context': 'https://www.w3.org/ns/activitystreams',
    id: `${actor}/follows/${id}`,
    type: 'Follow',
    actor,
    object: localUri(user),
  });
}

describe('a remote account that approves its followers', () => {
  let alice: TestUser;
  let malloryId: string;

  /** Mallory's server answers alice's latest Follow (Mastodon's shape: the Follow embedded). */
  async function answerLatestFollow(answerType: 'Accept' | 'Reject', answerId: string) {
    const follow = harness.remote.inbox.findLast((entry) => entry.body.type === 'Follow')!;
    await harness.deliverAndApply(
      mastodonFixture('accept-follow', {
        actor,
        answerId,
        answerType,
        followId: follow.body.id as string,
        follower: localUri(alice),
      }),
    );
  }

  beforeAll(async () => {
    alice = await signedInUser(harness.server.database);
    await harness.remote.setProfile({ manuallyApprovesFollowers: true });
    malloryId = (await harness.resolver.resolveActor(harness.remote.actorId))!;
  });

  it('is locked in the client API, so apps show "Request"', async () => {
    expect(await account(alice, malloryId)).toMatchObject({
      acct: `mallory@${harness.remote.actorId.host}`,
      locked: true,
    });
  });

  it('a follow stays requested until its server accepts, then is following', async () => {
    const followed = await call('POST', `/api/v1/accounts/${malloryId}/follow`, alice);
    expectMastodonResponse(followed);
    expect(followed.json()).toMatchObject({ following: false, requested: true });
    await harness.sendRelationshipEvents();
    expect(await relationship(alice, malloryId)).toMatchObject({
      following: false,
      requested: true,
    });

    await answerLatestFollow('Accept', 'a1');
    expect(await relationship(alice, malloryId)).toMatchObject({
      following: true,
      requested: false,
    });
    expect(await account(alice, malloryId)).toMatchObject({ followers_count: 1 });
  });

  it('a Reject removes the request', async () => {
    await call('POST', `/api/v1/accounts/${malloryId}/unfollow`, alice);
    await call('POST', `/api/v1/accounts/${malloryId}/follow`, alice);
    await harness.sendRelationshipEvents();
    expect(await relationship(alice, malloryId)).toMatchObject({ requested: true });

    await answerLatestFollow('Reject', 'r1');
    expect(await relationship(alice, malloryId)).toMatchObject({
      following: false,
      requested: false,
    });
  });

  it('an Update of the actor brings the change (here: it no longer approves followers)', async () => {
    await harness.remote.setProfile({ manuallyApprovesFollowers: false });
    await harness.deliverAndApply({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${actor}#updates/1`,
      type: 'Update',
      actor,
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      object: harness.remote.document(),
    });
    expect(await account(alice, malloryId)).toMatchObject({ locked: false });

    await harness.remote.setProfile({ manuallyApprovesFollowers: true });
    await harness.deliverAndApply({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${actor}#updates/2`,
      type: 'Update',
      actor,
      object: harness.remote.document(),
    });
    expect(await account(alice, malloryId)).toMatchObject({ locked: true });
  });
});

describe('a Follow sent again by the remote server', () => {
  let bob: TestUser;
  let malloryId: string;

  beforeAll(async () => {
    bob = await signedInUser(harness.server.database);
    malloryId = (await harness.resolver.resolveActor(harness.remote.actorId))!;
  });

  it('of an account it already follows is answered with another Accept of that Follow', async () => {
    const before = harness.remote.inbox.length;
    await malloryFollows(bob, 'bob-1');
    await harness.sendRelationshipEvents();
    expect(receivedSince(before)).toEqual([
      expect.objectContaining({ type: 'Accept', actor: localUri(bob) }),
    ]);

    // Mastodon never saw that Accept (or reset its side): it sends a new Follow.
    await malloryFollows(bob, 'bob-2');
    await harness.sendRelationshipEvents();
    const answers = receivedSince(before);
    expect(answers).toHaveLength(2);
    expect(answers[1]).toMatchObject({
      type: 'Accept',
      actor: localUri(bob),
      object: { id: `${actor}/follows/bob-2`, type: 'Follow', actor, object: localUri(bob) },
    });
    expect(answers[1]!.id).not.toBe(answers[0]!.id);

    // Nothing else changed: one follower, one follow notification.
    expect(await relationship(bob, malloryId)).toMatchObject({ followed_by: true });
    const me = await call('GET', '/api/v1/accounts/verify_credentials', bob);
    expect(me.json()).toMatchObject({ followers_count: 1 });
    await deliverNotifications(harness.server.database);
    const notifications = await call('GET', '/api/v1/notifications?types[]=follow', bob);
    expectMastodonResponse(notifications);
    expect(notifications.json()).toHaveLength(1);
  });

  it('delivered twice is answered once', async () => {
    const before = harness.remote.inbox.length;
    const follow = {
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${actor}/follows/bob-3`,
      type: 'Follow',
      actor,
      object: localUri(bob),
    };
    const body = JSON.stringify(follow);
    const { privateKey, keyId } = harness.remote;
    expect(await deliver(harness.server, body, privateKey, keyId)).toBe(202);
    expect(await deliver(harness.server, body, privateKey, keyId)).toBe(202);
    const recorded = (
      await outboxEvents(harness.server.database, ['RemoteActivityReceived'])
    ).filter((event) => event.data.activityId === follow.id);
    expect(recorded).toHaveLength(1);
    // Even applied twice (a worker redelivers an event at least once), one Accept is sent.
    await harness.apply(recorded[0]!.data);
    await harness.apply(recorded[0]!.data);
    await harness.sendRelationshipEvents();
    expect(receivedSince(before)).toEqual([
      expect.objectContaining({
        type: 'Accept',
        object: expect.objectContaining({ id: follow.id }),
      }),
    ]);
  });

  it('to a locked account keeps one request, answered once when authorized, again once followed', async () => {
    const dave = await lockedUser(harness.server);
    const before = harness.remote.inbox.length;
    await malloryFollows(dave, 'dave-1');
    await malloryFollows(dave, 'dave-2');
    await harness.sendRelationshipEvents();
    expect(receivedSince(before)).toEqual([]);
    const requests = await call('GET', '/api/v1/follow_requests', dave);
    expectMastodonResponse(requests);
    expect((requests.json() as { id: string }[]).map((a) => a.id)).toEqual([malloryId]);
    expect(await relationship(dave, malloryId)).toMatchObject({ requested_by: true });

    const authorized = await call('POST', `/api/v1/follow_requests/${malloryId}/authorize`, dave);
    expect(authorized.json()).toMatchObject({ followed_by: true });
    await harness.sendRelationshipEvents();
    // The Accept names the request's newest Follow, the one its server waits on.
    expect(receivedSince(before)).toEqual([
      expect.objectContaining({
        type: 'Accept',
        actor: localUri(dave),
        object: expect.objectContaining({ id: `${actor}/follows/dave-2` }),
      }),
    ]);

    // Once authorized, a repeated Follow is answered at once: dave already said yes.
    await malloryFollows(dave, 'dave-3');
    await harness.sendRelationshipEvents();
    expect(receivedSince(before)).toHaveLength(2);
    expect(receivedSince(before)[1]).toMatchObject({
      type: 'Accept',
      object: { id: `${actor}/follows/dave-3`, type: 'Follow' },
    });
    const requests2 = await call('GET', '/api/v1/follow_requests', dave);
    expect(requests2.json()).toEqual([]);
  });
});
