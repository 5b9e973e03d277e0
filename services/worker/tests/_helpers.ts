/** Shared helpers of the worker's integration tests (not a test file). */
import { tmpdir } from 'node:os';
import type { Database } from '@murmur/db';
import type { EventTopology } from '@murmur/events';
import { connectToNats } from '@murmur/events/jetstream';
import { createLogger, type Logger } from '@murmur/service-kit';
import { removeTopology } from '@murmur/events/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { buildWorker, type Worker } from '../src/app.js';
import {
  DEFAULT_TIMINGS,
  loadConfig,
  type WorkerConfig,
  type WorkerTimings,
} from '../src/config.js';
import { CONSUMERS, NOTIFICATIONS_CONSUMER, STATISTICS_CONSUMER } from '../src/consumers.js';
import { SmtpMailer, type Mailer } from '../src/mail/mailer.js';
import { parseHeaders, startSmtpSink, type SmtpSink } from '@murmur/devkit/smtp-sink';
import { createTestDatabase } from '@murmur/db/testing';
import { afterAll, beforeAll, expect } from 'vitest';
import { waitFor as waitForCondition } from '@murmur/devkit/testing';

export { freePort } from '@murmur/devkit/net';
export { PrivateNatsServer, sleep } from '@murmur/devkit/testing';
export {
  parseHeaders,
  startSmtpSink,
  type ReceivedMail,
  type SmtpSink,
} from '@murmur/devkit/smtp-sink';

/** Worker tests wait up to 15 s by default: they cross NATS, PostgreSQL and SMTP. */
export function waitFor<T>(
  check: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  return waitForCondition(check, { timeoutMs: 15_000, ...options });
}

export const testLogger: Logger = createLogger({
  service: 'worker-test',
  level: process.env.TEST_LOG_LEVEL ?? 'silent',
});

/** Timings for tests: everything short. */
export const TEST_TIMINGS: WorkerTimings = {
  ...DEFAULT_TIMINGS,
  relayPollMs: 200,
  publishTimeoutMs: 1000,
  relayLeaseMs: 2000,
  relayRetryBaseMs: 100,
  relayRetryMaxMs: 500,
  reconcileIntervalMs: 200,
  ackWaitMs: 2000,
  retryDelayMs: () => 100,
  pullExpiresMs: 2000,
  statsRefreshMs: 60_000,
  shutdownDeadlineMs: 3000,
};

export function testConfig(input: {
  databaseUrl: string;
  topology: EventTopology;
  natsUrl?: string;
  smtpUrl?: string;
  overrides?: Partial<WorkerConfig>;
  timings?: Partial<WorkerTimings>;
}): WorkerConfig {
  const config = loadConfig(
    {
      DATABASE_URL: input.databaseUrl,
      NATS_URL: input.natsUrl ?? process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
      PUBLIC_URL: 'https://murmur.test',
      SMTP_URL: input.smtpUrl,
      NATS_STREAM: input.topology.streamName,
      NATS_SUBJECT_PREFIX: input.topology.subjectPrefix,
      SMTP_TIMEOUT_MS: '1000',
    },
    tmpdir(),
  );
  return { ...config, ...input.overrides, timings: { ...TEST_TIMINGS, ...input.timings } };
}

export interface RunningWorker {
  worker: Worker;
  nats: NatsConnection;
  stop(): Promise<void>;
  /** Stops the worker, deletes the test's stream, closes the connection. */
  dispose(topology: EventTopology): Promise<void>;
}

export async function startWorker(
  config: WorkerConfig,
  database: Database,
  options: { mailer?: Mailer; start?: boolean } = {},
): Promise<RunningWorker> {
  const nats = await connectToNats({
    url: config.natsUrl,
    auth: config.natsAuth,
    name: 'worker-test',
    connectionOptions: {
      reconnectTimeWait: 200,
      reconnectJitter: 50,
      pingInterval: 2000,
      maxPingOut: 2,
    },
  });
  const worker = buildWorker({
    config,
    database,
    nats,
    logger: testLogger,
    ...(options.mailer ? { mailer: options.mailer } : {}),
  });
  if (options.start !== false) await worker.start();
  return {
    worker,
    nats,
    async stop() {
      await worker.stop();
      await nats.close();
    },
    async dispose(topology) {
      await worker.stop();
      await removeTopology(await jetstreamManager(nats), topology).catch(() => {});
      await nats.close();
    },
  };
}

function decodeQuotedPrintable(body: string): string {
  const bytes = body
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** The decoded text/plain and text/html parts of a (multipart/alternative) message. */
export function mailParts(raw: string): { text: string; html: string } {
  const parts: Record<string, string> = {};
  for (const chunk of raw.split(/\r?\n--[^\r\n]+\r?\n/)) {
    const headers = parseHeaders(chunk);
    const type = /^text\/(plain|html)/.exec(headers['content-type'] ?? '')?.[1];
    if (!type) continue;
    const body = chunk
      .slice(chunk.search(/\r?\n\r?\n/))
      .replace(/^\r?\n\r?\n/, '')
      .replace(/\r?\n--[^\r\n]*--\s*$/, '');
    const encoding = headers['content-transfer-encoding']?.toLowerCase();
    parts[type] =
      encoding === 'quoted-printable'
        ? decodeQuotedPrintable(body)
        : encoding === 'base64'
          ? Buffer.from(body, 'base64').toString('utf8')
          : body;
  }
  return { text: parts.plain ?? '', html: parts.html ?? '' };
}

/**
 * A real SMTP server on a random port that keeps what it receives. `replyDelayMs` delays the 250
 * after DATA (a slow or hung server) while the message is already stored.
 */

/** The SMTP mailer, failing with a clear (retryable) error the first time for each address in `failOnce`. */
export function flakyMailer(
  smtpUrl: string,
  failOnce: Set<string>,
): Mailer & { attempts: string[] } {
  const real = new SmtpMailer(smtpUrl, 2000);
  const attempts: string[] = [];
  return {
    description: 'flaky test mailer',
    attempts,
    async send(mail) {
      attempts.push(mail.to.address);
      if (failOnce.delete(mail.to.address)) {
        return { outcome: 'rejected', error: 'ECONNREFUSED (test)', permanent: false };
      }
      return real.send(mail);
    },
  };
}

/** A nats-server of the test's own (random port, file store in a temp dir) that it can stop and restart. */

/**
 * Waits until the pipeline is idle, then checks that `mentions` mentions gave exactly one mention
 * notification and one e-mail each (by Message-ID), and that every event in the outbox was processed
 * once by each consumer that owes it.
 */
export async function expectEachMentionOnce(
  database: Database,
  smtp: SmtpSink,
  mentions: number,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const count = async (query: string) =>
    Number((await database.pool.query<{ n: string }>(query)).rows[0]!.n);
  // What each consumer owes: the events of the types it handles (the consumers table).
  const handled = (name: string) =>
    `(${CONSUMERS.find((c) => c.name === name)!
      .handles.map((t) => `'${t}'`)
      .join(', ')})`;
  const owedBy = (name: string) =>
    `select count(*) as n from outbox_events o where o.type in ${handled(name)} and not exists (select 1 from processed_events p where p.consumer = '${name}' and p.event_id = o.id)`;
  const owed = async () => ({
    unpublished: await count(`select count(*) as n from outbox_events where status <> 'published'`),
    notifications: await count(owedBy(NOTIFICATIONS_CONSUMER)),
    statistics: await count(owedBy(STATISTICS_CONSUMER)),
  });
  let last = {};
  await waitFor(
    async () => {
      const o = await owed();
      last = { ...o, mails: smtp.received.length };
      return (
        o.unpublished + o.notifications + o.statistics === 0 && smtp.received.length >= mentions
      );
    },
    { timeoutMs: options.timeoutMs ?? 60_000, intervalMs: 200, what: 'the pipeline to be idle' },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; still owed: ${JSON.stringify(last)}`);
  });
  const statisticsEvents = await count(
    `select count(*) as n from outbox_events where type in ${handled(STATISTICS_CONSUMER)}`,
  );
  const mentionEvents = await count(
    `select count(*) as n from outbox_events where type = 'UserMentioned'`,
  );
  expect(mentionEvents).toBe(mentions);
  expect(
    await count(`select count(*) as n from processed_events where consumer = 'notifications'`),
  ).toBe(mentions);
  expect(
    await count(`select count(*) as n from processed_events where consumer = 'statistics'`),
  ).toBe(statisticsEvents);
  expect(
    await count(
      `select count(*) as n from (select distinct status_id, account_id from notifications where type = 'mention') m`,
    ),
  ).toBe(mentions);
  expect(await count(`select count(*) as n from notifications where type = 'mention'`)).toBe(
    mentions,
  );
  const messageIds = smtp.received.map((m) => m.headers['message-id']);
  expect(new Set(messageIds).size).toBe(mentions);
  expect(smtp.received).toHaveLength(mentions);
}

export interface MailingWorker {
  database: Database;
  config: WorkerConfig;
  smtp: SmtpSink;
  running: RunningWorker;
}

/**
 * Before the file's tests: a database of its own, an SMTP sink, and a started worker that sends to
 * it (through `flakyMailer(…, failOnce)` when `failOnce` is given: those addresses fail their first
 * attempt); after them, all three are gone. `use` receives them, for the file's variables.
 */
export function useMailingWorker(
  topology: EventTopology,
  use: (worker: MailingWorker) => void,
  options: {
    overrides?: Partial<WorkerConfig>;
    failOnce?: Set<string>;
    smtp?: Parameters<typeof startSmtpSink>[0];
    poolSize?: number;
  } = {},
): void {
  let cleanUp: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const testDb = await createTestDatabase(options.poolSize ? { poolSize: options.poolSize } : {});
    const smtp = await startSmtpSink(options.smtp);
    const config = testConfig({
      databaseUrl: testDb.url,
      topology,
      smtpUrl: smtp.url,
      ...(options.overrides ? { overrides: options.overrides } : {}),
    });
    const running = await startWorker(config, testDb.database, {
      ...(options.failOnce ? { mailer: flakyMailer(smtp.url, options.failOnce) } : {}),
    }).catch(async (error: unknown) => {
      await smtp.close();
      await testDb.destroy();
      throw error;
    });
    cleanUp = async () => {
      await running.dispose(topology);
      await smtp.close();
      await testDb.destroy();
    };
    use({ database: testDb.database, config, smtp, running });
  });
  afterAll(() => cleanUp?.());
}
