/**
 * R34: the outbox is the source of truth. An event that JetStream lost after acknowledging it (here:
 * deleted from the stream before any consumer saw it) is republished by the reconciler and then
 * processed exactly once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Database } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { testTopology } from '@murmur/events/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { CONSUMERS_BY_EVENT_TYPE } from '../src/consumers.js';
import { ensureWorkerTopology } from '../src/topology.js';
import { startSmtpSink, startWorker, testConfig, waitFor, type RunningWorker } from './_helpers.js';

const topology = testTopology();
let testDb: TestDatabase;
let database: Database;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let running: RunningWorker;

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = testDb.database;
  smtp = await startSmtpSink();
});

afterAll(async () => {
  await running?.dispose(topology);
  await smtp?.close();
  await testDb?.destroy();
});

it('republishes an event missing from the stream and processes it once', async () => {
  const config = testConfig({
    databaseUrl: testDb.url,
    topology,
    smtpUrl: smtp.url,
    overrides: { duplicateWindowMs: 1000, reconcileAfterMs: 500 },
  });
  // Publish with the relay while no consumer runs, then lose the messages.
  running = await startWorker(config, database, { start: false });
  const jsm = await jetstreamManager(running.nats);
  await ensureWorkerTopology(jsm, topology, {
    duplicateWindowMs: config.duplicateWindowMs,
    ackWaitMs: config.timings.ackWaitMs,
    maxDeliver: config.timings.maxDeliver,
    maxAckPending: config.maxAckPending,
  });
  const author = await createAccountFixture(database);
  const bob = await createAccountFixture(database);
  await createStatus(database, { accountId: author.id, text: `lost @${bob.username}` });
  expect(await running.worker.relay.pass()).toBe(2);
  const { rows: published } = await database.pool.query<{ stream_seq: string }>(
    'select stream_seq from outbox_events',
  );
  for (const row of published)
    await jsm.streams.deleteMessage(topology.streamName, Number(row.stream_seq));
  expect((await jsm.streams.info(topology.streamName)).state.messages).toBe(0);

  await running.worker.start();
  await waitFor(() => smtp.received.length === 1, { what: 'the republished mention e-mail' });
  // Every consumer that owes one of the two lost events (the consumers table says which).
  const owed =
    (CONSUMERS_BY_EVENT_TYPE.PostCreated ?? []).length +
    (CONSUMERS_BY_EVENT_TYPE.UserMentioned ?? []).length;
  await waitFor(
    async () =>
      (
        await database.pool.query(
          `select 1 from processed_events p join outbox_events o on o.id = p.event_id
           where o.type in ('PostCreated', 'UserMentioned')`,
        )
      ).rowCount === owed,
    { what: 'PostCreated and UserMentioned processed by every consumer that owes them' },
  );
  // The two lost events were republished (the NotificationCreated written since was not lost).
  const { rows } = await database.pool.query<{ republish_count: number }>(
    `select republish_count from outbox_events where type in ('PostCreated', 'UserMentioned')`,
  );
  expect(rows).toHaveLength(2);
  expect(rows.every((r) => r.republish_count >= 1)).toBe(true);
  const notifications = await database.pool.query(
    'select 1 from notifications where account_id = $1',
    [bob.id],
  );
  expect(notifications.rowCount).toBe(1);
  const stats = await database.pool.query<{ posts: number; mentions: number }>(
    'select posts, mentions from daily_stats',
  );
  expect(stats.rows).toEqual([{ posts: 1, mentions: 1 }]);
});
