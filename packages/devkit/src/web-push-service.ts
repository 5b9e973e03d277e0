/**
 * A Web Push service for tests, on loopback: it hands out subscriptions as a browser's push manager
 * would (a P-256 key pair and a 16-byte auth secret held here, on the user agent's side), receives
 * the pushes, checks each VAPID JWT (RFC 8292) against the server's public key and decrypts the
 * payload with the subscription's private key (RFC 8291 `aes128gcm`, or the legacy `aesgcm` draft).
 * Test code, written from the RFCs with node:crypto, so the server's library is checked by
 * something it did not write. Answers can be scripted per subscription (410, 500, delays).
 */
import {
  createECDH,
  createPublicKey,
  hkdfSync,
  randomBytes,
  verify,
  createDecipheriv,
} from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPush {
  /** The subscription's id (the last segment of its endpoint). */
  subscription: string;
  headers: IncomingMessage['headers'];
  encoding: 'aes128gcm' | 'aesgcm';
  /** The decrypted payload as text (null when it could not be decrypted). */
  payload: string | null;
  /** Why the push was not valid (bad JWT, bad encryption), or null. */
  problem: string | null;
  /** The JWT's claims. */
  claims: { aud?: string; exp?: number; sub?: string } | null;
  /** The status this service answered. */
  answeredStatus: number;
  receivedAt: number;
}

export interface TestSubscription {
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

interface Holder {
  ecdh: ReturnType<typeof createECDH>;
  auth: Buffer;
  /** Statuses to answer next, in order; then 201. */
  script: number[];
  delayMs: number;
}

export interface TestPushService {
  url: string;
  received: ReceivedPush[];
  /** A new subscription, as PushManager.subscribe() gives a browser. */
  subscribe(): TestSubscription;
  /** The next answers to this subscription's pushes (e.g. [500, 500]); afterwards 201. */
  answer(subscriptionId: string, statuses: number[]): void;
  /** Delay every answer to this subscription (a slow service). */
  delay(subscriptionId: string, ms: number): void;
  /** The server's VAPID public key every JWT must be signed with. */
  expectVapidKey(publicKey: string): void;
  close(): Promise<void>;
}

const b64 = (value: string): Buffer => Buffer.from(value, 'base64url');

function hkdf(salt: Buffer, ikm: Buffer, info: Buffer, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
}

function aesGcmOpen(key: Buffer, nonce: Buffer, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-128-gcm', key, nonce);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()]);
}

/** RFC 8291 §3.4 + RFC 8188: one record, padding delimiter 0x02. */
function decryptAes128gcm(holder: Holder, body: Buffer): string {
  const salt = body.subarray(0, 16);
  const idLength = body[20]!;
  const serverPublic = body.subarray(21, 21 + idLength);
  const sealed = body.subarray(21 + idLength);
  const userPublic = holder.ecdh.getPublicKey();
  const secret = holder.ecdh.computeSecret(serverPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), userPublic, serverPublic]);
  const ikm = hkdf(holder.auth, secret, keyInfo, 32);
  const key = hkdf(salt, ikm, Buffer.from('Content-Encoding: aes128gcm\0'), 16);
  const nonce = hkdf(salt, ikm, Buffer.from('Content-Encoding: nonce\0'), 12);
  const padded = aesGcmOpen(key, nonce, sealed);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  if (padded[end] !== 2) throw new Error('no last-record padding delimiter');
  return padded.subarray(0, end).toString('utf8');
}

function headerParameter(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(/[;,]/)) {
    const [key, value] = part.trim().split('=');
    if (key === name && value !== undefined) return value;
  }
  return undefined;
}

/** draft-ietf-webpush-encryption-04 (`aesgcm`): keys in the Crypto-Key and Encryption headers. */
function decryptAesgcm(holder: Holder, headers: IncomingMessage['headers'], body: Buffer): string {
  const salt = b64(headerParameter(headers.encryption as string, 'salt') ?? '');
  const serverPublic = b64(headerParameter(headers['crypto-key'] as string, 'dh') ?? '');
  const userPublic = holder.ecdh.getPublicKey();
  const secret = holder.ecdh.computeSecret(serverPublic);
  const ikm = hkdf(holder.auth, secret, Buffer.from('Content-Encoding: auth\0'), 32);
  const length = (key: Buffer) => Buffer.from([key.length >> 8, key.length & 0xff]);
  const context = Buffer.concat([
    Buffer.from('P-256\0'),
    length(userPublic),
    userPublic,
    length(serverPublic),
    serverPublic,
  ]);
  const key = hkdf(
    salt,
    ikm,
    Buffer.concat([Buffer.from('Content-Encoding: aesgcm\0'), context]),
    16,
  );
  const nonce = hkdf(
    salt,
    ikm,
    Buffer.concat([Buffer.from('Content-Encoding: nonce\0'), context]),
    12,
  );
  const padded = aesGcmOpen(key, nonce, body);
  const padding = padded.readUInt16BE(0);
  return padded.subarray(2 + padding).toString('utf8');
}

/** Checks the ES256 JWT against `publicKey` (the raw point, base64url); returns its claims. */
function verifyJwt(
  jwt: string,
  publicKey: string,
): { claims: ReceivedPush['claims']; problem: string | null } {
  const [header, payload, signature] = jwt.split('.');
  if (!header || !payload || !signature) return { claims: null, problem: 'malformed JWT' };
  const point = b64(publicKey);
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  const valid = verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    { key, dsaEncoding: 'ieee-p1363' },
    b64(signature),
  );
  const claims = JSON.parse(b64(payload).toString('utf8')) as NonNullable<ReceivedPush['claims']>;
  if (!valid) return { claims, problem: 'VAPID JWT signature does not verify' };
  const now = Date.now() / 1000;
  if (!claims.exp || claims.exp < now || claims.exp > now + 24 * 3600) {
    return { claims, problem: 'VAPID JWT exp missing, past, or more than 24 hours ahead' };
  }
  if (!claims.sub) return { claims, problem: 'VAPID JWT without sub' };
  return { claims, problem: null };
}

export async function startTestPushService(): Promise<TestPushService> {
  const holders = new Map<string, Holder>();
  const received: ReceivedPush[] = [];
  let vapidKey: string | undefined;
  let next = 0;

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const id = (request.url ?? '').split('/').pop() ?? '';
      const holder = holders.get(id);
      if (!holder) {
        response.writeHead(404).end();
        return;
      }
      const body = Buffer.concat(chunks);
      const encoding = request.headers['content-encoding'] === 'aesgcm' ? 'aesgcm' : 'aes128gcm';
      let problem: string | null = null;
      let claims: ReceivedPush['claims'] = null;
      let payload: string | null = null;
      const authorization = request.headers.authorization ?? '';
      const aud = new URL(request.url ?? '/', `http://${request.headers.host}`).origin;
      const jwt =
        encoding === 'aes128gcm'
          ? /^vapid t=([^,\s]+),\s*k=([^,\s]+)$/.exec(authorization)
          : /^WebPush (\S+)$/.exec(authorization);
      const presentedKey =
        encoding === 'aes128gcm'
          ? jwt?.[2]
          : headerParameter(request.headers['crypto-key'] as string, 'p256ecdsa');
      if (!jwt?.[1]) problem = `no VAPID authorization: ${authorization}`;
      else if (vapidKey !== undefined && presentedKey !== vapidKey) {
        problem = 'VAPID key is not the server’s';
      } else {
        ({ claims, problem } = verifyJwt(jwt[1], presentedKey ?? ''));
        if (problem === null && claims?.aud !== aud) problem = `JWT aud ${claims?.aud} ≠ ${aud}`;
      }
      try {
        payload =
          encoding === 'aes128gcm'
            ? decryptAes128gcm(holder, body)
            : decryptAesgcm(holder, request.headers, body);
      } catch (error) {
        problem ??= `cannot decrypt: ${(error as Error).message}`;
      }
      if (!request.headers.ttl) problem ??= 'no TTL header';
      const status = problem !== null ? 400 : (holder.script.shift() ?? 201);
      setTimeout(() => {
        received.push({
          subscription: id,
          headers: request.headers,
          encoding,
          payload,
          problem,
          claims,
          answeredStatus: status,
          receivedAt: performance.now(),
        });
        response.writeHead(status).end();
      }, holder.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    received,
    subscribe() {
      const id = `s${++next}-${randomBytes(4).toString('hex')}`;
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      holders.set(id, { ecdh, auth, script: [], delayMs: 0 });
      return {
        id,
        endpoint: `${url}/push/${id}`,
        keys: {
          p256dh: ecdh.getPublicKey().toString('base64url'),
          auth: auth.toString('base64url'),
        },
      };
    },
    answer(subscriptionId, statuses) {
      holders.get(subscriptionId)?.script.push(...statuses);
    },
    delay(subscriptionId, ms) {
      const holder = holders.get(subscriptionId);
      if (holder) holder.delayMs = ms;
    },
    expectVapidKey(publicKey) {
      vapidKey = publicKey;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
