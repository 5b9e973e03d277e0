/**
 * The federation edge against hostile or unwelcome servers: a server the instance suspended is
 * refused at the inbox without being contacted; secure mode (AUTHORIZED_FETCH) serves actors,
 * notes, outboxes and collections only to signed requests from servers not suspended; Murmur's own
 * fetches are signed as its instance actor (which secure-mode servers verify); a rotated remote
 * key is fetched again; an old signature is not accepted again; keys are not fetched from
 * private addresses outside ALLOWED_PRIVATE_ADDRESSES.
 */
import { generateCryptoKeyPair, signRequest, verifyRequest } from '@fedify/fedify';
import { blockInstanceDomain } from '@murmur/db/moderation';
import { outboxEvents } from '@murmur/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, ORIGIN, signedInUser, startServer, type TestServer } from './_mastodon.js';
import {
  ACTIVITY_JSON,
  deliver,
  type PrivateKey,
  type RemoteActor,
  startRemoteActor,
  followActivity,
} from './_remote-actor.js';
import { murmurDocumentLoader } from './_verifying-inbox.js';

let remote: RemoteActor;
let suspendedRemote: RemoteActor;
let open: TestServer;
let secure: TestServer;
let target: string;
let statusPath: string;

beforeAll(async () => {
  [remote, suspendedRemote] = await Promise.all([startRemoteActor(), startRemoteActor()]);
  [open, secure] = await Promise.all([
    startServer({ ALLOWED_PRIVATE_ADDRESSES: '127.0.0.0/8' }),
    startServer({ ALLOWED_PRIVATE_ADDRESSES: '127.0.0.0/8', AUTHORIZED_FETCH: 'true' }),
  ]);
  const user = await signedInUser(open.database);
  target = user.username;
  const secureUser = await signedInUser(secure.database, { username: target });
  const posted = await secure.app.inject({
    method: 'POST',
    url: '/api/v1/statuses',
    headers: secureUser.headers,
    payload: { status: 'hello, secure world' },
  });
  statusPath = `/users/${target}/statuses/${json(posted).id}`;
  for (const server of [open, secure]) {
    await blockInstanceDomain(server.database, {
      moderatorId: null,
      domain: suspendedRemote.actorId.host,
      localDomain: new URL(ORIGIN).host,
      severity: 'suspend',
    });
  }
});

afterAll(async () => {
  await open?.close();
  await secure?.close();
  remote?.server.close();
  suspendedRemote?.server.close();
});

const follow = (actor: URL, id?: string) => followActivity(actor, target, id);

const receivedIds = async (server: TestServer) =>
  (await outboxEvents(server.database, ['RemoteActivityReceived'])).map(
    (event) => event.data.activityId,
  );

/** GETs `path` from `server` as ActivityPub JSON, signed with `key` as `keyId` when given. */
async function fetchAs(
  server: TestServer,
  path: string,
  signer?: { privateKey: PrivateKey; keyId: URL },
) {
  let request = new Request(`${ORIGIN}${path}`, { headers: { accept: ACTIVITY_JSON } });
  if (signer) {
    request = await signRequest(request, signer.privateKey, signer.keyId, {
      spec: 'draft-cavage-http-signatures-12',
    });
  }
  return server.app.inject({
    method: 'GET',
    url: path,
    headers: Object.fromEntries(request.headers),
  });
}

describe('a suspended server at the inbox', () => {
  it('refuses its signed activity (403) without fetching its key or recording it', async () => {
    const activityId = `${suspendedRemote.actorId.href}/follows/refused`;
    const status = await deliver(
      open,
      follow(suspendedRemote.actorId, activityId),
      suspendedRemote.privateKey,
      suspendedRemote.keyId,
    );
    expect(status).toBe(403);
    expect(suspendedRemote.requests).toEqual([]);
    expect(await receivedIds(open)).not.toContain(activityId);
  });

  it('is not looked up (WebFinger, actor) when someone searches for one of its accounts', async () => {
    const acct = `mallory@${suspendedRemote.actorId.host}`;
    const viewer = await signedInUser(open.database);
    const lookup = await open.app.inject({
      url: `/api/v1/accounts/lookup?acct=${encodeURIComponent(acct)}`,
      headers: viewer.headers,
    });
    expect(lookup.statusCode).toBe(404);
    expect(suspendedRemote.requests).toEqual([]);
    // The same search for a server that is not suspended asks it.
    await open.app.inject({
      url: `/api/v1/accounts/lookup?acct=${encodeURIComponent(`mallory@${remote.actorId.host}`)}`,
      headers: viewer.headers,
    });
    expect(remote.requests.some((path) => path.startsWith('/.well-known/webfinger'))).toBe(true);
  });

  it('still takes the same activity from a server that is not suspended', async () => {
    const activityId = `${remote.actorId.href}/follows/welcome`;
    const body = follow(remote.actorId, activityId);
    expect(await deliver(open, body, remote.privateKey, remote.keyId)).toBe(202);
    expect(await receivedIds(open)).toContain(activityId);
  });
});

describe("Murmur's own fetches", () => {
  it('are signed as the instance actor, whose key a secure-mode server can fetch and verify', async () => {
    const before = remote.fetches.length;
    await deliver(open, follow(remote.actorId), remote.privateKey, remote.keyId);
    const keyFetch = remote.fetches.slice(before).find((f) => f.path === '/users/mallory');
    // The key may still be cached from the test above; then ask for a fresh one.
    const fetched = keyFetch ?? remote.fetches.find((f) => f.path === '/users/mallory');
    expect(fetched?.headers.signature).toMatch(
      new RegExp(`keyId="${ORIGIN}/users/instance\\.actor#main-key"`),
    );
    const replayed = new Request(`${remote.actorId.origin}${fetched!.path}`, {
      headers: fetched!.headers,
    });
    const key = await verifyRequest(replayed, {
      documentLoader: murmurDocumentLoader(open),
      contextLoader: murmurDocumentLoader(open),
      timeWindow: false,
    });
    expect(key?.id?.href).toBe(`${ORIGIN}/users/instance.actor#main-key`);

    const actor = await open.app.inject({
      url: '/users/instance.actor',
      headers: { accept: ACTIVITY_JSON },
    });
    expect(actor.statusCode).toBe(200);
    expect(actor.json()).toMatchObject({ type: 'Application', preferredUsername: 'murmur.test' });
  });
});

describe('secure mode (AUTHORIZED_FETCH=true)', () => {
  const paths = () => [
    `/users/${target}`,
    statusPath,
    `/users/${target}/outbox`,
    `/users/${target}/followers`,
    `/users/${target}/following`,
  ];

  it('answers an unsigned request 401', async () => {
    for (const path of paths()) {
      const response = await fetchAs(secure, path);
      expect(response.statusCode, path).toBe(401);
      expect(response.json().error).toEqual(expect.any(String));
    }
  });

  it('answers a request signed by a suspended server 403, without fetching its key', async () => {
    for (const path of paths()) {
      expect((await fetchAs(secure, path, suspendedRemote)).statusCode, path).toBe(403);
    }
    expect(suspendedRemote.requests).toEqual([]);
  });

  it('answers a request signed with a key that does not verify 401', async () => {
    const forged = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
    const response = await fetchAs(secure, `/users/${target}`, {
      privateKey: forged.privateKey,
      keyId: remote.keyId,
    });
    expect(response.statusCode).toBe(401);
  });

  it('serves a request signed by another server', async () => {
    for (const path of paths()) {
      const response = await fetchAs(secure, path, remote);
      expect(response.statusCode, path).toBe(200);
    }
    const note = await fetchAs(secure, statusPath, remote);
    expect(note.json()).toMatchObject({ type: 'Note', content: expect.stringContaining('secure') });
  });

  it('serves the instance actor unsigned (servers fetch it to verify our signatures)', async () => {
    const response = await fetchAs(secure, '/users/instance.actor');
    expect(response.statusCode).toBe(200);
    expect(response.json().publicKey.id).toBe(`${ORIGIN}/users/instance.actor#main-key`);
  });

  it('changes nothing when off: the open server serves unsigned reads', async () => {
    expect((await fetchAs(open, `/users/${target}`)).statusCode).toBe(200);
  });
});

describe('signatures over time', () => {
  it("verifies with the new key after the remote actor's key rotation", async () => {
    // The old key is cached by the first deliveries; the actor then publishes a new one.
    expect(await deliver(open, follow(remote.actorId), remote.privateKey, remote.keyId)).toBe(202);
    await remote.rotateKey();
    const before = remote.fetches.length;
    const activityId = `${remote.actorId.href}/follows/after-rotation`;
    expect(
      await deliver(open, follow(remote.actorId, activityId), remote.privateKey, remote.keyId),
    ).toBe(202);
    expect(await receivedIds(open)).toContain(activityId);
    // Fetched again once, not for every request.
    expect(remote.fetches.slice(before).filter((f) => f.path === '/users/mallory')).toHaveLength(1);
    expect(await deliver(open, follow(remote.actorId), remote.privateKey, remote.keyId)).toBe(202);
    expect(remote.fetches.slice(before).filter((f) => f.path === '/users/mallory')).toHaveLength(1);
  });

  it('refuses a signed request captured long ago and sent again', async () => {
    const body = follow(remote.actorId);
    const old = new Date(Date.now() - 3 * 60 * 60 * 1000).toUTCString();
    const signed = await signRequest(
      new Request(`${ORIGIN}/inbox`, {
        method: 'POST',
        headers: { 'content-type': ACTIVITY_JSON, date: old },
        body,
      }),
      remote.privateKey,
      remote.keyId,
      { spec: 'draft-cavage-http-signatures-12' },
    );
    const response = await open.app.inject({
      method: 'POST',
      url: '/inbox',
      headers: Object.fromEntries(signed.headers),
      payload: body,
    });
    expect(response.statusCode).toBe(401);
  });

  it('does not fetch a key from a link-local address (cloud metadata) nor answer 500', async () => {
    const metadataKey = new URL('http://169.254.169.254/latest/meta-data/users/x#main-key');
    const actor = new URL('http://169.254.169.254/latest/meta-data/users/x');
    const status = await deliver(open, follow(actor), remote.privateKey, metadataKey);
    expect(status).toBe(401);
  });
});
