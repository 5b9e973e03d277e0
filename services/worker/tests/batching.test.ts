/**
 * The consumers' handlers share their database statements with the events handled at the same time
 * (group commit). Against a real PostgreSQL and SMTP server, without NATS: the events are given to
 * the handlers directly, all in the same tick, as the consume loop does with a pulled batch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import { getDailyStats, utcDay } from '@murmur/db/statistics';
import {
  countStatements,
  createAccountFixture,
  createTestDatabase,
  type TestDatabase,
} from '@murmur/db/testing';
import type { DomainEvent, UserMentioned } from '@murmur/events';
import { notificationsHandler, statisticsHandler, type EventHandler } from '../src/handlers.js';
import { CONSUMERS, HOME_FEEDS_CONSUMER } from '../src/consumers.js';
import { HOME_FEED_BATCH_POSTS } from '../src/home-feeds.js';
import { SmtpMailer, type Mailer, type SendResult } from '../src/mail/mailer.js';
import { sleep, startSmtpSink, testConfig, testLogger, waitFor } from './_helpers.js';
import { testTopology } from '@murmur/events/testing';

let testDb: TestDatabase;
let database: Database;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let mailer: SmtpMailer;
let statistics: EventHandler;

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = testDb.database;
  smtp = await startSmtpSink();
  mailer = new SmtpMailer(smtp.url, 2000, 'localhost', 4);
  statistics = statisticsHandler(database, { consumer: 'statistics', maxBatch: 50, lingerMs: 0 });
});

/**
 * Sends through the SMTP mailer, but reports the outcomes only once `groupSize` sends have come in,
 * all in the same tick: the handlers then reach their last step together, as they do under load.
 */
function sendInGroupsOf(groupSize: number): Mailer {
  let waiting: Array<{ send: Promise<SendResult>; report: (result: SendResult) => void }> = [];
  return {
    description: 'SMTP, reported in groups',
    send(mail) {
      return new Promise((report) => {
        waiting.push({ send: mailer.send(mail), report });
        if (waiting.length < groupSize) return;
        const group = waiting;
        waiting = [];
        void Promise.all(group.map((g) => g.send)).then((results) =>
          group.forEach((g, i) => g.report(results[i]!)),
        );
      });
    },
  };
}

/**
 * A copy of `event` under a new id whose status id is valid by the contract but out of range for a
 * bigint: any statement carrying it fails.
 */
function refusedByTheDatabase<E extends DomainEvent>(event: E, id: string): E {
  return { ...event, id, data: { ...event.data, statusId: '99999999999999999999' } };
}

function notificationsSendingInGroupsOf(groupSize: number): EventHandler {
  return notificationsWith(sendInGroupsOf(groupSize), 50);
}

function notificationsWith(mailer: Mailer, emailsAtOnce: number): EventHandler {
  return notificationsHandler({
    consumer: 'notifications',
    database,
    mailer,
    email: {
      publicUrl: 'https://murmur.test',
      publicHost: 'murmur.test',
      mailFrom: 'Murmur <no-reply@murmur.test>',
      unsubscribeSecret: 'test-unsubscribe-secret-0123456789abcdef',
      maxAttempts: 5,
      smtpTimeoutMs: 2000,
    },
    maxBatch: 50,
    emailsAtOnce,
    finishLingerMs: 0,
  });
}

afterAll(async () => {
  mailer?.close();
  await smtp?.close();
  await testDb?.destroy();
});

/** Posts mentioning one new account each; returns their events as the outbox holds them. */
async function postsWithMentions(count: number) {
  const author = await createAccountFixture(database);
  const readers = await Promise.all(
    Array.from({ length: count }, () => createAccountFixture(database)),
  );
  const statusIds: string[] = [];
  for (const reader of readers) {
    const status = await createStatus(database, {
      accountId: author.id,
      text: `hello @${reader.username}`,
    });
    statusIds.push(status.id);
  }
  const { rows } = await database.pool.query<{ payload: DomainEvent }>(
    `select payload from outbox_events where (payload->'data'->>'statusId') = any($1::text[])
     order by occurred_at`,
    [statusIds],
  );
  const events = rows.map((r) => r.payload);
  const mentions = events.filter((e): e is UserMentioned => e.type === 'UserMentioned');
  return { author, readers, events, mentions };
}

function handleTogether(handler: EventHandler, events: DomainEvent[]) {
  return Promise.allSettled(events.map((event) => handler(event, testLogger)));
}

describe('notifications handler', () => {
  it('handles concurrent mentions in one statement per step, and each exactly once', async () => {
    const { readers, mentions } = await postsWithMentions(6);
    const notifications = notificationsSendingInGroupsOf(6);

    const { result, statements } = await countStatements(database, () =>
      handleTogether(notifications, mentions),
    );

    expect(result.every((r) => r.status === 'fulfilled')).toBe(true);
    // Start (marker check, state, notification), e-mail claim, then marker + outcome: 3, not 18.
    expect(statements).toBe(3);
    for (const reader of readers) {
      expect(smtp.received.filter((m) => m.envelopeTo.includes(reader.email))).toHaveLength(1);
    }
    const { rows } = await database.pool.query(
      `select status, count(*)::int as n from email_deliveries
       where event_id = any($1::uuid[]) group by status`,
      [mentions.map((m) => m.id)],
    );
    expect(rows).toEqual([{ status: 'sent', n: 6 }]);

    // Delivered again (a redelivery of the whole pull): one statement, nothing sent twice.
    const again = await countStatements(database, () => handleTogether(notifications, mentions));
    expect(again.statements).toBe(1);
    expect(
      smtp.received.filter((m) => readers.some((r) => m.envelopeTo.includes(r.email))),
    ).toHaveLength(6);
  });

  it('fails only the event the database refuses; the others in its batch go through', async () => {
    const { readers, mentions } = await postsWithMentions(4);
    const notifications = notificationsSendingInGroupsOf(4);
    const poison = refusedByTheDatabase(mentions[0]!, '0190a000-0000-7000-8000-0000000f0002');

    const results = await handleTogether(notifications, [...mentions, poison]);

    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
    ]);
    for (const reader of readers) {
      expect(smtp.received.filter((m) => m.envelopeTo.includes(reader.email))).toHaveLength(1);
    }
    const { rows } = await database.pool.query(
      `select count(*)::int as n from processed_events
       where consumer = 'notifications' and event_id = any($1::uuid[])`,
      [[...mentions, poison].map((m) => m.id)],
    );
    expect(rows[0].n).toBe(4);
  });
});

describe('e-mails in progress', () => {
  it('claims an e-mail only when it can be sent: a crash cuts off at most that many', async () => {
    const { readers, mentions } = await postsWithMentions(6);
    const held: Array<() => void> = [];
    const holdingMailer: Mailer = {
      description: 'SMTP, held until released',
      async send(mail) {
        await new Promise<void>((resolve) => held.push(resolve));
        return mailer.send(mail);
      },
    };
    const handled = handleTogether(notificationsWith(holdingMailer, 2), mentions);
    await waitFor(() => held.length === 2, { what: 'two sends under way' });
    const sending = async () =>
      (
        await database.pool.query(
          `select count(*)::int as n from email_deliveries
           where status = 'sending' and event_id = any($1::uuid[])`,
          [mentions.map((m) => m.id)],
        )
      ).rows[0].n;
    // The other four are waiting for a turn, unclaimed: they would be sent after a restart.
    expect(await sending()).toBe(2);
    while ((await Promise.race([handled.then(() => 'done'), sleep(20)])) !== 'done') {
      for (const release of held.splice(0)) release();
    }
    expect((await handled).every((r) => r.status === 'fulfilled')).toBe(true);
    for (const reader of readers) {
      expect(smtp.received.filter((m) => m.envelopeTo.includes(reader.email))).toHaveLength(1);
    }
  });
});

describe('statistics handler', () => {
  it('counts concurrent events in one statement, a refused one failing alone', async () => {
    const { events } = await postsWithMentions(3);
    const before = (await getDailyStats(database.primary, utcDay(new Date()))) ?? {
      posts: 0,
      mentions: 0,
    };
    const valid = await countStatements(database, () => handleTogether(statistics, events));
    expect(valid.result.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(valid.statements).toBe(1);
    const after = (await getDailyStats(database.primary, utcDay(new Date())))!;
    expect(after.posts - before.posts).toBe(3);
    expect(after.mentions - before.mentions).toBe(3);

    const { events: more } = await postsWithMentions(2);
    const poison = refusedByTheDatabase(more[1]!, '0190a000-0000-7000-8000-0000000f0003');
    const results = await handleTogether(statistics, [...more, poison]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
    ]);
  });
});

describe('home-feeds handler', () => {
  it('fans a backlog out in statements of at most HOME_FEED_BATCH_POSTS posts, every post once', async () => {
    const declaration = CONSUMERS.find((c) => c.name === HOME_FEEDS_CONSUMER)!;
    const config = testConfig({ databaseUrl: testDb.url, topology: testTopology() });
    const homeFeeds = declaration.handler({
      consumer: HOME_FEEDS_CONSUMER,
      config,
      database,
    } as Parameters<typeof declaration.handler>[0]);
    const [author, reader] = await Promise.all([1, 2].map(() => createAccountFixture(database)));
    await database.pool.query(
      'insert into follows (account_id, target_account_id) values ($1, $2)',
      [reader!.id, author!.id],
    );
    const count = 2 * HOME_FEED_BATCH_POSTS + 1;
    const statusIds: string[] = [];
    for (let n = 0; n <= count; n++) {
      statusIds.push((await createStatus(database, { accountId: author!.id, text: `p${n}` })).id);
    }
    const { rows } = await database.pool.query<{ payload: DomainEvent }>(
      `select payload from outbox_events where type = 'PostCreated'
         and (payload->'data'->>'statusId') = any($1::text[])`,
      [statusIds],
    );
    expect(rows).toHaveLength(count + 1);
    // One post first, alone: the fan-out asks once per Database whether it may compress WAL
    // page images, a statement that is not part of the backlog's.
    const [first, ...backlog] = rows.map((r) => r.payload);
    await handleTogether(homeFeeds, [first!]);

    // Handed over in the same tick, as a pulled backlog is: one statement would carry them all.
    const { result, statements } = await countStatements(database, () =>
      handleTogether(homeFeeds, backlog),
    );

    expect(result.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(statements).toBe(Math.ceil(count / HOME_FEED_BATCH_POSTS));
    const { rows: feed } = await database.pool.query(
      'select status_id::text as id from home_feed_entries where account_id = $1',
      [reader!.id],
    );
    expect(feed.map((r) => r.id).sort()).toEqual([...statusIds].sort());
  });
});
