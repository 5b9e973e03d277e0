/**
 * Statuses other servers send (Create, Update, Delete of a Note, as Mastodon 4.x sends them) and
 * interactions with local statuses (Like, Announce, their Undo): delivered signed to the shared
 * inbox, applied as the worker applies them, then read through the Mastodon client API as clients
 * read them (validated against Mastodon's OpenAPI description).
 */
import { authorizeFollowRequest, followAccount } from '@murmur/db/follows';
import { applyPendingFeedEvents, deliverNotifications } from '@murmur/db/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { mastodonFixture } from './_fixtures.js';
import { createNoteFixture, useInboxHarness } from './_inbox.js';
import { ORIGIN, signedInUser, type TestUser } from './_mastodon.js';
import { expectMastodonResponse } from './_openapi.js';

const harness = useInboxHarness();
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let malloryId: string;
let actor: string;
let host: string;

beforeAll(async () => {
  alice = await signedInUser(harness.server.database);
  bob = await signedInUser(harness.server.database);
  carol = await signedInUser(harness.server.database);
  actor = harness.remote.actorId.href;
  host = harness.remote.actorId.host;
  malloryId = (await harness.resolver.resolveActor(harness.remote.actorId))!;
  // Bob follows mallory (a request to a remote account, accepted by her server).
  const pair = { accountId: bob.id, targetAccountId: malloryId };
  await followAccount(harness.server.database, pair);
  await authorizeFollowRequest(harness.server.database, pair).catch(() => undefined);
});

const aliceUri = () => `${ORIGIN}/users/${alice.username}`;

/** A Create of a Note by mallory, as Mastodon sends it, mentioning alice; `change` edits the note. */
function createNote(change: (note: Record<string, unknown>) => void = () => undefined) {
  const { activity, noteUri } = createNoteFixture(harness, alice);
  change(activity.object as Record<string, unknown>);
  return { activity, noteUri };
}

/** A local status posted through the API. */
async function post(user: TestUser, payload: Record<string, string>) {
  const response = await harness.server.app.inject({
    method: 'POST',
    url: '/api/v1/statuses',
    headers: user.headers,
    payload,
  });
  expect(response.statusCode).toBe(200);
  return response.json() as { id: string; uri: string };
}

function get(url: string, user: TestUser | null = alice) {
  return harness.server.app.inject({ url, headers: user ? user.headers : {} });
}

/** The statuses of mallory's profile, as `user` sees them. */
async function mallorysStatuses(user: TestUser | null = alice) {
  const response = await get(`/api/v1/accounts/${malloryId}/statuses`, user);
  expect(response.statusCode).toBe(200);
  return response.json() as { id: string; uri: string; [key: string]: unknown }[];
}

async function statusOf(noteUri: string, user: TestUser | null = alice) {
  return (await mallorysStatuses(user)).find((status) => status.uri === noteUri);
}

describe('an incoming public note', () => {
  let noteUri: string;
  let statusId: string;

  beforeAll(async () => {
    const note = createNote();
    noteUri = note.noteUri;
    await harness.deliverAndApply(note.activity);
    statusId = (await statusOf(noteUri))!.id;
  });

  it('is shown by the client API as Mastodon shows a remote status', async () => {
    const response = await get(`/api/v1/statuses/${statusId}`);
    expect(response.statusCode).toBe(200);
    expectMastodonResponse(response);
    const status = response.json();
    expect(status).toMatchObject({
      uri: noteUri,
      url: `${harness.remote.actorId.origin}/@mallory/${noteUri.split('/').at(-1)}`,
      visibility: 'public',
      language: 'en',
      sensitive: false,
      spoiler_text: '',
      account: { id: malloryId, acct: `mallory@${host}`, username: 'mallory' },
      mentions: [{ id: alice.id, acct: alice.username, username: alice.username }],
      tags: [{ name: 'murmur' }],
    });
    expect(status.content).toContain(`@<span>${alice.username}</span></a>`);
    expect(status.content).toContain('#<span>Murmur</span>');
  });

  it('reaches clients sanitized: no script, no event handler, no javascript: link', async () => {
    const { content } = (await get(`/api/v1/statuses/${statusId}`)).json() as { content: string };
    expect(content).not.toMatch(/<script|onerror|javascript:|<img/i);
    expect(content).toContain('from afar');
    expect(content).toContain('rel="nofollow noopener noreferrer"');
  });

  it('notifies the person it mentions', async () => {
    await deliverNotifications(harness.server.database);
    const response = await get('/api/v1/notifications?types[]=mention');
    expectMastodonResponse(response);
    const [notification] = response.json() as { type: string; status: { id: string } }[];
    expect(notification).toMatchObject({ type: 'mention', status: { id: statusId } });
  });

  it("enters the home feed of mallory's local follower", async () => {
    await applyPendingFeedEvents(harness.server.database);
    const response = await get('/api/v1/timelines/home', bob);
    expectMastodonResponse(response);
    expect((response.json() as { id: string }[]).map((s) => s.id)).toContain(statusId);
    const carols = await get('/api/v1/timelines/home', carol);
    expect((carols.json() as { id: string }[]).map((s) => s.id)).not.toContain(statusId);
  });

  it('is in the federated public timeline, not the local one', async () => {
    const ids = async (query: string) =>
      ((await get(`/api/v1/timelines/public${query}`, null)).json() as { id: string }[]).map(
        (s) => s.id,
      );
    expect(await ids('')).toContain(statusId);
    expect(await ids('?remote=true')).toContain(statusId);
    expect(await ids('?local=true')).not.toContain(statusId);
  });

  it('reads as a remote status through masto.js', async () => {
    const { createRestAPIClient } = await import('masto');
    const address = await harness.server.app.listen({ host: '127.0.0.1', port: 0 });
    const client = createRestAPIClient({ url: address, accessToken: bob.token });
    const status = await client.v1.statuses.$select(statusId).fetch();
    expect(status).toMatchObject({
      uri: noteUri,
      account: { acct: `mallory@${host}` },
      mentions: [{ acct: alice.username }],
    });
    const remote = await client.v1.timelines.public.list({ remote: true });
    expect(remote.map((s) => s.id)).toContain(statusId);
    const local = await client.v1.timelines.public.list({ local: true });
    expect(local.map((s) => s.id)).not.toContain(statusId);
    const home = await client.v1.timelines.home.list();
    expect(home.map((s) => s.id)).toContain(statusId);
  });

  it('is stored once however often it is delivered', async () => {
    const again = createNote();
    (again.activity as { id: string }).id = `${noteUri}/activity-again`;
    (again.activity.object as { id: string }).id = noteUri;
    await harness.deliverAndApply(again.activity);
    expect((await mallorysStatuses()).filter((s) => s.uri === noteUri)).toHaveLength(1);
  });
});

describe('visibility, as Mastodon maps to and cc', () => {
  it('followers-only: shown to her followers, not to others', async () => {
    const note = createNote((object) => {
      object.to = [`${actor}/followers`];
      object.cc = [aliceUri()];
    });
    note.activity.to = [`${actor}/followers`];
    note.activity.cc = [aliceUri()];
    await harness.deliverAndApply(note.activity);
    expect(await statusOf(note.noteUri, bob)).toMatchObject({ visibility: 'private' });
    expect(await statusOf(note.noteUri, carol)).toBeUndefined();
    expect(await statusOf(note.noteUri, null)).toBeUndefined();
  });

  it('unlisted: public in cc', async () => {
    const note = createNote((object) => {
      object.to = [`${actor}/followers`];
      object.cc = ['https://www.w3.org/ns/activitystreams#Public'];
    });
    await harness.deliverAndApply(note.activity);
    expect(await statusOf(note.noteUri, null)).toMatchObject({ visibility: 'unlisted' });
  });

  it('direct: only the people named see it', async () => {
    const note = createNote((object) => {
      object.to = [aliceUri()];
      object.cc = [];
    });
    await harness.deliverAndApply(note.activity);
    expect(await statusOf(note.noteUri, alice)).toMatchObject({ visibility: 'direct' });
    expect(await statusOf(note.noteUri, bob)).toBeUndefined();
  });

  it('a content warning makes it sensitive, with the warning as spoiler_text', async () => {
    const note = createNote((object) => {
      object.summary = 'spoilers <b>ahead</b>';
      object.sensitive = true;
    });
    await harness.deliverAndApply(note.activity);
    expect(await statusOf(note.noteUri)).toMatchObject({
      sensitive: true,
      spoiler_text: 'spoilers ahead',
    });
  });
});

describe('replies', () => {
  /** Publishes a note on the remote server (GET-able), replying to `parent`; returns its URI. */
  function publish(id: string, parent: string | null): string {
    const uri = `${actor}/statuses/${id}`;
    harness.remote.objects.set(new URL(uri).pathname, {
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: uri,
      type: 'Note',
      attributedTo: actor,
      inReplyTo: parent,
      content: `<p>note ${id}</p>`,
      published: '2026-12-01T09:00:00Z',
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      cc: [`${actor}/followers`],
    });
    return uri;
  }

  it('a reply to an unknown note fetches the parent, and the thread reads whole', async () => {
    const root = publish('900', null);
    const note = createNote((object) => {
      object.inReplyTo = root;
    });
    await harness.deliverAndApply(note.activity);
    const reply = (await statusOf(note.noteUri))!;
    const parent = (await statusOf(root))!;
    expect(parent).toMatchObject({ content: '<p>note 900</p>', replies_count: 1 });
    expect(reply).toMatchObject({ in_reply_to_id: parent.id, in_reply_to_account_id: malloryId });
    const context = await get(`/api/v1/statuses/${reply.id}/context`);
    expectMastodonResponse(context);
    expect((context.json() as { ancestors: { id: string }[] }).ancestors.map((s) => s.id)).toEqual([
      parent.id,
    ]);
  });

  it('fetches no more parents than the limit allows', async () => {
    let parent: string | null = null;
    const chain: string[] = [];
    for (let id = 910; id < 915; id++) chain.push((parent = publish(String(id), parent)));
    const note = createNote((object) => {
      object.inReplyTo = parent;
    });
    await harness.deliverAndApply(note.activity, harness.applierWith({ depth: 2, timeMs: 10_000 }));
    const stored = new Set((await mallorysStatuses()).map((s) => s.uri));
    expect(stored.has(note.noteUri)).toBe(true);
    expect(chain.filter((uri) => stored.has(uri))).toEqual(chain.slice(-2));
  });

  it('a reply to a local status is stored even from a stranger, and counted', async () => {
    const local = await post(carol, { status: 'hello fediverse' });
    const note = createNote((object) => {
      object.inReplyTo = local.uri;
      object.tag = [];
    });
    await harness.deliverAndApply(note.activity);
    expect(await statusOf(note.noteUri)).toMatchObject({ in_reply_to_id: local.id });
    expect((await get(`/api/v1/statuses/${local.id}`)).json()).toMatchObject({ replies_count: 1 });
  });
});

describe('hostile notes', () => {
  it('a note attributed to someone else is not stored', async () => {
    const note = createNote((object) => {
      object.attributedTo = 'https://elsewhere.example/users/victim';
    });
    await harness.deliverAndApply(note.activity);
    expect(await statusOf(note.noteUri)).toBeUndefined();
  });

  it('a note nobody here follows, mentions or answers is not stored', async () => {
    await harness.server.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${malloryId}/unfollow`,
      headers: bob.headers,
    });
    try {
      const note = createNote((object) => {
        object.tag = [];
      });
      await harness.deliverAndApply(note.activity);
      expect(await statusOf(note.noteUri)).toBeUndefined();
    } finally {
      const pair = { accountId: bob.id, targetAccountId: malloryId };
      await followAccount(harness.server.database, pair);
      await authorizeFollowRequest(harness.server.database, pair).catch(() => undefined);
    }
  });

  it('an oversized note is refused', async () => {
    const note = createNote((object) => {
      object.content = `<p>${'a'.repeat(120_000)}</p>`;
      delete object.contentMap;
    });
    await harness.deliverAndApply(note.activity);
    expect(await statusOf(note.noteUri)).toBeUndefined();
  });
});

describe('interactions with local statuses', () => {
  let local: { id: string; uri: string };

  beforeAll(async () => {
    local = await post(alice, { status: 'like me' });
  });

  const counts = async () =>
    (await get(`/api/v1/statuses/${local.id}`)).json() as {
      favourites_count: number;
      reblogs_count: number;
    };

  async function notificationTypes(): Promise<string[]> {
    await deliverNotifications(harness.server.database);
    const response = await get(`/api/v1/notifications?account_id=${malloryId}`);
    return (response.json() as { type: string }[]).map((n) => n.type);
  }

  it('Like favourites it and notifies its author; Undo takes it back', async () => {
    const like = mastodonFixture('like', { actor, likeId: '1', object: local.uri });
    await harness.deliverAndApply(like);
    expect(await counts()).toMatchObject({ favourites_count: 1 });
    expect(await notificationTypes()).toContain('favourite');
    const likes = await get(`/api/v1/statuses/${local.id}/favourited_by`);
    expect((likes.json() as { acct: string }[]).map((a) => a.acct)).toEqual([`mallory@${host}`]);

    await harness.deliverAndApply(
      mastodonFixture('undo', { actor, undoId: '1', undone: like as Record<string, unknown> }),
    );
    expect(await counts()).toMatchObject({ favourites_count: 0 });
    expect(await notificationTypes()).not.toContain('favourite');
  });

  it('Announce boosts it and notifies its author; Undo removes the boost', async () => {
    const announce = mastodonFixture('announce', {
      actor,
      noteId: '500',
      object: local.uri,
      objectAuthor: aliceUri(),
    });
    await harness.deliverAndApply(announce);
    expect(await counts()).toMatchObject({ reblogs_count: 1 });
    expect(await notificationTypes()).toContain('reblog');
    await applyPendingFeedEvents(harness.server.database);
    const home = (await get('/api/v1/timelines/home', bob)).json() as {
      reblog: { id: string } | null;
    }[];
    expect(home.some((status) => status.reblog?.id === local.id)).toBe(true);

    await harness.deliverAndApply(
      mastodonFixture('undo', { actor, undoId: '2', undone: announce as Record<string, unknown> }),
    );
    expect(await counts()).toMatchObject({ reblogs_count: 0 });
  });

  it('a Like from someone who cannot see the status changes nothing', async () => {
    const secret = await post(alice, { status: 'for my followers', visibility: 'private' });
    await harness.deliverAndApply(
      mastodonFixture('like', { actor, likeId: '2', object: secret.uri }),
    );
    expect((await get(`/api/v1/statuses/${secret.id}`)).json()).toMatchObject({
      favourites_count: 0,
    });
  });
});

describe("a person's domain block", () => {
  it("hides the server's posts from them, and its mentions notify them of nothing", async () => {
    const erin = await signedInUser(harness.server.database);
    const blocked = await harness.server.app.inject({
      method: 'POST',
      url: '/api/v1/domain_blocks',
      headers: erin.headers,
      payload: { domain: host },
    });
    expect(blocked.statusCode).toBe(200);
    const note = createNote((object) => {
      object.tag = [
        { type: 'Mention', href: `${ORIGIN}/users/${erin.username}`, name: `@${erin.username}` },
      ];
    });
    await harness.deliverAndApply(note.activity);
    const { id } = (await statusOf(note.noteUri))!;
    const timeline = (await get('/api/v1/timelines/public', erin)).json() as { id: string }[];
    expect(timeline.map((s) => s.id)).not.toContain(id);
    expect(
      ((await get('/api/v1/timelines/public', carol)).json() as { id: string }[]).map((s) => s.id),
    ).toContain(id);
    await deliverNotifications(harness.server.database);
    expect((await get('/api/v1/notifications', erin)).json()).toEqual([]);
  });
});

describe('Update and Delete', () => {
  it('Update replaces the content and marks it edited', async () => {
    const note = createNote();
    await harness.deliverAndApply(note.activity);
    const update = structuredClone(note.activity);
    update.id = `${note.noteUri}#updates/1`;
    update.type = 'Update';
    Object.assign(update.object as Record<string, unknown>, {
      content: '<p>edited <em>text</em></p>',
      updated: new Date(Date.now() - 1000).toISOString(),
    });
    delete (update.object as Record<string, unknown>).contentMap;
    await harness.deliverAndApply(update);
    const status = (await statusOf(note.noteUri))!;
    expect(status).toMatchObject({ content: '<p>edited <em>text</em></p>' });
    expect(status.edited_at).not.toBeNull();
  });

  it("Delete of a note removes it; a Delete of someone else's note does nothing", async () => {
    const note = createNote();
    await harness.deliverAndApply(note.activity);
    const { id } = (await statusOf(note.noteUri))!;
    const noteId = note.noteUri.split('/').at(-1)!;
    await harness.deliverAndApply(mastodonFixture('delete-note', { actor, noteId }));
    expect((await get(`/api/v1/statuses/${id}`)).statusCode).toBe(404);

    const local = await post(alice, { status: 'mine, not yours' });
    const forged = mastodonFixture('delete-note', { actor, noteId: 'x' });
    (forged.object as { id: string }).id = local.uri;
    await harness.deliverAndApply(forged);
    expect((await get(`/api/v1/statuses/${local.id}`)).statusCode).toBe(200);
  });

  it('Delete of the actor removes the account and its statuses from view', async () => {
    const note = createNote();
    await harness.deliverAndApply(note.activity);
    const { id } = (await statusOf(note.noteUri))!;
    await harness.deliverAndApply(mastodonFixture('delete-person', { actor }));
    expect((await get(`/api/v1/statuses/${id}`)).statusCode).toBe(404);
    expect((await get(`/api/v1/accounts/${malloryId}`)).statusCode).toBe(404);
    expect((await get('/api/v1/accounts/relationships?id[]=' + malloryId, bob)).json()).toEqual([
      expect.objectContaining({ following: false }),
    ]);
  });
});
