/**
 * Benchmark (not a test): pipeline latency from the post's commit to the e-mail being accepted by an
 * SMTP sink, at a steady rate, and the worker's throughput draining a backlog.
 *
 *   node --conditions=source --import tsx scripts/measure-pipeline.ts [posts] [posts-per-second]
 *
 * Uses local PostgreSQL and NATS (TEST_DATABASE_URL / TEST_NATS_URL), its own database and stream.
 */
import { performance } from 'node:perf_hooks';
import { createStatus } from '@murmur/db/statuses';
import { createAccountFixture, createTestDatabase } from '@murmur/db/testing';
import { removeTopology, testTopology } from '@murmur/events/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { sleep, startSmtpSink, startWorker, testConfig, waitFor } from '../tests/_helpers.js';

const posts = Number(process.argv[2] ?? 1000);
const rate = Number(process.argv[3] ?? 100);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const testDb = await createTestDatabase({ poolSize: 20 });
const { database } = testDb;
const topology = testTopology();
const smtp = await startSmtpSink();
const config = testConfig({
  databaseUrl: testDb.url,
  topology,
  smtpUrl: smtp.url,
  overrides: { concurrency: 8 },
  timings: { relayPollMs: 1000, reconcileIntervalMs: 30_000, ackWaitMs: 30_000 },
});
const running = await startWorker(config, database);

try {
  const author = await createAccountFixture(database);
  const recipients = [];
  for (let i = 0; i < posts; i++) recipients.push(await createAccountFixture(database));

  // 1. Latency at a steady rate: one post with one mention every 1/rate s.
  const committedAt = new Map<string, number>();
  const start = performance.now();
  for (let i = 0; i < posts; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const recipient = recipients[i]!;
    await createStatus(database, {
      accountId: author.id,
      text: `latency ${i} @${recipient.username}`,
    });
    committedAt.set(recipient.email, performance.now());
  }
  await waitFor(() => smtp.received.length >= posts, { timeoutMs: 120_000, what: 'every e-mail' });
  const latencies = smtp.received
    .map((m) => m.receivedAt - committedAt.get(m.envelopeTo[0]!)!)
    .sort((a, b) => a - b);
  console.log(`latency commit → SMTP accepted, ${posts} posts at ${rate}/s:`);
  console.log(
    `  median ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`,
  );

  // 2. Throughput: a backlog written while the worker is stopped, then drained.
  await running.worker.stop();
  const backlogStart = smtp.received.length;
  for (let i = 0; i < posts; i++) {
    await createStatus(database, {
      accountId: author.id,
      text: `backlog ${i} @${recipients[i]!.username}`,
    });
  }
  const { rows } = await database.pool.query<{ n: string }>(
    'select count(*) as n from processed_events',
  );
  const processedBefore = Number(rows[0]!.n);
  const drainStart = performance.now();
  await running.worker.start();
  const events = posts * 2; // PostCreated + UserMentioned
  const deliveries = posts * 3; // statistics ×2, notifications ×1
  await waitFor(
    async () => {
      const r = await database.pool.query<{ n: string }>(
        'select count(*) as n from processed_events',
      );
      return Number(r.rows[0]!.n) - processedBefore >= deliveries;
    },
    { timeoutMs: 300_000, intervalMs: 20, what: 'the backlog to drain' },
  );
  const seconds = (performance.now() - drainStart) / 1000;
  console.log(
    `throughput draining ${events} events (${posts} e-mails, ${smtp.received.length - backlogStart} received):`,
  );
  console.log(
    `  ${(events / seconds).toFixed(0)} events/s (${seconds.toFixed(2)} s, concurrency ${config.concurrency} per consumer)`,
  );
} finally {
  await running.worker.stop();
  await removeTopology(await jetstreamManager(running.nats), topology).catch(() => {});
  await running.nats.close();
  await smtp.close();
  await testDb.destroy();
}
