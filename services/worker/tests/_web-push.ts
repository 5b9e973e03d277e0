/**
 * Web Push for worker tests: a push service of the test's own on loopback (`@murmur/devkit`), which
 * checks the VAPID JWT and decrypts what it is sent, the worker settings that push to it, and
 * subscriptions made as a client app makes them (an app, a token with `push`, a subscription).
 */
import type { Database } from '@murmur/db';
import { issueAccessToken, registerApplication } from '@murmur/db/auth';
import type { LocalAccount } from '@murmur/db/accounts';
import { subscribeWebPush } from '@murmur/db/notifications';
import { startTestPushService, type TestPushService } from '@murmur/devkit/web-push-service';
import { sealAccessToken } from '@murmur/service-kit';
import webPush from 'web-push';
import type { WorkerConfig } from '../src/config.js';

export interface TestWebPush {
  service: TestPushService;
  vapid: { publicKey: string; privateKey: string };
}

/** A push service that accepts only pushes signed with a fresh VAPID key pair. */
export async function startTestWebPush(): Promise<TestWebPush> {
  const vapid = webPush.generateVAPIDKeys();
  const service = await startTestPushService();
  service.expectVapidKey(vapid.publicKey);
  return { service, vapid };
}

/** The worker's settings with Web Push on, signing with the test's keys, allowed to reach loopback. */
export function withWebPush(config: WorkerConfig, { vapid }: TestWebPush): WorkerConfig {
  return {
    ...config,
    webPush: { enabled: true, publicKey: vapid.publicKey, privateKey: vapid.privateKey },
    push: { ...config.push, allowedPrivateAddresses: ['127.0.0.0/8'] },
  };
}

export interface SubscriptionOptions {
  /** Notification types pushed (Mastodon's `data[alerts]`); mention and follow unless given. */
  alerts?: string[];
  policy?: string;
  /** RFC 8291 encryption (`aes128gcm`) rather than the legacy draft. */
  standard?: boolean;
}

let appCounter = 0;

/** `account` subscribed to Web Push from an app of its own, as a client app subscribes. */
export async function subscribeThroughApp(
  database: Database,
  push: TestWebPush,
  account: LocalAccount,
  options: SubscriptionOptions = {},
) {
  const { application } = await registerApplication(database, {
    name: `Push app ${++appCounter}`,
    website: null,
    redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
    scopes: ['read', 'push'],
  });
  const { accessToken, token } = await issueAccessToken(database, {
    applicationId: application.id,
    accountId: account.id,
    scopes: ['read', 'push'],
  });
  const browser = push.service.subscribe();
  const subscription = await subscribeWebPush(database, {
    accountId: account.id,
    accessTokenId: token.id,
    endpoint: browser.endpoint,
    keys: browser.keys,
    standard: options.standard ?? true,
    alerts: Object.fromEntries((options.alerts ?? ['mention', 'follow']).map((a) => [a, true])),
    policy: options.policy ?? 'all',
    accessTokenSealed: sealAccessToken(push.vapid.privateKey, accessToken),
  });
  return { account, accessToken, tokenId: token.id, browser, subscription };
}
