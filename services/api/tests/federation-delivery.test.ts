/**
 * What Murmur sends about local content, through the one road (API → outbox → relay → JetStream →
 * the real worker's `federation-delivery` consumer) to two other servers on loopback whose inboxes
 * verify every HTTP Signature with Fedify, as Mastodon does. Followers on one server share its
 * inbox (one delivery), a follower on the other has only a personal inbox. Mastodon's addressing
 * and Note fields are checked on what arrived.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { Hashtag, Mention } from '@fedify/vocab';
import {
  Announce,
  Create,
  Delete,
  Like,
  Note,
  PUBLIC_COLLECTION,
  Undo,
  Update,
} from '@fedify/vocab';
import { deleteOwnAccount } from '@murmur/db/accounts';
import { followAccount } from '@murmur/db/follows';
import {
  FIXTURE_PASSWORD,
  remoteAccountFixture,
  remoteStatusFixture,
  runOutPoll,
} from '@murmur/db/testing';
import { takeAccountAction } from '@murmur/db/moderation';
import { receiveRemoteStatus, upsertRemoteAccount } from '@murmur/db/federation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, signedInUser, startServer, type TestServer, type TestUser } from './_mastodon.js';
import {
  murmurDocumentLoader,
  startVerifyingInbox,
  type ReceivedActivity,
  type VerifyingInboxServer,
} from './_verifying-inbox.js';
import { expectMastodonResponse } from './_openapi.js';
import { startWorkerProcess, type WorkerProcess } from './_worker.js';

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let shared: VerifyingInboxServer;
let personal: VerifyingInboxServer;
let worker: WorkerProcess;
let directory: string;
let frankId: string;

const actor = (user: TestUser) => `${ORIGIN}/users/${user.username}`;
const followers = (user: TestUser) => `${actor(user)}/followers`;

async function remoteFollower(
  inboxServer: VerifyingInboxServer,
  username: string,
  options: { sharedInbox: boolean; follows: TestUser[] },
): Promise<string> {
  const uri = `${inboxServer.origin}/users/${username}`;
  const id = await upsertRemoteAccount(
    server.database,
    remoteAccountFixture({
      uri,
      username,
      sharedInboxUrl: options.sharedInbox ? `${inboxServer.origin}/inbox` : null,
    }),
  );
  for (const user of options.follows) {
    await followAccount(server.database, { accountId: id, targetAccountId: user.id });
  }
  return id;
}

beforeAll(async () => {
  server = await startServer({ ALLOWED_PRIVATE_ADDRESSES: '127.0.0.0/8' });
  alice = await signedInUser(server.database);
  bob = await signedInUser(server.database);
  shared = await startVerifyingInbox(server, '127.0.0.2');
  personal = await startVerifyingInbox(server, '127.0.0.3');
  // Three followers of alice on the first server, one shared inbox; one on the second.
  for (const name of ['carol', 'dave', 'erin']) {
    await remoteFollower(shared, name, { sharedInbox: true, follows: [alice] });
  }
  frankId = await remoteFollower(personal, 'frank', { sharedInbox: false, follows: [alice, bob] });
  directory = await mkdtemp(`${tmpdir()}/murmur-federation-out-`);
  worker = await startWorkerProcess({
    databaseUrl: server.databaseUrl,
    mediaDir: directory,
    extra: { ALLOWED_PRIVATE_ADDRESSES: '127.0.0.0/8' },
  });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await shared?.close();
  await personal?.close();
  await server?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

async function post(user: TestUser, body: Record<string, unknown>): Promise<{ id: string }> {
  const response = await server.app.inject({
    method: 'POST',
    url: '/api/v1/statuses',
    headers: user.headers,
    payload: body,
  });
  expect(response.statusCode).toBe(200);
  return response.json();
}

/** Waits (bounded) until `inbox` has received an activity matching `match`, and returns it. */
async function arrival(
  inbox: VerifyingInboxServer,
  match: (body: Record<string, unknown>) => boolean,
): Promise<ReceivedActivity> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = inbox.received.find((activity) => match(activity.body));
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `nothing matching arrived; got ${JSON.stringify(inbox.received.map((a) => a.body.id))}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const about = (statusId: string) => (body: Record<string, unknown>) =>
  JSON.stringify(body).includes(`/statuses/${statusId}`);
const ofType = (type: string, statusId: string) => (body: Record<string, unknown>) =>
  body.type === type && about(statusId)(body);

const loader = () => murmurDocumentLoader(server);
const hrefs = (urls: Iterable<URL>) => [...urls].map((url) => url.href).sort();

describe('Create of a local status', () => {
  it('reaches each inbox once, signed by its author, with Mastodon’s Note', async () => {
    const status = await post(alice, {
      status: 'Hello @' + bob.username + ' #Murmur https://example.com/x',
      spoiler_text: 'a warning',
      visibility: 'public',
    });
    const atShared = await arrival(shared, ofType('Create', status.id));
    const atPersonal = await arrival(personal, ofType('Create', status.id));
    expect(atShared.path).toBe('/inbox');
    expect(atPersonal.path).toBe('/users/frank/inbox');
    for (const received of [atShared, atPersonal]) {
      expect(received.keyId).toBe(`${actor(alice)}#main-key`);
    }

    const create = await Create.fromJsonLd(atShared.body, {
      documentLoader: loader(),
      contextLoader: loader(),
    });
    const note = await create.getObject({ documentLoader: loader(), contextLoader: loader() });
    expect(note).toBeInstanceOf(Note);
    const statusUri = `${actor(alice)}/statuses/${status.id}`;
    expect(create.id?.href).toBe(`${statusUri}/activity`);
    expect(create.actorId?.href).toBe(actor(alice));
    expect(hrefs(create.toIds)).toEqual([PUBLIC_COLLECTION.href]);
    expect(hrefs(create.ccIds)).toEqual([actor(bob), followers(alice)].sort());
    expect(note!.id?.href).toBe(statusUri);
    expect(note!.attributionId?.href).toBe(actor(alice));
    expect(hrefs(note!.toIds)).toEqual([PUBLIC_COLLECTION.href]);
    expect(note!.summary?.toString()).toBe('a warning');
    expect(atShared.body.object).toMatchObject({
      type: 'Note',
      sensitive: true,
      url: `${ORIGIN}/@${alice.username}/${status.id}`,
    });
    const content = String(note!.content);
    expect(content).toContain(`href="${ORIGIN}/@${bob.username}"`);
    expect(content).toContain(`href="${ORIGIN}/tags/murmur"`);
    expect(content).toContain('href="https://example.com/x"');
    const tags: (Mention | Hashtag)[] = [];
    for await (const tag of note!.getTags()) tags.push(tag as Mention | Hashtag);
    expect(tags.map((tag) => [tag.constructor.name, tag.name?.toString(), tag.href?.href])).toEqual(
      [
        ['Mention', `@${bob.username}`, actor(bob)],
        ['Hashtag', '#Murmur', `${ORIGIN}/tags/murmur`],
      ],
    );
    expect(note!.published).not.toBeNull();
    expect(note!.updated).toBeNull();
    // One delivery per inbox: three followers share the first server's.
    expect(shared.received.filter((a) => ofType('Create', status.id)(a.body))).toHaveLength(1);
  }, 60_000);

  it('addresses unlisted to followers with Public in cc, followers-only to followers alone', async () => {
    const unlisted = await post(alice, { status: 'quiet', visibility: 'unlisted' });
    const privately = await post(alice, { status: 'friends only', visibility: 'private' });
    const u = await arrival(shared, ofType('Create', unlisted.id));
    const p = await arrival(shared, ofType('Create', privately.id));
    const parse = (r: ReceivedActivity) =>
      Create.fromJsonLd(r.body, { documentLoader: loader(), contextLoader: loader() });
    const [uc, pc] = await Promise.all([parse(u), parse(p)]);
    expect(hrefs(uc.toIds)).toEqual([followers(alice)]);
    expect(hrefs(uc.ccIds)).toEqual([PUBLIC_COLLECTION.href]);
    expect(hrefs(pc.toIds)).toEqual([followers(alice)]);
    expect(hrefs(pc.ccIds)).toEqual([]);
    expect(JSON.stringify(p.body)).not.toContain('Public');
  }, 60_000);

  it('sends a direct message to no follower', async () => {
    const direct = await post(alice, { status: `@${bob.username} secret`, visibility: 'direct' });
    const marker = await post(alice, { status: 'after the secret' });
    await arrival(shared, ofType('Create', marker.id));
    await arrival(personal, ofType('Create', marker.id));
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const inbox of [shared, personal]) {
      expect(inbox.received.some((a) => about(direct.id)(a.body))).toBe(false);
    }
  }, 60_000);

  it('names the status a reply answers in inReplyTo', async () => {
    const parent = await post(bob, { status: 'a question' });
    const reply = await post(alice, {
      status: `@${bob.username} an answer`,
      in_reply_to_id: parent.id,
    });
    const received = await arrival(shared, ofType('Create', reply.id));
    expect(received.body.object).toMatchObject({
      inReplyTo: `${actor(bob)}/statuses/${parent.id}`,
    });
  }, 60_000);
});

describe('Update and Delete', () => {
  it('an edit is an Update with `updated`; a deletion a Delete of a Tombstone', async () => {
    const status = await post(alice, { status: 'first words' });
    await arrival(shared, ofType('Create', status.id));
    const edited = await server.app.inject({
      method: 'PUT',
      url: `/api/v1/statuses/${status.id}`,
      headers: alice.headers,
      payload: { status: 'better words' },
    });
    expect(edited.statusCode).toBe(200);
    const update = await arrival(shared, ofType('Update', status.id));
    const parsed = await Update.fromJsonLd(update.body, {
      documentLoader: loader(),
      contextLoader: loader(),
    });
    const note = (await parsed.getObject({
      documentLoader: loader(),
      contextLoader: loader(),
    })) as Note;
    expect(String(note.content)).toContain('better words');
    expect(note.updated).not.toBeNull();
    expect(update.keyId).toBe(`${actor(alice)}#main-key`);

    const deleted = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/statuses/${status.id}`,
      headers: alice.headers,
    });
    expect(deleted.statusCode).toBe(200);
    for (const inbox of [shared, personal]) {
      const removal = await arrival(inbox, ofType('Delete', status.id));
      const activity = await Delete.fromJsonLd(removal.body, {
        documentLoader: loader(),
        contextLoader: loader(),
      });
      expect(activity.actorId?.href).toBe(actor(alice));
      expect(removal.body.object).toMatchObject({
        type: 'Tombstone',
        id: `${actor(alice)}/statuses/${status.id}`,
      });
    }
  }, 60_000);
});

describe('boosts and profiles', () => {
  it('a boost is an Announce to the booster’s followers, and its undo an Undo', async () => {
    const original = await post(alice, { status: 'boost me' });
    const reblog = await server.app.inject({
      method: 'POST',
      url: `/api/v1/statuses/${original.id}/reblog`,
      headers: bob.headers,
    });
    expect(reblog.statusCode).toBe(200);
    const reblogId = (reblog.json() as { id: string }).id;
    const announce = await arrival(
      personal,
      (body) => body.type === 'Announce' && body.actor === actor(bob),
    );
    const parsed = await Announce.fromJsonLd(announce.body, {
      documentLoader: loader(),
      contextLoader: loader(),
    });
    expect(announce.keyId).toBe(`${actor(bob)}#main-key`);
    expect(parsed.id?.href).toBe(`${actor(bob)}/statuses/${reblogId}/activity`);
    expect(parsed.objectId?.href).toBe(`${actor(alice)}/statuses/${original.id}`);
    expect(hrefs(parsed.toIds)).toEqual([PUBLIC_COLLECTION.href]);
    expect(hrefs(parsed.ccIds)).toEqual([actor(alice), followers(bob)].sort());

    const undone = await server.app.inject({
      method: 'POST',
      url: `/api/v1/statuses/${original.id}/unreblog`,
      headers: bob.headers,
    });
    expect(undone.statusCode).toBe(200);
    const undo = await arrival(
      personal,
      (body) => body.type === 'Undo' && body.actor === actor(bob),
    );
    const parsedUndo = await Undo.fromJsonLd(undo.body, {
      documentLoader: loader(),
      contextLoader: loader(),
    });
    expect(parsedUndo.objectId?.href).toBe(parsed.id?.href);
  }, 60_000);

  it('a profile change is an Update of the Person to the followers', async () => {
    const response = await server.app.inject({
      method: 'PATCH',
      url: '/api/v1/accounts/update_credentials',
      headers: alice.headers,
      payload: { display_name: 'Alice Federated' },
    });
    expect(response.statusCode).toBe(200);
    const update = await arrival(
      shared,
      (body) =>
        body.type === 'Update' && (body.object as { type?: string } | undefined)?.type === 'Person',
    );
    expect(update.keyId).toBe(`${actor(alice)}#main-key`);
    expect(update.body.object).toMatchObject({ id: actor(alice), name: 'Alice Federated' });
  }, 60_000);

  it('a suspension is a Delete of the actor to every known inbox, lifting it an Update', async () => {
    const carl = await signedInUser(server.database);
    await remoteFollower(personal, 'gina', { sharedInbox: false, follows: [carl] });
    /** The operator's command line (no moderator) acts, then what carl's followers got. */
    const actAndReceive = async (type: 'suspend' | 'unsuspend', activity: string) => {
      await takeAccountAction(server.database, { moderatorId: null, accountId: carl.id, type });
      return arrival(personal, (body) => body.type === activity && body.actor === actor(carl));
    };
    const deletion = await actAndReceive('suspend', 'Delete');
    expect(deletion.keyId).toBe(`${actor(carl)}#main-key`);
    expect(deletion.body).toMatchObject({ id: `${actor(carl)}#delete`, object: actor(carl) });
    // Not only gina's inbox: frank's, and the shared inbox of carol, dave and erin, who never
    // followed carl, each once.
    const deletionOfCarl = (body: Record<string, unknown>) =>
      body.type === 'Delete' && body.actor === actor(carl);
    await arrival(shared, deletionOfCarl);
    await expect
      .poll(
        () =>
          personal.received
            .filter((a) => deletionOfCarl(a.body))
            .map((a) => a.path)
            .sort(),
        {
          timeout: 30_000,
        },
      )
      .toEqual(['/users/frank/inbox', '/users/gina/inbox']);
    expect(shared.received.filter((a) => deletionOfCarl(a.body)).map((a) => a.path)).toEqual([
      '/inbox',
    ]);

    const update = await actAndReceive('unsuspend', 'Update');
    expect(update.body.object).toMatchObject({ id: actor(carl), type: 'Person' });
  }, 60_000);
});

describe('a deleted account', () => {
  it('is a Delete of the actor to every known inbox, though nobody followed it', async () => {
    const dana = await signedInUser(server.database);
    await deleteOwnAccount(server.database, {
      accountId: dana.id,
      password: FIXTURE_PASSWORD,
    });
    const deletionOfDana = (body: Record<string, unknown>) =>
      body.type === 'Delete' && body.actor === actor(dana);
    const deletion = await arrival(shared, deletionOfDana);
    expect(deletion.path).toBe('/inbox');
    expect(deletion.keyId).toBe(`${actor(dana)}#main-key`);
    expect(deletion.body).toMatchObject({ id: `${actor(dana)}#delete`, object: actor(dana) });
    await arrival(personal, deletionOfDana);
  }, 60_000);
});

describe('interactions with a remote status', () => {
  const frank = () => `${personal.origin}/users/frank`;
  let remoteStatusId: string;
  let remoteUri: string;

  beforeAll(async () => {
    remoteUri = `${frank()}/statuses/1001`;
    ({ id: remoteStatusId } = await receiveRemoteStatus(
      server.database,
      remoteStatusFixture({ accountId: frankId, uri: remoteUri, text: 'from afar' }),
    ));
  });

  const act = (user: TestUser, action: string) =>
    server.app.inject({
      method: 'POST',
      url: `/api/v1/statuses/${remoteStatusId}/${action}`,
      headers: user.headers,
    });
  const parse = { documentLoader: loader(), contextLoader: loader() };

  it('a favourite is a Like to its author, and taking it back an Undo of the Like', async () => {
    expect((await act(bob, 'favourite')).statusCode).toBe(200);
    const like = await arrival(
      personal,
      (body) => body.type === 'Like' && body.actor === actor(bob),
    );
    expect(like.path).toBe('/users/frank/inbox');
    expect(like.keyId).toBe(`${actor(bob)}#main-key`);
    expect(like.body).toMatchObject({ object: remoteUri });
    // Only the author's server hears of it: not bob's followers elsewhere.
    expect(shared.received.some((a) => a.body.type === 'Like')).toBe(false);

    expect((await act(bob, 'unfavourite')).statusCode).toBe(200);
    const undo = await arrival(
      personal,
      (body) => body.type === 'Undo' && (body.object as { type?: string })?.type === 'Like',
    );
    const parsed = await Undo.fromJsonLd(undo.body, parse);
    const undone = (await parsed.getObject(parse)) as Like;
    expect(undone).toBeInstanceOf(Like);
    expect(undone.actorId?.href).toBe(actor(bob));
    expect(undone.objectId?.href).toBe(remoteUri);
  }, 60_000);

  it('a boost is an Announce of its id, to its author and the booster’s followers', async () => {
    const reblog = await act(alice, 'reblog');
    expect(reblog.statusCode).toBe(200);
    const byAlice = (body: Record<string, unknown>) =>
      body.type === 'Announce' && body.actor === actor(alice);
    const atAuthor = await arrival(personal, byAlice);
    const atFollowers = await arrival(shared, byAlice);
    const announce = await Announce.fromJsonLd(atAuthor.body, parse);
    expect(announce.objectId?.href).toBe(remoteUri);
    expect(hrefs(announce.ccIds)).toEqual([frank(), followers(alice)].sort());
    expect(atFollowers.body.id).toBe(atAuthor.body.id);

    expect((await act(alice, 'unreblog')).statusCode).toBe(200);
    const undo = await arrival(
      personal,
      (body) => body.type === 'Undo' && body.actor === actor(alice),
    );
    expect(undo.body.object).toMatchObject({ type: 'Announce', object: remoteUri });
  }, 60_000);

  it('a reply names it in inReplyTo and reaches its author (who follows no one here)', async () => {
    const quiet = await signedInUser(server.database);
    const reply = await post(quiet, {
      status: 'a reply from here',
      in_reply_to_id: remoteStatusId,
    });
    const received = await arrival(personal, ofType('Create', reply.id));
    const create = await Create.fromJsonLd(received.body, parse);
    const note = (await create.getObject(parse)) as Note;
    expect(note.replyTargetId?.href).toBe(remoteUri);
    expect(hrefs(note.ccIds)).toContain(frank());
  }, 60_000);
});

describe('mentions of remote accounts', () => {
  it('a direct message to @user@host reaches their server, tagged and linked to their profile', async () => {
    // A known remote account (its server's inbox is the second loopback server).
    const uri = `${personal.origin}/users/zoe`;
    await upsertRemoteAccount(
      server.database,
      remoteAccountFixture({
        uri,
        username: 'zoe',
        domain: 'zoe.example',
        displayName: 'Zoe',
        url: 'https://zoe.example/@zoe',
      }),
    );
    const quiet = await signedInUser(server.database);
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/statuses',
      headers: quiet.headers,
      payload: {
        status: 'psst @Zoe@zoe.example and @nobody@nowhere.invalid',
        visibility: 'direct',
      },
    });
    expectMastodonResponse(response);
    const status = response.json() as {
      id: string;
      content: string;
      mentions: { acct: string; url: string }[];
    };
    expect(status.mentions).toEqual([
      expect.objectContaining({ acct: 'zoe@zoe.example', url: 'https://zoe.example/@zoe' }),
    ]);
    expect(status.content).toContain(
      '<span class="h-card" translate="no"><a href="https://zoe.example/@zoe" class="u-url mention">@<span>Zoe</span></a></span>',
    );
    // The unknown one stays text.
    expect(status.content).toContain('@nobody@nowhere.invalid');

    const received = await arrival(personal, ofType('Create', status.id));
    expect(received.path).toBe('/users/zoe/inbox');
    const create = await Create.fromJsonLd(received.body, {
      documentLoader: loader(),
      contextLoader: loader(),
    });
    expect(hrefs(create.toIds)).toEqual([uri]);
    const note = (await create.getObject({
      documentLoader: loader(),
      contextLoader: loader(),
    })) as Note;
    const tags: Mention[] = [];
    for await (const tag of note.getTags()) tags.push(tag as Mention);
    expect(tags.map((tag) => [tag.name?.toString(), tag.href?.href])).toEqual([
      ['@zoe@zoe.example', uri],
    ]);
    expect(String(note.content)).toContain('href="https://zoe.example/@zoe"');
  }, 60_000);
});

describe('polls', () => {
  const frank = () => `${personal.origin}/users/frank`;
  const parse = () => ({ documentLoader: loader(), contextLoader: loader() });

  async function pollOf(user: TestUser, statusId: string): Promise<{ id: string }> {
    const response = await server.app.inject({
      method: 'GET',
      url: `/api/v1/statuses/${statusId}`,
      headers: user.headers,
    });
    return (response.json() as { poll: { id: string } }).poll;
  }

  async function vote(user: TestUser, pollId: string, choices: number[]) {
    const response = await server.app.inject({
      method: 'POST',
      url: `/api/v1/polls/${pollId}/votes`,
      headers: user.headers,
      payload: { choices: choices.map(String) },
    });
    expect(response.statusCode).toBe(200);
    expectMastodonResponse(response);
  }

  it('a vote with several choices in a remote poll is one note per choice, to its author', async () => {
    const questionUri = `${frank()}/statuses/2001`;
    const { id: statusId } = await receiveRemoteStatus(
      server.database,
      remoteStatusFixture({
        accountId: frankId,
        uri: questionUri,
        text: 'Which birds?',
        poll: {
          options: ['Heron', 'Egret', 'Stork'],
          optionVotes: [1, 0, 0],
          multiple: true,
          votersCount: 1,
          expiresAt: new Date(Date.now() + 3600_000),
        },
      }),
    );
    const poll = await pollOf(bob, statusId);
    await vote(bob, poll.id, [0, 2]);
    const isVote = (name: string) => (body: Record<string, unknown>) =>
      body.type === 'Create' && (body.object as { name?: string })?.name === name;
    const heron = await arrival(personal, isVote('Heron'));
    const stork = await arrival(personal, isVote('Stork'));
    for (const received of [heron, stork]) {
      expect(received.path).toBe('/users/frank/inbox');
      expect(received.keyId).toBe(`${actor(bob)}#main-key`);
      const create = await Create.fromJsonLd(received.body, parse());
      const note = (await create.getObject(parse())) as Note;
      expect(note.replyTargetId?.href).toBe(questionUri);
      expect(note.content).toBeNull();
      expect(hrefs(note.toIds)).toEqual([frank()]);
    }
    expect(heron.body.id).not.toBe(stork.body.id);
    // The vote is the author's alone, and each note went once.
    expect(shared.received.some((a) => isVote('Heron')(a.body))).toBe(false);
    expect(personal.received.filter((a) => isVote('Egret')(a.body))).toHaveLength(0);
    expect(personal.received.filter((a) => isVote('Heron')(a.body))).toHaveLength(1);
  }, 60_000);

  it('a local poll is a Question at its id and in the outbox', async () => {
    const status = await post(alice, {
      status: 'Tea or coffee?',
      poll: { options: ['Tea', 'Coffee'], expires_in: 3600, multiple: true },
    });
    const fetched = await server.app.inject({
      method: 'GET',
      url: `/users/${alice.username}/statuses/${status.id}`,
      headers: { accept: 'application/activity+json' },
    });
    expect(fetched.statusCode).toBe(200);
    expect(fetched.json()).toMatchObject({
      id: `${actor(alice)}/statuses/${status.id}`,
      type: 'Question',
      anyOf: [
        { type: 'Note', name: 'Tea', replies: { totalItems: 0 } },
        { type: 'Note', name: 'Coffee', replies: { totalItems: 0 } },
      ],
    });
    const page = await server.app.inject({
      method: 'GET',
      url: `/users/${alice.username}/outbox?cursor=`,
      headers: { accept: 'application/activity+json' },
    });
    expect(page.statusCode).toBe(200);
    const items = (page.json() as { orderedItems: { object: { id: string; type: string } }[] })
      .orderedItems;
    expect(items.find((item) => item.object.id.endsWith(`/${status.id}`))?.object.type).toBe(
      'Question',
    );
  });

  it('a local poll’s counts reach its followers’ servers in an Update, and its end as closed', async () => {
    const status = await post(alice, {
      status: 'North or south?',
      poll: { options: ['North', 'South'], expires_in: 3600 },
    });
    const poll = await pollOf(alice, status.id);
    const question = (body: Record<string, unknown>) =>
      body.object as { type?: string; votersCount?: number; closed?: string };
    const updateOf =
      (match: (q: ReturnType<typeof question>) => boolean) => (body: Record<string, unknown>) =>
        ofType('Update', status.id)(body) &&
        question(body).type === 'Question' &&
        match(question(body));

    await vote(bob, poll.id, [1]);
    const counted = await arrival(
      shared,
      updateOf((q) => q.votersCount === 1),
    );
    expect(counted.keyId).toBe(`${actor(alice)}#main-key`);
    expect(question(counted.body).closed).toBeUndefined();

    await runOutPoll(server.database, poll.id);
    const closed = await arrival(
      shared,
      updateOf((q) => typeof q.closed === 'string'),
    );
    const parsed = await Update.fromJsonLd(closed.body, parse());
    expect(parsed.actorId?.href).toBe(actor(alice));
    expect(closed.body.object).toMatchObject({
      votersCount: 1,
      oneOf: [
        { name: 'North', replies: { totalItems: 0 } },
        { name: 'South', replies: { totalItems: 1 } },
      ],
    });
  }, 60_000);
});
