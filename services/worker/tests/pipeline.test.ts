/**
 * The whole pipeline against real PostgreSQL, NATS JetStream and an SMTP server: a post commits its
 * events to the outbox, the relay publishes them, the consumers create notifications, send e-mails
 * and count statistics — each exactly once, whatever is delivered twice or is invalid.
 */
import { describe, expect, it } from 'vitest';
import { type Database } from '@murmur/db';
import { countProcessedEvents, listDeadLetters } from '@murmur/db/events';
import {
  createStatus,
  favouriteStatus,
  reblogStatus,
  unfavouriteStatus,
  unreblogStatus,
} from '@murmur/db/statuses';
import { followAccount, unfollowAccount } from '@murmur/db/follows';
import { getDailyStats, utcDay } from '@murmur/db/statistics';
import { createAccountFixture } from '@murmur/db/testing';
import { subjectFor, type NotificationCreated } from '@murmur/events';
import { testTopology } from '@murmur/events/testing';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { verifyUnsubscribeToken } from '@murmur/service-kit';
import {
  mailParts,
  type RunningWorker,
  sleep,
  type SmtpSink,
  useMailingWorker,
  waitFor,
} from './_helpers.js';
import { CONSUMERS, filterSubjectOf } from '../src/consumers.js';
import type { WorkerConfig } from '../src/config.js';

const topology = testTopology();
let database: Database;
let config: WorkerConfig;
let smtp: SmtpSink;
let running: RunningWorker;
const failOnce = new Set<string>();

useMailingWorker(topology, (w) => ({ database, config, smtp, running } = w), {
  poolSize: 10,
  failOnce,
  // A short duplicate window, so a second relay pass of the same event is stored again.
  overrides: { duplicateWindowMs: 1000 },
});

async function notificationsOf(accountId: string) {
  const { rows } = await database.pool.query<{
    type: string;
    from_account_id: string;
    status_id: string;
  }>('select type, from_account_id, status_id from notifications where account_id = $1', [
    accountId,
  ]);
  return rows;
}

async function consumersCaughtUp() {
  const jsm = await jetstreamManager(running.nats);
  await waitFor(
    async () => {
      const infos = await Promise.all(
        ['notifications', 'statistics'].map((c) => jsm.consumers.info(topology.streamName, c)),
      );
      return infos.every((i) => i.num_pending === 0 && i.num_ack_pending === 0);
    },
    { what: 'consumers to catch up' },
  );
}

function mailsTo(address: string) {
  return smtp.received.filter((m) => m.envelopeTo.includes(address));
}

describe('mentions', () => {
  it('notifies and e-mails each mentioned account once, with safe, deterministic headers', async () => {
    const author = await createAccountFixture(database, {
      displayName: 'Alice\r\nBcc: victim@example.test',
    });
    const bob = await createAccountFixture(database);
    const carol = await createAccountFixture(database);
    const status = await createStatus(database, {
      accountId: author.id,
      text: `Hello @${bob.username} and @${carol.username}!\nSubject: injected <b>bold</b>`,
      requestId: 'req-123',
    });

    await waitFor(() => mailsTo(bob.email).length === 1 && mailsTo(carol.email).length === 1, {
      what: 'two e-mails',
    });
    for (const recipient of [bob, carol]) {
      expect(await notificationsOf(recipient.id)).toEqual([
        { type: 'mention', from_account_id: author.id, status_id: status.id },
      ]);
      const mail = mailsTo(recipient.email)[0]!;
      const { rows } = await database.pool.query<{
        id: string;
        status: string;
        message_id: string;
      }>('select id, status, message_id from email_deliveries where recipient_account_id = $1', [
        recipient.id,
      ]);
      await waitFor(async () => {
        const r = await database.pool.query(
          'select status from email_deliveries where recipient_account_id = $1',
          [recipient.id],
        );
        return r.rows[0]?.status === 'sent';
      });
      expect(mail.headers['message-id']).toBe(`<mention-${rows[0]!.id}@murmur.test>`);
      expect(rows[0]!.message_id).toBe(mail.headers['message-id']);
      const unsubscribe = /^<https:\/\/murmur\.test\/unsubscribe\?token=([^>]+)>$/.exec(
        mail.headers['list-unsubscribe']!,
      );
      expect(unsubscribe).not.toBeNull();
      expect(
        verifyUnsubscribeToken(config.unsubscribeSecret, decodeURIComponent(unsubscribe![1]!)),
      ).toBe(recipient.id);
      expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
      // Nothing from the post or the profile became a header.
      expect(mail.headers['bcc']).toBeUndefined();
      expect(mail.headers['subject']).not.toMatch(/[\r\n]/);
      const { text, html } = mailParts(mail.raw);
      expect(text).toContain('> Hello @');
      expect(html).toContain('Subject: injected &lt;b&gt;bold&lt;/b&gt;');
      expect(html).not.toContain('<b>bold</b>');
      for (const part of [text, html]) {
        expect(part).toContain(`https://murmur.test/@${author.username}/${status.id}`);
        expect(part).toContain('https://murmur.test/settings');
      }
    }
  });

  it('sends nothing when the author mentions only themselves', async () => {
    const author = await createAccountFixture(database);
    await createStatus(database, {
      accountId: author.id,
      text: `note to self @${author.username}`,
    });
    const marker = await createAccountFixture(database);
    // A later mention proves the pipeline ran past the self-mention.
    await createStatus(database, { accountId: author.id, text: `hi @${marker.username}` });
    await waitFor(() => mailsTo(marker.email).length === 1);
    expect(mailsTo(author.email)).toHaveLength(0);
    expect(await notificationsOf(author.id)).toEqual([]);
  });

  it('applies an event delivered three times once: relay pass again, nak redelivery, direct republish', async () => {
    const author = await createAccountFixture(database);
    const dave = await createAccountFixture(database);
    failOnce.add(dave.email); // first attempt fails clearly → nak → redelivery
    const statsBefore = (await getDailyStats(database.primary, utcDay(new Date())))?.mentions ?? 0;
    await createStatus(database, { accountId: author.id, text: `hey @${dave.username}` });
    await waitFor(() => mailsTo(dave.email).length === 1, { what: 'the e-mail after a retry' });
    const { rows } = await database.pool.query<{ id: string; payload: unknown }>(
      `select id, payload from outbox_events where type = 'UserMentioned' and payload->'data'->>'mentionedAccountId' = $1`,
      [dave.id],
    );
    const event = rows[0]!;
    await waitFor(
      async () =>
        (
          await database.pool.query('select 1 from processed_events where event_id = $1', [
            event.id,
          ])
        ).rowCount === 2,
    );

    // Again through the relay (after the 1 s duplicate window, so the stream stores it again)…
    await sleep(1100);
    await database.pool.query(
      `update outbox_events set status = 'pending', next_attempt_at = now() where id = $1`,
      [event.id],
    );
    await waitFor(
      async () =>
        (await database.pool.query(`select status from outbox_events where id = $1`, [event.id]))
          .rows[0]?.status === 'published',
    );
    // …and directly, with another message id but the same event.
    await running.nats.flush();
    await jetstream(running.nats).publish(
      subjectFor(topology, 'UserMentioned'),
      JSON.stringify(event.payload),
      {
        msgID: `${event.id}-again`,
      },
    );
    const jsm = await jetstreamManager(running.nats);
    await waitFor(
      async () => {
        const infos = await Promise.all(
          ['notifications', 'statistics'].map((c) => jsm.consumers.info(topology.streamName, c)),
        );
        return infos.every((i) => i.num_pending === 0 && i.num_ack_pending === 0);
      },
      { what: 'consumers to catch up' },
    );

    expect(mailsTo(dave.email)).toHaveLength(1);
    expect(await notificationsOf(dave.id)).toHaveLength(1);
    const stats = await getDailyStats(database.primary, utcDay(new Date()));
    expect(stats!.mentions).toBe(statsBefore + 1);
    const { rows: deliveries } = await database.pool.query(
      'select status, attempts from email_deliveries where event_id = $1',
      [event.id],
    );
    expect(deliveries).toEqual([{ status: 'sent', attempts: 2 }]);
  });

  it('does not e-mail people who turned mention e-mails off, but still notifies them', async () => {
    const author = await createAccountFixture(database);
    const quiet = await createAccountFixture(database, { emailOnMention: false });
    await createStatus(database, { accountId: author.id, text: `psst @${quiet.username}` });
    await waitFor(async () => (await notificationsOf(quiet.id)).length === 1);
    await waitFor(
      async () =>
        (
          await database.pool.query(
            `select status from email_deliveries where recipient_account_id = $1`,
            [quiet.id],
          )
        ).rows[0]?.status === 'skipped',
    );
    expect(mailsTo(quiet.email)).toHaveLength(0);
  });
});

describe('favourites, reblogs and follows', () => {
  it('arrive through the worker, each announced once by NotificationCreated, and go on undo', async () => {
    const alice = await createAccountFixture(database);
    const bob = await createAccountFixture(database);
    const post = await createStatus(database, { accountId: alice.id, text: 'notice me' });
    await followAccount(database, { accountId: bob.id, targetAccountId: alice.id });
    await favouriteStatus(database, { accountId: bob.id, statusId: post.id, requestId: 'req-fav' });
    const wrapper = await reblogStatus(database, { accountId: bob.id, statusId: post.id });
    await waitFor(async () => (await notificationsOf(alice.id)).length === 3, {
      what: 'three notifications',
    });
    expect((await notificationsOf(alice.id)).map((n) => n.type).sort()).toEqual([
      'favourite',
      'follow',
      'reblog',
    ]);
    // Each announced on the stream, carrying the request id of what caused it.
    const announcements = await waitFor(async () => {
      const { rows } = await database.pool.query<{ payload: NotificationCreated; status: string }>(
        `select payload, status from outbox_events where type = 'NotificationCreated'
           and payload->'data'->>'accountId' = $1`,
        [alice.id],
      );
      return rows.length === 3 && rows.every((r) => r.status === 'published') ? rows : null;
    });
    expect(announcements.find((r) => r.payload.data.type === 'favourite')!.payload.requestId).toBe(
      'req-fav',
    );

    // The favourite event delivered twice more: nothing new.
    const { rows } = await database.pool.query<{ payload: unknown }>(
      `select payload from outbox_events where type = 'StatusFavourited' and payload->'data'->>'accountId' = $1`,
      [bob.id],
    );
    for (const n of [1, 2]) {
      await jetstream(running.nats).publish(
        subjectFor(topology, 'StatusFavourited'),
        JSON.stringify(rows[0]!.payload),
        { msgID: `again-${n}-${bob.id}` },
      );
    }
    await consumersCaughtUp();
    expect(await notificationsOf(alice.id)).toHaveLength(3);
    const { rows: announced } = await database.pool.query(
      `select 1 from outbox_events where type = 'NotificationCreated' and payload->'data'->>'accountId' = $1`,
      [alice.id],
    );
    expect(announced).toHaveLength(3);

    await unfavouriteStatus(database, { accountId: bob.id, statusId: post.id });
    await unreblogStatus(database, { accountId: bob.id, statusId: wrapper.id });
    await unfollowAccount(database, { accountId: bob.id, targetAccountId: alice.id });
    await waitFor(async () => (await notificationsOf(alice.id)).length === 0, {
      what: 'the undone notifications removed',
    });
  });
});

describe('invalid events', () => {
  it('dead-letters a malformed event and keeps processing the valid ones around it', async () => {
    const author = await createAccountFixture(database);
    const erin = await createAccountFixture(database);
    const frank = await createAccountFixture(database);
    await createStatus(database, { accountId: author.id, text: `one @${erin.username}` });
    const ack = await jetstream(running.nats).publish(
      subjectFor(topology, 'UserMentioned'),
      '{"type":"UserMentioned","data":{}}',
    );
    await createStatus(database, { accountId: author.id, text: `two @${frank.username}` });
    await waitFor(() => mailsTo(erin.email).length === 1 && mailsTo(frank.email).length === 1);
    // Every consumer the message reaches records it: those reading the whole stream, and those
    // filtering on its subject.
    const reached = CONSUMERS.filter((c) => {
      const filter = filterSubjectOf(c, topology);
      return filter === undefined || filter === subjectFor(topology, 'UserMentioned');
    })
      .map((c) => c.name)
      .sort();
    expect(reached).toContain('notifications');
    const letters = await waitFor(
      async () => {
        const rows = await listDeadLetters(database);
        return rows.filter((r) => r.streamSeq === ack.seq).length === reached.length ? rows : null;
      },
      { what: 'a dead letter per consumer' },
    );
    expect(
      letters
        .filter((r) => r.streamSeq === ack.seq)
        .map((r) => r.consumer)
        .sort(),
    ).toEqual(reached);
  });
});

describe('an event the database refuses', () => {
  it('is retried, then dead-lettered, while the events around it are processed', async () => {
    const author = await createAccountFixture(database);
    const readers = await Promise.all(
      Array.from({ length: 5 }, () => createAccountFixture(database)),
    );
    // Valid by the contract, but out of range for a bigint: every statement carrying it fails.
    const poison = {
      id: '0190a000-0000-7000-8000-0000000f0001',
      type: 'UserMentioned',
      version: 1,
      occurredAt: new Date().toISOString(),
      requestId: null,
      data: {
        statusId: '99999999999999999999',
        accountId: author.id,
        mentionedAccountId: readers[0]!.id,
      },
    };
    const [ack] = await Promise.all([
      jetstream(running.nats).publish(
        subjectFor(topology, 'UserMentioned'),
        JSON.stringify(poison),
      ),
      ...readers.map((reader) =>
        createStatus(database, { accountId: author.id, text: `batch @${reader.username}` }),
      ),
    ]);
    await waitFor(() => readers.every((reader) => mailsTo(reader.email).length === 1), {
      what: 'the valid mentions around the poison event',
    });
    for (const reader of readers) expect(await notificationsOf(reader.id)).toHaveLength(1);
    const letters = await waitFor(
      async () => {
        const rows = (await listDeadLetters(database)).filter((r) => r.streamSeq === ack.seq);
        return rows.length === 2 ? rows : null;
      },
      { what: 'a dead letter per consumer after the last delivery' },
    );
    expect(letters.map((r) => r.consumer).sort()).toEqual(['notifications', 'statistics']);
  });
});

describe('statistics and status', () => {
  it('counts each post and mention once and reports an empty backlog', async () => {
    const jsm = await jetstreamManager(running.nats);
    await waitFor(async () => {
      const infos = await Promise.all(
        ['notifications', 'statistics'].map((c) => jsm.consumers.info(topology.streamName, c)),
      );
      return infos.every((i) => i.num_pending === 0 && i.num_ack_pending === 0);
    });
    const { rows } = await database.pool.query<{ posts: string; mentions: string }>(
      `select count(*) filter (where type = 'PostCreated') as posts, count(*) filter (where type = 'UserMentioned') as mentions from outbox_events`,
    );
    const stats = (await getDailyStats(database.primary, utcDay(new Date())))!;
    expect(stats.posts).toBe(Number(rows[0]!.posts));
    expect(stats.mentions).toBe(Number(rows[0]!.mentions));
    expect(await countProcessedEvents(database, 'statistics')).toBe(
      Number(rows[0]!.posts) + Number(rows[0]!.mentions),
    );

    const response = await running.worker.app.inject({ method: 'GET', url: '/status' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.outbox.pending).toBe(0);
    expect(body.consumers.notifications).toMatchObject({ numPending: 0, numAckPending: 0 });
    expect((await running.worker.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({
      ok: true,
      database: true,
      nats: true,
    });
  });

  it('serves Prometheus metrics about the backlog, the consumers, events, e-mails and dead letters', async () => {
    const response = await running.worker.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = response.body;
    // The value of the series `name` whose labels include `labels` (label order is not fixed).
    const value = (name: string, labels: Record<string, string> = {}) => {
      for (const line of body.split('\n')) {
        const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
        if (!match || match[1] !== name) continue;
        const set = match[2] ?? '';
        if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`)))
          return Number(match[3]);
      }
      return undefined;
    };
    expect(value('murmur_outbox_pending_events', { service: 'worker' })).toBe(0);
    expect(value('murmur_outbox_oldest_pending_age_seconds')).toBe(0);
    for (const consumer of ['notifications', 'statistics']) {
      expect(value('murmur_consumer_pending_messages', { consumer })).toBe(0);
      expect(value('murmur_consumer_ack_pending_messages', { consumer })).toBe(0);
      expect(value('murmur_consumer_redelivered_messages', { consumer })).toBeTypeOf('number');
    }
    expect(
      value('murmur_events_processed_total', { consumer: 'notifications', type: 'UserMentioned' }),
    ).toBeGreaterThanOrEqual(3);
    expect(
      value('murmur_events_processed_total', { consumer: 'statistics', type: 'PostCreated' }),
    ).toBeGreaterThanOrEqual(3);
    expect(
      value('murmur_event_processing_lag_seconds_count', { consumer: 'statistics' }),
    ).toBeGreaterThanOrEqual(3);
    expect(value('murmur_emails_total', { outcome: 'sent' })).toBeGreaterThanOrEqual(2);
    expect(value('murmur_emails_total', { outcome: 'unknown' })).toBe(0);
    expect(
      value('murmur_dead_letters_total', { consumer: 'statistics', reason: 'invalid' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value('http_request_duration_seconds_count', { route: '/status', status_code: '200' }),
    ).toBeGreaterThanOrEqual(1);
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});
