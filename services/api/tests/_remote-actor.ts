/**
 * A remote ActivityPub server on loopback for federation tests: one actor (`/users/mallory`) with
 * an RSA key, an inbox that records what it is sent, and the requests it got.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateCryptoKeyPair, signRequest } from '@fedify/fedify';
import { CryptographicKey, Image, Person } from '@fedify/vocab';
import { ORIGIN, type TestServer } from './_mastodon.js';

export const ACTIVITY_JSON = 'application/activity+json';
export type PrivateKey = Parameters<typeof signRequest>[1];

export interface RemoteActor {
  actorId: URL;
  keyId: URL;
  privateKey: PrivateKey;
  /** Paths of every request received. */
  requests: string[];
  /** Bodies POSTed to the actor's inbox, with their Signature header. */
  inbox: { body: Record<string, unknown>; signature: string | undefined }[];
  /** Documents served on GET by path (`/users/mallory/statuses/1`): notes a test publishes. */
  objects: Map<string, Record<string, unknown>>;
  /** Files served on GET by path (`/files/avatar.png`): images a profile points at. */
  files: Map<string, { contentType: string; bytes: Buffer }>;
  /** Every GET as received (path and headers), to check how Murmur fetches. */
  fetches: { path: string; headers: Record<string, string> }[];
  /** Publishes a new key pair (same key id), as a server rotating its actor's key does. */
  rotateKey(): Promise<void>;
  /**
   * Publishes the actor document again with these changes (kept for later changes too), as a
   * person editing their profile on that server; `icon`/`image` are paths under the server.
   */
  setProfile(changes: RemoteProfile): Promise<void>;
  /** The actor document as served now. */
  document(): Record<string, unknown>;
  server: Server;
}

export interface RemoteProfile {
  manuallyApprovesFollowers?: boolean;
  icon?: string | null;
  image?: string | null;
}

export async function startRemoteActor(): Promise<RemoteActor> {
  let keys = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
  const requests: string[] = [];
  const fetches: RemoteActor['fetches'] = [];
  const inbox: RemoteActor['inbox'] = [];
  const objects: RemoteActor['objects'] = new Map();
  const files: RemoteActor['files'] = new Map();
  const profile: RemoteProfile = {};
  let document = '';
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    if (request.method === 'GET') {
      fetches.push({
        path: request.url ?? '',
        headers: Object.fromEntries(
          Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
        ),
      });
    }
    if (request.method === 'GET' && request.url === '/users/mallory') {
      response.writeHead(200, { 'content-type': ACTIVITY_JSON });
      response.end(document);
    } else if (request.method === 'GET' && objects.has(request.url ?? '')) {
      response.writeHead(200, { 'content-type': ACTIVITY_JSON });
      response.end(JSON.stringify(objects.get(request.url ?? '')));
    } else if (request.method === 'GET' && files.has(request.url ?? '')) {
      const file = files.get(request.url ?? '')!;
      response.writeHead(200, { 'content-type': file.contentType });
      response.end(file.bytes);
    } else if (request.method === 'POST' && request.url === '/users/mallory/inbox') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        inbox.push({
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          signature: request.headers.signature as string | undefined,
        });
        response.writeHead(202).end();
      });
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const actorId = new URL(`http://127.0.0.1:${port}/users/mallory`);
  const keyId = new URL(`${actorId.href}#main-key`);
  const image = (path: string | null | undefined) =>
    path ? new Image({ url: new URL(path, actorId) }) : null;
  const publish = async () => {
    const person = new Person({
      id: actorId,
      preferredUsername: 'mallory',
      name: 'Mallory',
      inbox: new URL(`${actorId.href}/inbox`),
      followers: new URL(`${actorId.href}/followers`),
      publicKey: new CryptographicKey({ id: keyId, owner: actorId, publicKey: keys.publicKey }),
      manuallyApprovesFollowers: profile.manuallyApprovesFollowers ?? null,
      icon: image(profile.icon),
      image: image(profile.image),
    });
    document = JSON.stringify(await person.toJsonLd());
  };
  await publish();
  const actor: RemoteActor = {
    actorId,
    keyId,
    privateKey: keys.privateKey,
    requests,
    inbox,
    objects,
    files,
    fetches,
    server,
    async rotateKey() {
      keys = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
      actor.privateKey = keys.privateKey;
      await publish();
    },
    async setProfile(changes) {
      Object.assign(profile, changes);
      await publish();
    },
    document: () => JSON.parse(document) as Record<string, unknown>,
  };
  return actor;
}

/** POSTs `body` to the shared inbox signed with `privateKey` as `keyId` (draft-cavage). */
export async function deliver(
  server: TestServer,
  body: string,
  privateKey: PrivateKey,
  keyId: URL,
): Promise<number> {
  const signed = await signRequest(
    new Request(`${ORIGIN}/inbox`, {
      method: 'POST',
      headers: { 'content-type': ACTIVITY_JSON, accept: ACTIVITY_JSON },
      body,
    }),
    privateKey,
    keyId,
    { spec: 'draft-cavage-http-signatures-12' },
  );
  const response = await server.app.inject({
    method: 'POST',
    url: '/inbox',
    headers: Object.fromEntries(signed.headers),
    payload: body,
  });
  return response.statusCode;
}

/** A `Follow` by `actor` of the local account `username`, as the JSON body an inbox is sent. */
export function followActivity(
  actor: URL,
  username: string,
  id = `${actor.href}/follows/${Math.random()}`,
): string {
  return JSON.stringify({
    '@context': 'https://www.w3.org/ns/activitystreams',
    id,
    type: 'Follow',
    actor: actor.href,
    object: `${ORIGIN}/users/${username}`,
  });
}
