/**
 * R29: the worker as a real process, killed with SIGKILL in the middle of a backlog and restarted.
 * At the end every event is processed exactly once per consumer, and the numbers add up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Database } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import { getDailyStats, utcDay } from '@murmur/db/statistics';
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { connectToNats } from '@murmur/events/jetstream';
import { removeTopology, testNatsUrl, testTopology } from '@murmur/events/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { startSmtpSink, waitFor } from './_helpers.js';

const topology = testTopology();
const workerDir = fileURLToPath(new URL('..', import.meta.url));
let testDb: TestDatabase;
let database: Database;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
const children: ChildProcess[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = testDb.database;
  smtp = await startSmtpSink();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  const nc = await connectToNats({ url: testNatsUrl(), name: 'crash-test-cleanup' });
  await removeTopology(await jetstreamManager(nc), topology).catch(() => {});
  await nc.close();
  await smtp?.close();
  await testDb?.destroy();
});

function startWorkerProcess(): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'src/server.ts'],
    {
      cwd: workerDir,
      env: {
        ...process.env,
        DATABASE_URL: testDb.url,
        NATS_URL: testNatsUrl(),
        NATS_STREAM: topology.streamName,
        NATS_SUBJECT_PREFIX: topology.subjectPrefix,
        SMTP_URL: smtp.url,
        SMTP_TIMEOUT_MS: '1000',
        PUBLIC_URL: 'https://murmur.test',
        WORKER_PORT: '0',
        WORKER_ACK_WAIT_MS: '1000',
        RELAY_POLL_MS: '100',
        WORKER_CONCURRENCY: '4',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  children.push(child);
  return child;
}

async function processedCounts() {
  const { rows } = await database.pool.query<{ consumer: string; n: string }>(
    'select consumer, count(*) as n from processed_events group by consumer',
  );
  return Object.fromEntries(rows.map((r) => [r.consumer, Number(r.n)])) as Record<string, number>;
}

it('processes every event exactly once per consumer across a SIGKILL and a restart', async () => {
  const author = await createAccountFixture(database);
  const recipients = await Promise.all(
    Array.from({ length: 10 }, () => createAccountFixture(database)),
  );
  // 50 posts with one mention each: 100 events.
  for (let i = 0; i < 50; i++) {
    await createStatus(database, {
      accountId: author.id,
      text: `post ${i} @${recipients[i % 10]!.username}`,
    });
  }

  const first = startWorkerProcess();
  await waitFor(async () => ((await processedCounts()).statistics ?? 0) >= 10, {
    timeoutMs: 20_000,
    what: 'the first worker to be mid-batch',
  });
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  const before = await processedCounts();
  expect((before.statistics ?? 0) + (before.notifications ?? 0)).toBeLessThan(150);

  const second = startWorkerProcess();
  await waitFor(
    async () => {
      const counts = await processedCounts();
      return counts.statistics === 100 && counts.notifications === 50;
    },
    { timeoutMs: 25_000, what: 'every event processed' },
  );

  // Exactly once per consumer (the primary key guarantees no duplicate rows; the effects agree).
  const stats = (await getDailyStats(database.primary, utcDay(new Date())))!;
  expect(stats.posts).toBe(50);
  expect(stats.mentions).toBe(50);
  const notifications = await database.pool.query(
    `select 1 from notifications where type = 'mention'`,
  );
  expect(notifications.rowCount).toBe(50);
  const { rows: ledger } = await database.pool.query<{ status: string; n: string }>(
    'select status, count(*) as n from email_deliveries group by status',
  );
  const sentOrUnknown = ledger.reduce((sum, r) => sum + Number(r.n), 0);
  expect(sentOrUnknown).toBe(50);
  // At most one copy per delivery, except a send cut by the kill between 250 and the DB commit
  // (the documented residual window: at most one per kill).
  const copies =
    smtp.received.length - new Set(smtp.received.map((m) => m.headers['message-id'])).size;
  expect(copies).toBeLessThanOrEqual(1);

  const stopped = new Promise<number | null>((resolve) =>
    second.once('exit', (code) => resolve(code)),
  );
  second.kill('SIGTERM');
  expect(await stopped).toBe(0);
  // Two worker start-ups and the waits above (20 s + 25 s at most): the suite's default 30 s cut
  // the test short on a loaded machine before either wait could say what it was waiting for.
}, 90_000);
