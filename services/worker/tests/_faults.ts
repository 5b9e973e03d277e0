/** Helpers of the fault tests (not a test file): their servers, posts with mentions, a stream's lost events. */
import { type Database } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import type { EventTopology } from '@murmur/events';
import { testNatsUrl, testTopology } from '@murmur/events/testing';
import type { SmtpSink } from '@murmur/devkit/smtp-sink';
import type { WorkerConfig, WorkerTimings } from '../src/config.js';
import { startSmtpSink, startWorker, testConfig, type RunningWorker } from './_helpers.js';

/** `count` posts by `author`, each mentioning a new account once. */
export async function mentionEach(
  database: Database,
  author: { id: string },
  count: number,
  label: string,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const mentioned = await createAccountFixture(database);
    await createStatus(database, {
      accountId: author.id,
      text: `${label} ${i} @${mentioned.username}`,
    });
  }
}

/**
 * Marks the outbox rows not yet published as published, as if the stream had stored them just before
 * it was lost: only the reconciler can bring them back.
 */
export async function markPendingEventsPublished(database: Database): Promise<number> {
  const { rowCount } = await database.pool.query(
    `update outbox_events set status = 'published', published_at = now(), next_attempt_at = now() + interval '1 hour', attempts = 0 where status = 'pending'`,
  );
  return rowCount ?? 0;
}

export interface FaultRig<Nats> {
  testDb: TestDatabase;
  database: Database;
  smtp: SmtpSink;
  nats: Nats;
  running: RunningWorker;
  topology: EventTopology;
  dispose(): Promise<void>;
}

/**
 * A test's own database, SMTP sink and NATS (a server or a cluster it may kill, wipe and restart),
 * and a worker in-process on them.
 */
export async function startFaultRig<Nats extends { url: string; dispose(): Promise<void> }>(
  startNats: () => Promise<Nats>,
  options: {
    overrides?: Partial<WorkerConfig>;
    timings?: Partial<WorkerTimings>;
    createDatabase?: () => Promise<TestDatabase>;
  } = {},
): Promise<FaultRig<Nats>> {
  const topology = testTopology();
  const testDb = await (options.createDatabase ?? (() => createTestDatabase()))();
  const smtp = await startSmtpSink();
  const nats = await startNats();
  const running = await startWorker(
    testConfig({
      databaseUrl: testDb.url,
      topology,
      natsUrl: nats.url,
      smtpUrl: smtp.url,
      ...(options.overrides ? { overrides: options.overrides } : {}),
      ...(options.timings ? { timings: options.timings } : {}),
    }),
    testDb.database,
  );
  return {
    testDb,
    database: testDb.database,
    smtp,
    nats,
    running,
    topology,
    async dispose() {
      await running.dispose(topology);
      await nats.dispose();
      await smtp.close();
      await testDb.destroy();
    },
  };
}

/** The shared NATS server as a rig's NATS (nothing to dispose: the rig deletes its own stream). */
export async function sharedNats(): Promise<{ url: string; dispose(): Promise<void> }> {
  return { url: testNatsUrl(), dispose: async () => {} };
}
