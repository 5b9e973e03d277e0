/**
 * R30: posts created while NATS is unreachable wait in the outbox (the relay backs off) and are all
 * processed once NATS is back. The worker talks to a nats-server of this test's own.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Database } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { testTopology } from '@murmur/events/testing';
import { CONSUMERS_BY_EVENT_TYPE } from '../src/consumers.js';
import {
  PrivateNatsServer,
  sleep,
  startSmtpSink,
  startWorker,
  testConfig,
  waitFor,
  type RunningWorker,
} from './_helpers.js';

const topology = testTopology();
let testDb: TestDatabase;
let database: Database;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let nats: PrivateNatsServer;
let running: RunningWorker;

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = testDb.database;
  smtp = await startSmtpSink();
  nats = await PrivateNatsServer.start();
  running = await startWorker(
    testConfig({ databaseUrl: testDb.url, topology, natsUrl: nats.url, smtpUrl: smtp.url }),
    database,
  );
});

afterAll(async () => {
  await running?.stop();
  await nats?.dispose();
  await smtp?.close();
  await testDb?.destroy();
});

/** `consumer:count` of the events each consumer owes, from the outbox and the consumers table. */
async function owedPerConsumer(): Promise<string> {
  const { rows } = await database.pool.query<{ type: string }>('select type from outbox_events');
  const owed = new Map<string, number>();
  for (const { type } of rows) {
    for (const consumer of CONSUMERS_BY_EVENT_TYPE[type] ?? []) {
      owed.set(consumer, (owed.get(consumer) ?? 0) + 1);
    }
  }
  return [...owed]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([consumer, n]) => `${consumer}:${n}`)
    .join();
}

it('processes every post created during a NATS outage after NATS returns', async () => {
  const author = await createAccountFixture(database);
  const first = await createAccountFixture(database);
  await createStatus(database, { accountId: author.id, text: `before @${first.username}` });
  await waitFor(() => smtp.received.length === 1, { what: 'the first e-mail' });

  await nats.kill();
  const recipients = await Promise.all([1, 2, 3, 4, 5].map(() => createAccountFixture(database)));
  for (const r of recipients)
    await createStatus(database, { accountId: author.id, text: `during @${r.username}` });
  await waitFor(
    async () => {
      const { rows } = await database.pool.query(
        `select 1 from outbox_events where status = 'pending' and attempts > 0`,
      );
      return rows.length > 0;
    },
    { what: 'the relay to fail and back off' },
  );
  await sleep(500);
  expect(smtp.received).toHaveLength(1);

  await nats.start();
  await waitFor(() => smtp.received.length === 6, {
    timeoutMs: 20_000,
    what: 'the e-mails of the outage',
  });
  await waitFor(
    async () => {
      const { rows } = await database.pool.query<{ consumer: string; n: string }>(
        'select consumer, count(*) as n from processed_events group by consumer order by consumer',
      );
      return rows.map((r) => `${r.consumer}:${r.n}`).join() === (await owedPerConsumer());
    },
    { timeoutMs: 20_000, what: 'every event processed once per consumer' },
  );
  const { rows } = await database.pool.query(
    `select 1 from outbox_events where status = 'pending'`,
  );
  expect(rows).toHaveLength(0);
  expect(new Set(smtp.received.map((m) => m.headers['message-id'])).size).toBe(6);
});
