/**
 * Web Push as apps use it: masto.js subscribes through `/api/v1/push/subscription`, and a mention
 * made by another account reaches the test's push service (on loopback, allowed through
 * ALLOWED_PRIVATE_ADDRESSES) through the real worker, VAPID-signed and decryptable with the
 * subscription's private key. Also: one subscription per token, the `push` scope, revocation, the
 * VAPID key in the entity and in `/api/v2/instance`, and a server without keys saying so.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { freePort } from '@murmur/devkit/net';
import { startTestPushService, type TestPushService } from '@murmur/devkit/web-push-service';
import { createRestAPIClient, type mastodon } from 'masto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, FORM, form, registerClient, userToken, type TestApp } from './_helpers.js';
import { tokenFor } from './_mastodon.js';
import { expectMastodonResponse, expectMastodonSchema } from './_openapi.js';
import { startWorkerProcess, type WorkerProcess } from './_worker.js';

/** A VAPID pair as `pnpm vapid:generate` prints it. */
function vapidKeys(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pub = publicKey.export({ format: 'jwk' });
  return {
    publicKey: Buffer.concat([
      Buffer.from([4]),
      Buffer.from(pub.x!, 'base64url'),
      Buffer.from(pub.y!, 'base64url'),
    ]).toString('base64url'),
    privateKey: privateKey.export({ format: 'jwk' }).d!,
  };
}

const vapid = vapidKeys();
let testDb: TestDatabase;
let t: TestApp;
let url: string;
let service: TestPushService;
let worker: WorkerProcess;

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  testDb = await createTestDatabase();
  t = await createTestApp({
    testDatabase: testDb,
    env: {
      PUBLIC_URL: url,
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
    },
  });
  await t.app.listen({ port, host: '127.0.0.1' });
  service = await startTestPushService();
  service.expectVapidKey(vapid.publicKey);
});

afterAll(async () => {
  await worker?.stop();
  await service?.close();
  await t?.close();
  await testDb?.destroy();
});

async function person(scopes = ['read', 'write', 'push']) {
  const account = await createAccountFixture(t.database);
  const accessToken = await tokenFor(t.database, account.id, scopes);
  return {
    account,
    accessToken,
    client: createRestAPIClient({ url, accessToken }),
    headers: { authorization: `Bearer ${accessToken}` },
  };
}

const subscriptionPath = '/api/v1/push/subscription';

describe('push subscription API', () => {
  it('lets masto.js subscribe, read, change and remove its subscription', async () => {
    const bob = await person();
    const browser = service.subscribe();
    const created = await bob.client.v1.push.subscription.create({
      subscription: { endpoint: browser.endpoint, keys: browser.keys },
      data: { alerts: { mention: true, follow: true } },
      policy: 'followed', // masto.js sends the policy at the top level
    });
    expect(created).toMatchObject({
      endpoint: browser.endpoint,
      serverKey: vapid.publicKey,
      alerts: { mention: true, follow: true, favourite: false, reblog: false, poll: false },
      policy: 'followed',
      standard: false,
    });
    expect(await bob.client.v1.push.subscription.fetch()).toEqual(created);

    // Mastodon's description puts the policy inside `data` too (Elk, Phanpy send it there).
    const updated = await bob.client.v1.push.subscription.update({
      data: { alerts: { favourite: true }, policy: 'all' },
    } as Parameters<typeof bob.client.v1.push.subscription.update>[0]);
    expect(updated).toMatchObject({
      id: created.id,
      alerts: { mention: false, follow: false, favourite: true },
      policy: 'all',
    });

    for (const method of ['GET', 'PUT'] as const) {
      const response = await t.app.inject({ method, url: subscriptionPath, headers: bob.headers });
      expect(response.statusCode).toBe(200);
      expectMastodonResponse(response);
      expectMastodonSchema('WebPushSubscription', response.json());
    }

    await bob.client.v1.push.subscription.remove();
    const gone = await t.app.inject({ url: subscriptionPath, headers: bob.headers });
    expect(gone.statusCode).toBe(404);
  });

  it('keeps one subscription per token: a new POST replaces it; other tokens are apart', async () => {
    const bob = await person();
    const first = service.subscribe();
    const second = service.subscribe();
    const subscribe = (endpoint: string, keys: { p256dh: string; auth: string }) =>
      t.app.inject({
        method: 'POST',
        url: subscriptionPath,
        headers: { ...bob.headers, ...FORM },
        // Form-encoded, Rails-style, as some apps send it; keys in standard base64 with padding.
        payload: form({
          'subscription[endpoint]': endpoint,
          'subscription[keys][p256dh]': Buffer.from(keys.p256dh, 'base64url').toString('base64'),
          'subscription[keys][auth]': Buffer.from(keys.auth, 'base64url').toString('base64'),
          'subscription[standard]': 'true',
          'data[alerts][mention]': '1',
        }),
      });
    const one = await subscribe(first.endpoint, first.keys);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ standard: true, alerts: { mention: true } });
    const two = await subscribe(second.endpoint, second.keys);
    expect(two.json().id).not.toBe(one.json().id);
    const current = await t.app.inject({ url: subscriptionPath, headers: bob.headers });
    expect(current.json().endpoint).toBe(second.endpoint);

    const otherApp = await tokenFor(t.database, bob.account.id, ['push']);
    const none = await t.app.inject({
      url: subscriptionPath,
      headers: { authorization: `Bearer ${otherApp}` },
    });
    expect(none.statusCode).toBe(404);
  });

  it('needs the push scope, and refuses keys that are not a P-256 key and a 16-byte secret', async () => {
    const reader = await person(['read', 'write']);
    const denied = await t.app.inject({ url: subscriptionPath, headers: reader.headers });
    expect(denied.statusCode).toBe(403);

    const bob = await person();
    const browser = service.subscribe();
    for (const keys of [
      { p256dh: 'AAAA', auth: browser.keys.auth },
      { p256dh: browser.keys.p256dh, auth: 'c2hvcnQ' },
    ]) {
      const bad = await t.app.inject({
        method: 'POST',
        url: subscriptionPath,
        headers: bob.headers,
        payload: { subscription: { endpoint: browser.endpoint, keys } },
      });
      expect(bad.statusCode).toBe(422);
      expect(bad.json().error).toMatch(/keys\.(p256dh|auth)/);
    }
    const notUrl = await t.app.inject({
      method: 'POST',
      url: subscriptionPath,
      headers: bob.headers,
      payload: { subscription: { endpoint: 'javascript:alert(1)', keys: browser.keys } },
    });
    expect(notUrl.statusCode).toBe(422);
  });

  it('removes the subscription when its token is revoked', async () => {
    const account = await createAccountFixture(t.database);
    const app = await registerClient(t.app, { scopes: 'read push' });
    const token = await userToken(t.app, app, account.username, 'read push');
    const headers = { authorization: `Bearer ${token}` };
    const browser = service.subscribe();
    const created = await t.app.inject({
      method: 'POST',
      url: subscriptionPath,
      headers,
      payload: { subscription: { endpoint: browser.endpoint, keys: browser.keys } },
    });
    expect(created.statusCode).toBe(200);
    const revoked = await t.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      payload: { client_id: app.client_id, client_secret: app.client_secret, token },
    });
    expect(revoked.statusCode).toBe(200);
    const { rows } = await t.database.primary.execute(
      `select count(*)::int as n from web_push_subscriptions where id = ${created.json().id}`,
    );
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('advertises the VAPID public key in /api/v2/instance', async () => {
    const instance = await t.app.inject({ url: '/api/v2/instance' });
    expect(instance.json().configuration.vapid).toEqual({ public_key: vapid.publicKey });
  });
});

describe('a server without VAPID keys', () => {
  let bare: TestApp;
  beforeAll(async () => {
    bare = await createTestApp();
  });
  afterAll(() => bare?.close());

  it('says push is unavailable instead of pretending to subscribe', async () => {
    const account = await createAccountFixture(bare.database);
    const headers = {
      authorization: `Bearer ${await tokenFor(bare.database, account.id, ['push'])}`,
    };
    const browser = service.subscribe();
    const post = await bare.app.inject({
      method: 'POST',
      url: subscriptionPath,
      headers,
      payload: { subscription: { endpoint: browser.endpoint, keys: browser.keys } },
    });
    expect(post.statusCode).toBe(422);
    expect(post.json().error).toMatch(/Web Push is not available on this server: .*VAPID/);
    const get = await bare.app.inject({ url: subscriptionPath, headers });
    expect(get.statusCode).toBe(404);
    expect(get.json().error).toMatch(/not available/);
    const instance = await bare.app.inject({ url: '/api/v2/instance' });
    expect(instance.json().configuration.vapid).toEqual({ public_key: '' });
  });

  it('refuses to start in production without keys unless push is turned off', async () => {
    const { readConfig } = await import('../src/config.js');
    const production = {
      NODE_ENV: 'production',
      WEB_CLIENT_SECRET: 'x'.repeat(40),
      API_COOKIE_SECRET: 'y'.repeat(40),
    };
    expect(() => readConfig(production)).toThrow(
      /VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY must be set/,
    );
    expect(readConfig({ ...production, PUSH_ENABLED: 'false' }).webPush.enabled).toBe(false);
    expect(() =>
      readConfig({ ...production, VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: 'short' }),
    ).toThrow(/VAPID_PRIVATE_KEY must be/);
  });
});

describe('delivery through the real worker', () => {
  it('pushes a mention made by another account to the masto.js subscription, decrypted and verified', async () => {
    worker = await startWorkerProcess({
      databaseUrl: testDb.url,
      mediaDir: await mkdtemp(join(tmpdir(), 'murmur-push-test-')),
      extra: {
        VAPID_PUBLIC_KEY: vapid.publicKey,
        VAPID_PRIVATE_KEY: vapid.privateKey,
        ALLOWED_PRIVATE_ADDRESSES: '127.0.0.0/8',
      },
    });
    const bob = await person();
    const alice = await person();
    const browser = service.subscribe();
    await bob.client.v1.push.subscription.create({
      subscription: { endpoint: browser.endpoint, keys: browser.keys },
      data: { alerts: { mention: true } },
      policy: 'all',
    });
    const status: mastodon.v1.Status = await alice.client.v1.statuses.create({
      status: `@${bob.account.username} lunch?`,
    });
    const deadline = Date.now() + 30_000;
    while (!service.received.some((push) => push.subscription === browser.id)) {
      if (Date.now() > deadline) throw new Error('no push arrived');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const pushes = service.received.filter((push) => push.subscription === browser.id);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.problem).toBeNull();
    const [notification] = await bob.client.v1.notifications.list({ types: ['mention'] });
    expect(notification?.status?.id).toBe(status.id);
    expect(pushes[0]!.payload).toContain(`"notification_id":${notification!.id},`);
    expect(JSON.parse(pushes[0]!.payload!)).toMatchObject({
      notification_type: 'mention',
      access_token: bob.accessToken,
      title: `You were mentioned by ${alice.account.username}`,
      body: `@${bob.account.username} lunch?`,
    });
  });
});
