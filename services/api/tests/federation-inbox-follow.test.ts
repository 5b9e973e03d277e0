/**
 * A person of another server follows a local person: the signed Follow is recorded by the inbox,
 * then applied (what the worker's consumer runs): the remote account is stored and the follow made,
 * and its event has a signed Accept delivered to the follower's inbox. Its Undo ends the follow.
 */
import { outboxEvents } from '@murmur/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInboxHarness, type InboxHarness } from './_inbox.js';
import { ORIGIN, signedInUser, type TestServer, type TestUser } from './_mastodon.js';
import { deliver, type RemoteActor } from './_remote-actor.js';
import { startWorkerProcess } from './_worker.js';

let harness: InboxHarness;
let remote: RemoteActor;
let server: TestServer;
let alice: TestUser;

beforeAll(async () => {
  harness = await startInboxHarness();
  ({ remote, server } = harness);
  alice = await signedInUser(server.database);
});

afterAll(async () => {
  await harness?.close();
});

const aliceUri = () => `${ORIGIN}/users/${alice.username}`;

/** Delivers the activity signed by the remote actor, then applies what the inbox recorded. */
function deliverAndApply(activity: Record<string, unknown>): Promise<void> {
  return harness.deliverAndApply({
    '@context': 'https://www.w3.org/ns/activitystreams',
    ...activity,
  });
}

async function aliceFollowers(): Promise<string[]> {
  const response = await server.app.inject({ url: `/api/v1/accounts/${alice.id}/followers` });
  return (response.json() as { acct: string }[]).map((account) => account.acct);
}

describe('a remote follow', () => {
  it('is stored, counted and accepted with a signed Accept', async () => {
    const follow = {
      id: `${remote.actorId.href}/follows/1`,
      type: 'Follow',
      actor: remote.actorId.href,
      object: aliceUri(),
    };
    await deliverAndApply(follow);
    await harness.sendRelationshipEvents();
    expect(await aliceFollowers()).toEqual([`mallory@${remote.actorId.host}`]);
    const actor = await server.app.inject({
      url: `/users/${alice.username}/followers`,
      headers: { accept: 'application/activity+json' },
    });
    expect(actor.json()).toMatchObject({ totalItems: 1 });

    expect(remote.inbox).toHaveLength(1);
    const [accept] = remote.inbox;
    expect(accept!.signature).toContain(`keyId="${aliceUri()}#main-key"`);
    expect(accept!.body).toMatchObject({
      type: 'Accept',
      actor: aliceUri(),
      // Named by its id: GoToSocial and Misskey find the follow they asked for by it.
      object: { id: follow.id, type: 'Follow', actor: remote.actorId.href, object: aliceUri() },
    });

    // Applied again (a redelivered event): still one follow, and no second Accept.
    const [event] = (await outboxEvents(server.database, ['RemoteActivityReceived'])).filter(
      (e) => e.data.activityId === follow.id,
    );
    await harness.apply(event!.data);
    await harness.sendRelationshipEvents();
    expect(await aliceFollowers()).toHaveLength(1);
    expect(remote.inbox).toHaveLength(1);
  });

  it('ends with its Undo', async () => {
    await deliverAndApply({
      id: `${remote.actorId.href}/follows/1/undo`,
      type: 'Undo',
      actor: remote.actorId.href,
      object: {
        id: `${remote.actorId.href}/follows/1`,
        type: 'Follow',
        actor: remote.actorId.href,
        object: aliceUri(),
      },
    });
    expect(await aliceFollowers()).toEqual([]);
  });
});

describe('through the real worker', () => {
  it('the federation-inbox consumer applies a delivered Follow, and the delivery consumer sends the Accept', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const directory = await mkdtemp(`${tmpdir()}/murmur-federation-`);
    const worker = await startWorkerProcess({
      databaseUrl: server.databaseUrl,
      mediaDir: directory,
      // A first attempt that fails is retried after 1 s, not the default minute (seen in CI: the
      // Accept's first POST failed and its retry came after the test's deadline).
      extra: {
        ALLOWED_PRIVATE_ADDRESSES: '127.0.0.0/8',
        FEDERATION_RETRY_BASE_MS: '1000',
        LOG_LEVEL: 'debug',
      },
    });
    try {
      const followId = `${remote.actorId.href}/follows/2`;
      const body = JSON.stringify({
        '@context': 'https://www.w3.org/ns/activitystreams',
        id: followId,
        type: 'Follow',
        actor: remote.actorId.href,
        object: aliceUri(),
      });
      expect(await deliver(server, body, remote.privateKey, remote.keyId)).toBe(202);
      // The Accept names the Follow it answers.
      const acceptOfThisFollow = async () =>
        remote.inbox.find(
          (entry) =>
            entry.body.type === 'Accept' &&
            (entry.body.object as { id?: string } | undefined)?.id === followId,
        );
      const deadline = Date.now() + 60_000;
      while (!(await acceptOfThisFollow()) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      if (!(await acceptOfThisFollow())) {
        // What the worker did, and what the remote inbox got, to explain the failure below.
        console.error(
          worker.log(),
          JSON.stringify(remote.inbox.map((entry) => entry.body)),
          JSON.stringify(await outboxEvents(server.database, ['AccountFollowed'])),
        );
      }
      expect((await acceptOfThisFollow())?.body).toMatchObject({
        type: 'Accept',
        actor: aliceUri(),
        object: {
          id: followId,
          type: 'Follow',
          actor: remote.actorId.href,
          object: aliceUri(),
        },
      });
      expect((await acceptOfThisFollow())?.signature).toContain(`keyId="${aliceUri()}#main-key"`);
      expect(await aliceFollowers()).toEqual([`mallory@${remote.actorId.host}`]);
    } finally {
      await worker.stop();
      await rm(directory, { recursive: true, force: true });
    }
  }, 120_000);
});
