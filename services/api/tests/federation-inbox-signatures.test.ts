/**
 * The inbox takes only activities signed by their actor's key, fetched from the actor's server
 * through the safe fetch: a server on a loopback address is reached only when
 * ALLOWED_PRIVATE_ADDRESSES lets it (SSRF protection), as for any private destination.
 */
import { generateCryptoKeyPair, signRequest } from '@fedify/fedify';
import { outboxEvents } from '@murmur/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, signedInUser, startServer, type TestServer } from './_mastodon.js';
import {
  ACTIVITY_JSON,
  deliver,
  type RemoteActor,
  startRemoteActor,
  followActivity,
} from './_remote-actor.js';

let remote: RemoteActor;
let allowing: TestServer;
let refusing: TestServer;
let target: string;

beforeAll(async () => {
  remote = await startRemoteActor();
  allowing = await startServer({ ALLOWED_PRIVATE_ADDRESSES: '127.0.0.0/8' });
  refusing = await startServer({});
  target = (await signedInUser(allowing.database)).username;
  await signedInUser(refusing.database, { username: target });
});

afterAll(async () => {
  await allowing?.close();
  await refusing?.close();
  remote?.server.close();
});

const follow = (actor: URL, id?: string) => followActivity(actor, target, id);

const received = () => outboxEvents(allowing.database, ['RemoteActivityReceived']);

describe('inbox signatures', () => {
  it('records an activity signed by its actor once, however often it is delivered', async () => {
    const activityId = `${remote.actorId.href}/follows/once`;
    const body = follow(remote.actorId, activityId);
    expect(await deliver(allowing, body, remote.privateKey, remote.keyId)).toBe(202);
    expect(remote.requests).toContain('/users/mallory');
    expect(await deliver(allowing, body, remote.privateKey, remote.keyId)).toBe(202);
    const events = (await received()).filter((event) => event.data.activityId === activityId);
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({
      activityType: 'Follow',
      actorUri: remote.actorId.href,
      activity: { type: 'Follow', object: `${ORIGIN}/users/${target}` },
    });
  });

  it('refuses an activity whose actor is not the signer', async () => {
    const impersonated = new URL('https://victim.example/users/alice');
    expect(await deliver(allowing, follow(impersonated), remote.privateKey, remote.keyId)).toBe(
      401,
    );
  });

  it('records nothing for an activity claiming an id on another server than its actor', async () => {
    const claimed = 'https://victim.example/activities/1';
    await deliver(allowing, follow(remote.actorId, claimed), remote.privateKey, remote.keyId);
    expect((await received()).map((event) => event.data.activityId)).not.toContain(claimed);
  });

  it('refuses one signed with another key than the actor publishes', async () => {
    const other = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
    expect(await deliver(allowing, follow(remote.actorId), other.privateKey, remote.keyId)).toBe(
      401,
    );
  });

  it('refuses a body changed after signing', async () => {
    const signedBody = follow(remote.actorId);
    const signed = await signRequest(
      new Request(`${ORIGIN}/inbox`, {
        method: 'POST',
        headers: { 'content-type': ACTIVITY_JSON },
        body: signedBody,
      }),
      remote.privateKey,
      remote.keyId,
      { spec: 'draft-cavage-http-signatures-12' },
    );
    const response = await allowing.app.inject({
      method: 'POST',
      url: '/inbox',
      headers: Object.fromEntries(signed.headers),
      payload: signedBody.replace('Follow', 'Block'),
    });
    expect(response.statusCode).toBe(401);
  });

  it('does not fetch a key from a loopback address without ALLOWED_PRIVATE_ADDRESSES', async () => {
    const before = remote.requests.length;
    expect(await deliver(refusing, follow(remote.actorId), remote.privateKey, remote.keyId)).toBe(
      401,
    );
    expect(remote.requests.length).toBe(before);
  });

  it('refuses malformed JSON', async () => {
    const response = await allowing.app.inject({
      method: 'POST',
      url: '/inbox',
      headers: { 'content-type': ACTIVITY_JSON },
      payload: '{"type": "Follow", ',
    });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
  });
});
