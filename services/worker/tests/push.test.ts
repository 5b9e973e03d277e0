/**
 * Web Push through the whole pipeline: a post mentioning someone commits, the notifications consumer
 * creates the notification, the `push` consumer encrypts and signs a push and sends it to a push
 * service of the test's own on loopback, which checks the VAPID JWT and decrypts the payload with
 * the subscription's private key (held here, as a browser would).
 */
import { type Database } from '@murmur/db';
import { countProcessedEvents } from '@murmur/db/events';
import { createFilter } from '@murmur/db/safety';
import { createStatus } from '@murmur/db/statuses';
import { deleteOldWebPushDeliveries, findWebPushSubscription } from '@murmur/db/notifications';
import { followAccount } from '@murmur/db/follows';
import { revokeAccessTokenById } from '@murmur/db/auth';
import {
  createAccountFixture,
  createTestDatabase,
  outboxEvents,
  type TestDatabase,
} from '@murmur/db/testing';
import type { TestPushService } from '@murmur/devkit/web-push-service';
import { testTopology } from '@murmur/events/testing';
import { createSafeFetch } from '@murmur/outbound';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUSH_CONSUMER } from '../src/consumers.js';
import { pushHandler } from '../src/push/handler.js';
import { PushSender } from '../src/push/sender.js';
import { startWorker, testConfig, testLogger, waitFor, type RunningWorker } from './_helpers.js';
import {
  startTestWebPush,
  subscribeThroughApp,
  withWebPush,
  type SubscriptionOptions,
  type TestWebPush,
} from './_web-push.js';

const topology = testTopology();
let testDb: TestDatabase;
let database: Database;
let running: RunningWorker;
let push: TestWebPush;
let service: TestPushService;

beforeAll(async () => {
  testDb = await createTestDatabase({ poolSize: 10 });
  database = testDb.database;
  push = await startTestWebPush();
  service = push.service;
  const config = testConfig({
    databaseUrl: testDb.url,
    topology,
    timings: { pushRetryBaseMs: 50 },
  });
  running = await startWorker(withWebPush(config, push), database);
});

afterAll(async () => {
  await running?.dispose(topology);
  await service?.close();
  await testDb?.destroy();
});

/** A person with an app that subscribed to Web Push. */
async function subscribedPerson(options: SubscriptionOptions = {}) {
  return subscribeThroughApp(database, push, await createAccountFixture(database), options);
}

const pushesTo = (id: string) => service.received.filter((push) => push.subscription === id);

/** Waits until the push consumer has processed `count` more events than `before`. */
async function pushConsumerProcessed(before: number, count = 1): Promise<void> {
  await waitFor(
    async () => (await countProcessedEvents(database, PUSH_CONSUMER)) >= before + count || null,
    { what: 'the push consumer to process the notification' },
  );
}

/** Plain SQL for the test's oracles (ids are digits). */
async function rows<Row>(query: string): Promise<Row[]> {
  return (await database.primary.execute(query)).rows as Row[];
}

async function ledger(subscriptionId: string) {
  return rows<{ status: string; attempts: number }>(
    `select status, attempts from web_push_deliveries where subscription_id = ${subscriptionId}`,
  );
}

describe('push consumer', () => {
  it('pushes a mention once, encrypted (aes128gcm) and VAPID-signed, with Mastodon’s payload', async () => {
    const bob = await subscribedPerson();
    const alice = await createAccountFixture(database);
    await rows(`update accounts set display_name = 'Alice A.' where id = ${alice.id}`);
    await createStatus(database, {
      accountId: alice.id,
      text: `@${bob.account.username} are you coming tonight?`,
    });
    const [push] = await waitFor(
      () => (pushesTo(bob.browser.id).length ? pushesTo(bob.browser.id) : null),
      {
        what: 'the push',
      },
    );
    expect(push!.problem).toBeNull();
    expect(push!.encoding).toBe('aes128gcm');
    expect(push!.headers.ttl).toBe(String(48 * 3600));
    expect(push!.headers.urgency).toBe('normal');
    expect(push!.claims?.sub).toMatch(/^https:\/\/murmur\.test/);
    const [notification] = await rows<{ id: string }>(
      `select id from notifications where account_id = ${bob.account.id} and type = 'mention'`,
    );
    // notification_id is a JSON number, as Mastodon writes it, exact in the text.
    expect(push!.payload).toContain(`"notification_id":${notification!.id},`);
    expect(JSON.parse(push!.payload!)).toMatchObject({
      notification_type: 'mention',
      access_token: bob.accessToken,
      preferred_locale: 'en',
      title: 'You were mentioned by Alice A.',
      body: `@${bob.account.username} are you coming tonight?`,
      icon: 'https://murmur.test/avatars/original/missing.png',
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pushesTo(bob.browser.id)).toHaveLength(1);
    expect(await ledger(bob.subscription.id)).toEqual([{ status: 'sent', attempts: 1 }]);
    const metrics = await running.worker.metrics.registry.metrics();
    expect(metrics).toMatch(/murmur_web_pushes_total\{[^}]*outcome="sent"[^}]*\} [1-9]/);
  });

  it('uses the legacy aesgcm encoding for a subscription that is not standard', async () => {
    const bob = await subscribedPerson({ standard: false });
    const alice = await createAccountFixture(database);
    await followAccount(database, { accountId: alice.id, targetAccountId: bob.account.id });
    const [push] = await waitFor(
      () => (pushesTo(bob.browser.id).length ? pushesTo(bob.browser.id) : null),
      {
        what: 'the push',
      },
    );
    expect(push!.problem).toBeNull();
    expect(push!.encoding).toBe('aesgcm');
    expect(JSON.parse(push!.payload!)).toMatchObject({
      notification_type: 'follow',
      title: `${alice.username} is now following you`,
    });
  });

  it('honours the alerts: a type that is off is not pushed', async () => {
    const bob = await subscribedPerson({ alerts: ['follow'] });
    const alice = await createAccountFixture(database);
    const before = await countProcessedEvents(database, PUSH_CONSUMER);
    await createStatus(database, { accountId: alice.id, text: `@${bob.account.username} hi` });
    await pushConsumerProcessed(before);
    expect(pushesTo(bob.browser.id)).toEqual([]);
    await followAccount(database, { accountId: alice.id, targetAccountId: bob.account.id });
    await waitFor(() => pushesTo(bob.browser.id).length === 1 || null, { what: 'the follow push' });
  });

  it('does not push a notification the recipient’s hide filter keeps out of their notifications', async () => {
    const bob = await subscribedPerson();
    const alice = await createAccountFixture(database);
    await createFilter(database, {
      accountId: bob.account.id,
      title: 'No spoilers',
      context: ['notifications'],
      action: 'hide',
      keywords: [{ keyword: 'finale' }],
    });
    const before = await countProcessedEvents(database, PUSH_CONSUMER);
    await createStatus(database, {
      accountId: alice.id,
      text: `@${bob.account.username} the finale was wild`,
    });
    await pushConsumerProcessed(before);
    expect(pushesTo(bob.browser.id)).toEqual([]);
    await createStatus(database, { accountId: alice.id, text: `@${bob.account.username} lunch?` });
    await waitFor(() => pushesTo(bob.browser.id).length === 1 || null, {
      what: 'the unfiltered mention’s push',
    });
  });

  it('honours the policy: followed, follower and none', async () => {
    const followed = await subscribedPerson({ policy: 'followed' });
    const follower = await subscribedPerson({ policy: 'follower' });
    const none = await subscribedPerson({ policy: 'none' });
    const friend = await createAccountFixture(database);
    const stranger = await createAccountFixture(database);
    await followAccount(database, { accountId: followed.account.id, targetAccountId: friend.id });
    await followAccount(database, { accountId: friend.id, targetAccountId: follower.account.id });
    // The follow above notifies `follower` (from friend, who follows them): pushed.
    await waitFor(() => pushesTo(follower.browser.id).length === 1 || null, {
      what: 'the follower policy letting a follower’s follow through',
    });
    const mentions = `@${followed.account.username} @${follower.account.username} @${none.account.username}`;
    const before = await countProcessedEvents(database, PUSH_CONSUMER);
    await createStatus(database, { accountId: stranger.id, text: `${mentions} from a stranger` });
    await createStatus(database, { accountId: friend.id, text: `${mentions} from a friend` });
    await pushConsumerProcessed(before, 6);
    const bodies = (id: string) =>
      pushesTo(id).map((push) => JSON.parse(push.payload!).body as string);
    expect(bodies(followed.browser.id)).toEqual([`${mentions} from a friend`]);
    expect(bodies(follower.browser.id).slice(1)).toEqual([`${mentions} from a friend`]);
    expect(pushesTo(none.browser.id)).toEqual([]);
  });

  it('deletes a subscription its push service answers 410 for', async () => {
    const bob = await subscribedPerson();
    service.answer(bob.browser.id, [410]);
    const alice = await createAccountFixture(database);
    await createStatus(database, { accountId: alice.id, text: `@${bob.account.username} hello` });
    await waitFor(
      async () => (await findWebPushSubscription(database.primary, bob.tokenId)) === null || null,
      {
        what: 'the gone subscription deleted',
      },
    );
    expect(pushesTo(bob.browser.id).map((push) => push.answeredStatus)).toEqual([410]);
  });

  it('retries a push the service answers 500 for, then records it sent', async () => {
    const bob = await subscribedPerson();
    service.answer(bob.browser.id, [500, 503]);
    const alice = await createAccountFixture(database);
    await createStatus(database, { accountId: alice.id, text: `@${bob.account.username} again` });
    await waitFor(async () => (await ledger(bob.subscription.id))[0]?.status === 'sent' || null, {
      what: 'the push sent after retries',
    });
    expect(pushesTo(bob.browser.id).map((push) => push.answeredStatus)).toEqual([500, 503, 201]);
    expect(await ledger(bob.subscription.id)).toEqual([{ status: 'sent', attempts: 3 }]);
  });

  it('stops pushing once the token is revoked (the subscription goes with it)', async () => {
    const bob = await subscribedPerson();
    await revokeAccessTokenById(database, bob.tokenId);
    expect(await findWebPushSubscription(database.primary, bob.tokenId)).toBeNull();
    const alice = await createAccountFixture(database);
    const before = await countProcessedEvents(database, PUSH_CONSUMER);
    await createStatus(database, { accountId: alice.id, text: `@${bob.account.username} there?` });
    await pushConsumerProcessed(before);
    expect(pushesTo(bob.browser.id)).toEqual([]);
  });

  it('pushes once when the same event is delivered three times', async () => {
    const bob = await subscribedPerson({ alerts: ['favourite'] });
    const alice = await createAccountFixture(database);
    // The mention is not pushed (alerts): its NotificationCreated is handled again below, by hand.
    const before = await countProcessedEvents(database, PUSH_CONSUMER);
    await createStatus(database, { accountId: alice.id, text: `@${bob.account.username} x` });
    await pushConsumerProcessed(before);
    await rows(
      `update web_push_subscriptions set alerts = '{mention}' where id = ${bob.subscription.id}`,
    );
    const events = await outboxEvents(database, ['NotificationCreated']);
    const event = events.find((e) => e.data.accountId === bob.account.id)!;
    const handle = pushHandler({
      database,
      sender: new PushSender({
        vapid: { subject: 'mailto:ops@murmur.test', ...push.vapid },
        fetch: createSafeFetch({ allowedPrivateAddresses: ['127.0.0.0/8'] }),
        concurrency: 4,
        perServiceConcurrency: 2,
        maxAttempts: 2,
        retryBaseMs: 10,
        retryMaxMs: 100,
        ttlSeconds: 60,
      }),
      vapidPrivateKey: push.vapid.privateKey,
      publicUrl: 'https://murmur.test',
      maxBatch: 10,
    });
    await Promise.all([1, 2, 3].map(() => handle(event, testLogger)));
    await handle(event, testLogger);
    expect(pushesTo(bob.browser.id)).toHaveLength(1);
    expect(pushesTo(bob.browser.id)[0]!.problem).toBeNull();
  });

  it('does not let a slow push service delay the others', async () => {
    const slow = await subscribedPerson();
    const quick = await subscribedPerson();
    service.delay(slow.browser.id, 3000);
    const alice = await createAccountFixture(database);
    const started = performance.now();
    await createStatus(database, {
      accountId: alice.id,
      text: `@${slow.account.username} @${quick.account.username} both`,
    });
    const [push] = await waitFor(
      () => (pushesTo(quick.browser.id).length ? pushesTo(quick.browser.id) : null),
      {
        what: 'the quick push',
      },
    );
    expect(push!.receivedAt - started).toBeLessThan(2500);
    await waitFor(() => pushesTo(slow.browser.id).length === 1 || null, { what: 'the slow push' });
  });

  it('keeps the ledger only as long as the processed-event markers', async () => {
    const before = await rows<{ n: number }>('select count(*)::int as n from web_push_deliveries');
    expect(before[0]!.n).toBeGreaterThan(0);
    await rows(`update web_push_deliveries set created_at = now() - interval '15 days'`);
    expect(await deleteOldWebPushDeliveries(database)).toBe(before[0]!.n);
    expect(await rows('select 1 from web_push_deliveries')).toEqual([]);
  });
});
