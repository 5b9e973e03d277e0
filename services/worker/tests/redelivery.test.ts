/**
 * Three deliveries, one effect, for every consumer of the consumers table. JetStream delivers at
 * least once: an ack lost on the way, a worker that stops between its commit and its ack, or the
 * reconciler republishing an event, each hands a consumer an event it has already processed. Each
 * case makes the state and the event a real operation writes, builds the consumer's handler as the
 * worker does (from its line in `CONSUMERS`), delivers the same event three times, and compares
 * what a person or another server can observe after the first delivery and after the third:
 * database rows (notifications, feed entries, deliveries ledgers, statistics), e-mails sent,
 * pushes received, activities POSTed to a remote inbox.
 *
 * A consumer added to the table without a case here fails the first test.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database } from '@murmur/db';
import { requestEmailConfirmation, requestPasswordReset } from '@murmur/db/accounts';
import { outboxBacklog } from '@murmur/db/events';
import { recordRemoteActivity, upsertRemoteAccount } from '@murmur/db/federation';
import { followAccount } from '@murmur/db/follows';
import { createMediaUpload } from '@murmur/db/media';
import { createStatus } from '@murmur/db/statuses';
import {
  createAccountFixture,
  createTestDatabase,
  deliverNotifications,
  outboxEvents,
  remoteAccountFixture,
  type TestDatabase,
} from '@murmur/db/testing';
import type { DomainEvent, EventType } from '@murmur/events';
import { testTopology } from '@murmur/events/testing';
import { incomingKey, LocalStorage } from '@murmur/media';
import { photoJpeg } from '@murmur/media/testing';
import { Registry } from '@murmur/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerConfig } from '../src/config.js';
import {
  CONFIRMATION_EMAILS_CONSUMER,
  CONSUMERS,
  CONVERSATIONS_CONSUMER,
  FEDERATION_DELIVERY_CONSUMER,
  FEDERATION_INBOX_CONSUMER,
  HOME_FEEDS_CONSUMER,
  MEDIA_CONSUMER,
  NOTIFICATIONS_CONSUMER,
  PASSWORD_RESET_EMAILS_CONSUMER,
  PUSH_CONSUMER,
  STATISTICS_CONSUMER,
  type HandlerContext,
} from '../src/consumers.js';
import { createFederationSending, type FederationSending } from '../src/federation-delivery.js';
import type { EventHandler } from '../src/handlers.js';
import type { Mailer, OutgoingMail } from '../src/mail/mailer.js';
import { createWorkerMetrics } from '../src/metrics.js';
import { testConfig, testLogger } from './_helpers.js';
import {
  startTestWebPush,
  subscribeThroughApp,
  withWebPush,
  type TestWebPush,
} from './_web-push.js';

const topology = testTopology();
let testDb: TestDatabase;
let database: Database;
let config: WorkerConfig;
let mediaDirectory: string;
let push: TestWebPush;
let federationSending: FederationSending;
let remote: RemoteInbox;
const mails: OutgoingMail[] = [];

/** A mail server that accepts everything (what was sent is what counts). */
const mailer: Mailer = {
  description: 'memory',
  async send(mail) {
    mails.push(mail);
    return { outcome: 'sent', response: '250 ok' };
  },
};

/**
 * Another server on loopback: serves a minimal actor document for `/users/{name}` (what resolving
 * an actor reads) and records every activity POSTed to an inbox.
 */
interface RemoteInbox {
  origin: string;
  received: { path: string; body: Record<string, unknown> }[];
  /** Paths of the documents read (GET). */
  fetched: string[];
  server: Server;
}

async function startRemoteInbox(): Promise<RemoteInbox> {
  const received: RemoteInbox['received'] = [];
  const fetched: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const actor = /^\/users\/(\w+)$/.exec(request.url ?? '');
      if (request.method === 'GET') fetched.push(request.url ?? '');
      if (request.method === 'GET' && actor) {
        const id = `http://${request.headers.host}/users/${actor[1]}`;
        response.writeHead(200, { 'content-type': 'application/activity+json' });
        return void response.end(
          JSON.stringify({
            '@context': 'https://www.w3.org/ns/activitystreams',
            id,
            type: 'Person',
            preferredUsername: actor[1],
            inbox: `${id}/inbox`,
          }),
        );
      }
      if (request.method !== 'POST') return void response.writeHead(404).end();
      received.push({
        path: request.url ?? '',
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, received, fetched, server };
}

beforeAll(async () => {
  testDb = await createTestDatabase({ poolSize: 10 });
  database = testDb.database;
  mediaDirectory = await mkdtemp(join(tmpdir(), 'murmur-redelivery-'));
  push = await startTestWebPush();
  remote = await startRemoteInbox();
  const base = withWebPush(testConfig({ databaseUrl: testDb.url, topology }), push);
  config = {
    ...base,
    mediaStorage: { kind: 'local', directory: mediaDirectory },
    allowedPrivateAddresses: ['127.0.0.0/8'],
  };
  federationSending = createFederationSending({ config, database, logger: testLogger });
});

afterAll(async () => {
  await federationSending?.idle();
  await push?.service.close();
  await new Promise((resolve) => remote?.server.close(resolve));
  await testDb?.destroy();
  if (mediaDirectory) await rm(mediaDirectory, { recursive: true, force: true });
});

/** The handler of a consumer, built from its line in the consumers table as the worker builds it. */
function handlerOf(consumer: string): EventHandler {
  const declaration = CONSUMERS.find((c) => c.name === consumer)!;
  const context: HandlerContext = {
    consumer,
    config,
    database,
    mailer,
    metrics: createWorkerMetrics(new Registry(), {
      outboxBacklog: () => outboxBacklog(database),
      consumers: async () => ({}),
    }),
    mediaStorage: new LocalStorage(mediaDirectory),
    federationSending,
  };
  return declaration.handler(context);
}

/** The newest event of `type` in the outbox that `matches`, as the stream carries it. */
async function latestEvent<T extends EventType>(
  type: T,
  matches: (event: Extract<DomainEvent, { type: T }>) => boolean = () => true,
): Promise<DomainEvent> {
  const events = (await outboxEvents(database, [type])) as Extract<DomainEvent, { type: T }>[];
  const event = events.filter(matches).at(-1);
  if (!event) throw new Error(`no ${type} event`);
  return event;
}

async function count(query: string, values: unknown[]): Promise<number> {
  const { rows } = await database.pool.query<{ n: string }>(query, values);
  return Number(rows[0]!.n);
}

/** What a case prepares: the event to deliver, and what can be observed of its effect. */
interface Arranged {
  event: DomainEvent;
  /** A snapshot of everything the consumer's effect shows in, for this case. */
  observe(): Promise<Record<string, unknown>>;
}

/** One case per consumer of the consumers table. */
const CASES: Record<string, () => Promise<Arranged>> = {
  [NOTIFICATIONS_CONSUMER]: async () => {
    const author = await createAccountFixture(database);
    const reader = await createAccountFixture(database);
    await createStatus(database, { accountId: author.id, text: `hello @${reader.username}` });
    return {
      event: await latestEvent('UserMentioned', (e) => e.data.mentionedAccountId === reader.id),
      observe: async () => ({
        notifications: await count(
          'select count(*) as n from notifications where account_id = $1',
          [reader.id],
        ),
        announced: (await outboxEvents(database, ['NotificationCreated'])).filter(
          (e) => e.data.accountId === reader.id,
        ).length,
        emailDeliveries: await count(
          'select count(*) as n from email_deliveries where recipient_account_id = $1',
          [reader.id],
        ),
        emails: mails.filter((m) => m.to.address === reader.email).length,
      }),
    };
  },

  [STATISTICS_CONSUMER]: async () => {
    const author = await createAccountFixture(database);
    await createStatus(database, { accountId: author.id, text: 'counted once' });
    return {
      event: await latestEvent('PostCreated', (e) => e.data.accountId === author.id),
      observe: async () => ({
        posts: await count('select coalesce(sum(posts), 0) as n from daily_stats', []),
      }),
    };
  },

  [MEDIA_CONSUMER]: async () => {
    const owner = await createAccountFixture(database);
    const key = incomingKey(randomUUID());
    await new LocalStorage(mediaDirectory).put(key, await photoJpeg(64, 48), 'image/jpeg');
    const media = await createMediaUpload(database, { accountId: owner.id, incomingKey: key });
    return {
      event: await latestEvent('MediaUploaded', (e) => e.data.mediaId === media.id),
      observe: async () => {
        const { rows } = await database.pool.query(
          `select processing, original_key, small_key from media_attachments where id = $1`,
          [media.id],
        );
        return {
          media: rows[0],
          files: (await readdir(mediaDirectory, { recursive: true })).length,
        };
      },
    };
  },

  [HOME_FEEDS_CONSUMER]: async () => {
    const author = await createAccountFixture(database);
    const reader = await createAccountFixture(database);
    await followAccount(database, { accountId: reader.id, targetAccountId: author.id });
    await createStatus(database, { accountId: author.id, text: 'into the feed' });
    return {
      event: await latestEvent('PostCreated', (e) => e.data.accountId === author.id),
      observe: async () => ({
        entries: await count('select count(*) as n from home_feed_entries where account_id = $1', [
          reader.id,
        ]),
      }),
    };
  },

  [PASSWORD_RESET_EMAILS_CONSUMER]: async () => {
    const account = await createAccountFixture(database);
    await requestPasswordReset(database, { email: account.email });
    return {
      event: await latestEvent('PasswordResetRequested', (e) => e.data.accountId === account.id),
      observe: async () => ({
        emails: mails.filter((m) => m.to.address === account.email).length,
        deliveries: await count(
          'select count(*) as n from email_deliveries where recipient_account_id = $1',
          [account.id],
        ),
      }),
    };
  },

  [CONFIRMATION_EMAILS_CONSUMER]: async () => {
    const account = await createAccountFixture(database, { emailConfirmedAt: null });
    await requestEmailConfirmation(database, { accountId: account.id });
    return {
      event: await latestEvent(
        'EmailConfirmationRequested',
        (e) => e.data.accountId === account.id,
      ),
      observe: async () => ({
        emails: mails.filter((m) => m.to.address === account.email).length,
        deliveries: await count(
          'select count(*) as n from email_deliveries where recipient_account_id = $1',
          [account.id],
        ),
      }),
    };
  },

  [CONVERSATIONS_CONSUMER]: async () => {
    const author = await createAccountFixture(database);
    const reader = await createAccountFixture(database);
    await createStatus(database, {
      accountId: author.id,
      text: `just us @${reader.username}`,
      visibility: 'direct',
    });
    return {
      event: await latestEvent('PostCreated', (e) => e.data.accountId === author.id),
      observe: async () => {
        const { rows } = await database.pool.query(
          `select account_id::text, unread from account_conversations
           where account_id = any($1::bigint[]) order by account_id`,
          [[author.id, reader.id]],
        );
        return { conversations: rows };
      },
    };
  },

  [PUSH_CONSUMER]: async () => {
    const author = await createAccountFixture(database);
    const reader = await createAccountFixture(database);
    const { browser, subscription } = await subscribeThroughApp(database, push, reader, {
      alerts: ['mention'],
    });
    await createStatus(database, { accountId: author.id, text: `ping @${reader.username}` });
    await deliverNotifications(database);
    return {
      event: await latestEvent('NotificationCreated', (e) => e.data.accountId === reader.id),
      observe: async () => ({
        pushes: push.service.received.filter((p) => p.subscription === browser.id).length,
        ledger: await count(
          'select count(*) as n from web_push_deliveries where subscription_id = $1',
          [subscription.id],
        ),
      }),
    };
  },

  [FEDERATION_INBOX_CONSUMER]: async () => {
    // A remote person follows a local one: the follow is made once (its Accept is sent by the
    // federation-delivery consumer, from the AccountFollowed event the follow writes).
    const local = await createAccountFixture(database);
    const follower = await remoteAccount('fan');
    const activityId = `${follower.uri}#follows/${randomUUID()}`;
    await recordRemoteActivity(database, {
      activityId,
      activityType: 'Follow',
      actorUri: follower.uri,
      activity: {
        '@context': 'https://www.w3.org/ns/activitystreams',
        id: activityId,
        type: 'Follow',
        actor: follower.uri,
        object: `${new URL(config.publicUrl).origin}/users/${local.username}`,
      },
    });
    return {
      event: await latestEvent('RemoteActivityReceived', (e) => e.data.activityId === activityId),
      observe: async () => ({
        follows: await count(
          'select count(*) as n from follows where account_id = $1 and target_account_id = $2',
          [follower.id, local.id],
        ),
        followers: await count('select followers_count as n from accounts where id = $1', [
          local.id,
        ]),
      }),
    };
  },

  [FEDERATION_DELIVERY_CONSUMER]: async () => {
    const author = await createAccountFixture(database);
    const follower = await remoteAccount('follower');
    await followAccount(database, { accountId: follower.id, targetAccountId: author.id });
    await createStatus(database, { accountId: author.id, text: 'to my remote followers' });
    const event = await latestEvent('PostCreated', (e) => e.data.accountId === author.id);
    return {
      event,
      observe: async () => {
        await federationSending.idle();
        return {
          ledger: await count(
            'select count(*) as n from federation_deliveries where event_id = $1',
            [event.id],
          ),
          posted: remote.received.filter((r) => r.path === follower.inboxPath).length,
        };
      },
    };
  },
};

/** An account of the remote server, known here (fetched just now, so nothing is fetched again). */
async function remoteAccount(name: string) {
  const username = `${name}_${randomUUID().slice(0, 8)}`;
  const uri = `${remote.origin}/users/${username}`;
  const inboxPath = `/users/${username}/inbox`;
  const id = await upsertRemoteAccount(
    database,
    remoteAccountFixture({ username, uri, url: uri, displayName: name }),
  );
  return { id, uri, inboxPath };
}

describe('three deliveries of an event, one effect', () => {
  it('has a case for every consumer of the consumers table', () => {
    expect(Object.keys(CASES).sort()).toEqual(CONSUMERS.map((c) => c.name).sort());
  });

  it.each(CONSUMERS.map((c) => c.name))(
    '%s: the second and third delivery change nothing',
    async (consumer) => {
      const handle = handlerOf(consumer);
      const { event, observe } = await CASES[consumer]!();
      const before = await observe();
      await handle(event, testLogger);
      const once = await observe();
      expect(once, 'the first delivery has an effect').not.toEqual(before);
      await handle(event, testLogger);
      await handle(event, testLogger);
      expect(await observe()).toEqual(once);
      const { rows } = await database.pool.query(
        'select count(*)::int as n from processed_events where consumer = $1 and event_id = $2',
        [consumer, event.id],
      );
      expect(rows[0]!.n, 'one processed-event marker').toBe(1);
    },
    60_000,
  );
});
