/**
 * Discovery as a Mastodon server does it: WebFinger for `acct:user@host`, then the actor document
 * with its inboxes, collections and keys; NodeInfo says the server speaks ActivityPub.
 */
import { createPublicKey } from 'node:crypto';
import { type Database } from '@murmur/db';
import { followAccount } from '@murmur/db/follows';
import { describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import { json, ORIGIN, type TestUser, useServer } from './_mastodon.js';

let app: ApiInstance;
let database: Database;
let alice: TestUser;
let bob: TestUser;

useServer((server) => ({ app, database, alice, bob } = server));

const ACTIVITY_JSON = 'application/activity+json';
const HOST = new URL(ORIGIN).host;

/** GETs an ActivityPub document as a remote server does. */
async function activityPub(path: string) {
  const response = await app.inject({ url: path, headers: { accept: ACTIVITY_JSON } });
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status: 200 });
  expect(response.headers['content-type']).toContain(ACTIVITY_JSON);
  return response.json();
}

const actor = (username: string) => activityPub(`/users/${username}`);

describe('WebFinger', () => {
  it('finds a local person by acct: and links the actor', async () => {
    const response = await app.inject({
      url: `/.well-known/webfinger?resource=acct:${alice.username}@${HOST}`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/jrd+json');
    const body = response.json();
    expect(body.subject).toBe(`acct:${alice.username}@${HOST}`);
    expect(body.links).toContainEqual(
      expect.objectContaining({
        rel: 'self',
        type: ACTIVITY_JSON,
        href: `${ORIGIN}/users/${alice.username}`,
      }),
    );
  });

  it('finds nobody for an unknown name or another host', async () => {
    for (const resource of [
      `acct:nobody_here@${HOST}`,
      `acct:${alice.username}@elsewhere.example`,
    ]) {
      const response = await app.inject({ url: `/.well-known/webfinger?resource=${resource}` });
      expect(response.statusCode).toBe(404);
    }
  });
});

describe('actor', () => {
  it('is a Person with inboxes, collections, profile and both keys', async () => {
    const person = await actor(alice.username);
    const id = `${ORIGIN}/users/${alice.username}`;
    expect(person).toMatchObject({
      id,
      type: 'Person',
      preferredUsername: alice.username,
      inbox: `${id}/inbox`,
      outbox: `${id}/outbox`,
      followers: `${id}/followers`,
      following: `${id}/following`,
      endpoints: { sharedInbox: `${ORIGIN}/inbox` },
      url: `${ORIGIN}/@${alice.username}`,
      manuallyApprovesFollowers: false,
    });
    expect(Date.parse(person.published)).not.toBeNaN();
    // Mastodon verifies draft-cavage signatures with the RSA key in `publicKey`.
    expect(person.publicKey).toMatchObject({ owner: id });
    const rsa = createPublicKey(person.publicKey.publicKeyPem);
    expect(rsa.asymmetricKeyType).toBe('rsa');
    // Object Integrity Proofs use the Ed25519 Multikey.
    const multikeys = [person.assertionMethod].flat();
    expect(multikeys).toContainEqual(expect.objectContaining({ type: 'Multikey', controller: id }));
  });

  it('keeps its keys: the second fetch publishes the same ones', async () => {
    const first = await actor(bob.username);
    const second = await actor(bob.username);
    expect(second.publicKey.publicKeyPem).toBe(first.publicKey.publicKeyPem);
    expect(second.assertionMethod).toEqual(first.assertionMethod);
  });

  it('is the profile page for a browser, and unknown for a name nobody has', async () => {
    const page = await app.inject({
      url: `/users/${alice.username}`,
      headers: { accept: 'text/html' },
    });
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe(`${ORIGIN}/@${alice.username}`);
    const unknown = await app.inject({
      url: '/users/nobody_here',
      headers: { accept: ACTIVITY_JSON },
    });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('collections', () => {
  it('followers and following count and list actors', async () => {
    await followAccount(database, { accountId: bob.id, targetAccountId: alice.id });
    const followers = await activityPub(`/users/${alice.username}/followers`);
    expect(followers).toMatchObject({ type: 'OrderedCollection', totalItems: 1 });
    const firstUrl = typeof followers.first === 'string' ? followers.first : followers.first.id;
    const first = await activityPub(new URL(firstUrl).pathname + new URL(firstUrl).search);
    expect(first.orderedItems).toEqual([`${ORIGIN}/users/${bob.username}`]);

    const following = await activityPub(`/users/${bob.username}/following`);
    expect(following).toMatchObject({ type: 'OrderedCollection', totalItems: 1 });
  });

  it('the outbox counts posts', async () => {
    const outbox = await activityPub(`/users/${alice.username}/outbox`);
    expect(outbox).toMatchObject({ type: 'OrderedCollection', totalItems: 0 });
  });
});

describe('inbox', () => {
  it('refuses an unsigned activity', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/inbox',
      headers: { 'content-type': ACTIVITY_JSON },
      payload: JSON.stringify({
        '@context': 'https://www.w3.org/ns/activitystreams',
        id: 'https://remote.example/activities/1',
        type: 'Follow',
        actor: 'https://remote.example/users/mallory',
        object: `${ORIGIN}/users/${alice.username}`,
      }),
    });
    expect(response.statusCode).toBe(401);
  });

  it('refuses an oversized body before reading it all', async () => {
    const response = await app.inject({
      method: 'POST',
      url: `/users/${alice.username}/inbox`,
      headers: { 'content-type': ACTIVITY_JSON },
      payload: JSON.stringify({ type: 'Create', padding: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(response.statusCode).toBe(413);
  });
});

describe('NodeInfo', () => {
  it('lists activitypub among the protocols', async () => {
    const nodeinfo = json(await app.inject({ url: '/nodeinfo/2.0' }));
    expect(nodeinfo.protocols).toEqual(['activitypub']);
  });
});
