/**
 * `pnpm test:many-copies`: many copies of Murmur on one machine, checked end to end.
 *
 * Starts its own database and JetStream stream, an SMTP sink, TWO api processes, TWO worker processes
 * and ONE website, creates accounts and tokens through `@murmur/db`, then posts a few thousand
 * statuses with mentions through both APIs at once over HTTP while one worker is killed with SIGKILL
 * and restarted. When the pipeline is idle it checks that every event was processed exactly once by
 * each consumer that owes it, that every mention gave exactly one notification (announced once by
 * NotificationCreated) and one e-mail (by Message-ID), and that the daily statistics count every
 * post, mention and login once. Exits non-zero on any violation and
 * removes its database, stream and processes.
 *
 *   node --conditions=source --import tsx scripts/many-copies.ts
 *
 * Environment: DATABASE_URL (server to use, default postgres://postgres@127.0.0.1:5432), NATS_URL,
 * MANY_POSTS (default 2000), MANY_ACCOUNTS (default 40), MANY_CONCURRENCY (default 16).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDatabase,
  createDatabaseIfMissing,
  migrateDatabase,
  type Database,
} from '@murmur/db';
import { isolatedTopology } from '@murmur/events';
import { connectToNats } from '@murmur/events/jetstream';
import { removeTopology } from '@murmur/events/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { freePort } from '@murmur/devkit/net';
import { sleep } from '@murmur/devkit/testing';
import { startSmtpSink } from '@murmur/devkit/smtp-sink';
import {
  apiCall,
  checkEmails,
  checkEventsProcessedOnce,
  count,
  createAuthors,
  Fleet,
  Verdict,
  inParallel,
  waitUntilIdle,
  type Author,
  type Service,
} from './lib/fleet.js';

const verdict = new Verdict('many-copies');
const { log, check } = verdict;

const POSTS = Number(process.env.MANY_POSTS ?? 2000);
const ACCOUNTS = Number(process.env.MANY_ACCOUNTS ?? 40);
const CONCURRENCY = Number(process.env.MANY_CONCURRENCY ?? 16);
const IDLE_TIMEOUT_MS = 90_000;

const run = randomBytes(4).toString('hex');
const serverUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/murmur');
const databaseUrl = new URL(serverUrl);
databaseUrl.pathname = `/murmur_many_${run}`;
const adminUrl = new URL(serverUrl);
adminUrl.pathname = '/postgres';
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const topology = isolatedTopology(`many${run}`);

let fleet: Fleet;

interface Planned {
  author: Author;
  mentioned: Author[];
}

function postStatus(apiOrigin: string, plan: Planned, index: number): Promise<string> {
  const text = `Post ${index} from the many-copies check ${plan.mentioned.map((a) => `@${a.username}`).join(' ')} #many`;
  return apiCall<{ id: string }>(apiOrigin, plan.author, '/api/v1/statuses', {
    body: { status: text },
    key: `many-${run}-${index}`,
    requestId: `many-${run}-${index}`,
  }).then((body) => body.id);
}

// --- The run -------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const logDir = await mkdtemp(join(tmpdir(), 'murmur-many-'));
  fleet = new Fleet(logDir, { DATABASE_URL: databaseUrl.toString() });
  log(`run ${run}: database ${databaseUrl.pathname.slice(1)}, stream ${topology.streamName}`);
  log(`logs in ${logDir}`);
  await createDatabaseIfMissing(databaseUrl.toString());
  await migrateDatabase(databaseUrl.toString());
  const database = createDatabase({ url: databaseUrl.toString(), poolSize: 4 });
  const smtp = await startSmtpSink();
  try {
    await exercise(database, smtp);
  } finally {
    await fleet.stopAll();
    await smtp.close();
    await database.close();
  }
}

async function exercise(database: Database, smtp: Awaited<ReturnType<typeof startSmtpSink>>) {
  // Accounts and tokens, straight through @murmur/db (one app, one token per account).
  const authors = await createAuthors(database, `many_${run}`, ACCOUNTS);
  // Each post mentions one or two other accounts (never its author): 1.5 mentions per post.
  const plans: Planned[] = Array.from({ length: POSTS }, (_, i) => {
    const author = authors[i % ACCOUNTS]!;
    const first = authors[(i + 1 + (i % 7)) % ACCOUNTS]!;
    const second = authors[(i + 3 + (i % 11)) % ACCOUNTS]!;
    const mentioned = i % 2 === 0 ? [first] : [first, second];
    return { author, mentioned: [...new Set(mentioned)].filter((a) => a.id !== author.id) };
  });
  const expectedMentions = plans.reduce((sum, p) => sum + p.mentioned.length, 0);
  log(`${ACCOUNTS} accounts with tokens; ${POSTS} posts with ${expectedMentions} mentions planned`);

  // Two APIs, two workers, one website.
  const ports = {
    api: [await freePort(), await freePort()],
    worker: [await freePort(), await freePort()],
    frontend: await freePort(),
  };
  const workerEnv = (port: number): Record<string, string> => ({
    WORKER_PORT: String(port),
    NATS_URL: natsUrl,
    NATS_STREAM: topology.streamName,
    NATS_SUBJECT_PREFIX: topology.subjectPrefix,
    SMTP_URL: smtp.url,
    SMTP_TIMEOUT_MS: '2000',
    WORKER_CONCURRENCY: '8',
    WORKER_MAX_ACK_PENDING: '64',
    // A killed worker's messages come back after 5 s rather than 30 s.
    WORKER_ACK_WAIT_MS: '5000',
    RELAY_POLL_MS: '200',
    RECONCILE_AFTER_SECONDS: '20',
  });
  const [api1, api2, worker1] = await Promise.all([
    fleet.start(
      'api',
      'api-1',
      { API_PORT: String(ports.api[0]), BCRYPT_COST: '10' },
      ports.api[0]!,
    ),
    fleet.start(
      'api',
      'api-2',
      { API_PORT: String(ports.api[1]), BCRYPT_COST: '10' },
      ports.api[1]!,
    ),
    fleet.start('worker', 'worker-1', workerEnv(ports.worker[0]!), ports.worker[0]!),
  ]);
  // The second worker after the first has created the stream (both would, but not at once).
  const [worker2, frontend] = await Promise.all([
    fleet.start('worker', 'worker-2', workerEnv(ports.worker[1]!), ports.worker[1]!),
    fleet.start(
      'frontend',
      'frontend',
      { FRONTEND_PORT: String(ports.frontend), API_INTERNAL_URL: api1!.origin },
      ports.frontend,
    ),
  ]);
  log('started api-1, api-2, worker-1, worker-2 and the website');

  // Post through both APIs at once; kill worker-1 with SIGKILL a third of the way, restart it later.
  const apis = [api1!, api2!];
  const statusIds: string[] = new Array<string>(POSTS);
  const failures: string[] = [];
  let done = 0;
  let killed: Promise<Service> | undefined;
  const postingStarted = performance.now();
  await inParallel(plans, CONCURRENCY, async (plan, index) => {
    try {
      statusIds[index] = await postStatus(apis[index % 2]!.origin, plan, index);
    } catch (error) {
      failures.push((error as Error).message);
    }
    done += 1;
    if (done === Math.floor(POSTS / 3) && !killed) {
      log(`killing worker-1 (pid ${worker1!.child.pid}) with SIGKILL after ${done} posts`);
      void fleet.stop(worker1!, 'SIGKILL');
      killed = (async () => {
        await worker1!.exited;
        await sleep(2000);
        log('restarting worker-1');
        return fleet.start('worker', 'worker-1b', workerEnv(ports.worker[0]!), ports.worker[0]!);
      })();
    }
    if (done % 500 === 0) log(`${done} posts created`);
  });
  const postingSeconds = (performance.now() - postingStarted) / 1000;
  log(
    `${POSTS - failures.length} posts created in ${postingSeconds.toFixed(1)} s (${((POSTS - failures.length) / postingSeconds).toFixed(0)}/s)`,
  );
  check(
    failures.length === 0,
    `every POST succeeded (${failures.length} failed${failures[0] ? `: ${failures[0]}` : ''})`,
  );
  const restarted = (await killed) ?? worker2!;

  const expectedEvents = POSTS - failures.length + expectedMentions;
  const idle = await waitUntilIdle(database, log, { expectedEvents, timeoutMs: IDLE_TIMEOUT_MS });
  check(idle, `pipeline idle within ${IDLE_TIMEOUT_MS / 1000} s`);

  // 1. Every outbox event processed exactly once per consumer that owes it.
  const mentionEvents = await count(
    database,
    `select count(*) as n from outbox_events where type = 'UserMentioned'`,
  );
  const postEvents = await count(
    database,
    `select count(*) as n from outbox_events where type = 'PostCreated'`,
  );
  check(
    postEvents === POSTS && mentionEvents === expectedMentions,
    `outbox holds ${postEvents} PostCreated (expected ${POSTS}) and ${mentionEvents} UserMentioned (expected ${expectedMentions})`,
  );
  // Posts, mentions and the notifications they caused carry the request id of their POST.
  const caused = await count(
    database,
    `select count(*) as n from outbox_events where type in ('PostCreated', 'UserMentioned', 'NotificationCreated')`,
  );
  const traced = await count(
    database,
    `select count(*) as n from outbox_events where payload->>'requestId' like $1`,
    [`many-${run}-%`],
  );
  check(traced === caused, `${traced} of ${caused} events carry the X-Request-Id of their POST`);
  await checkEventsProcessedOnce(database, check);

  // 2. Exactly one mention notification per (post, mentioned account).
  const { rows: notificationRows } = await database.pool.query<{
    status_id: string;
    account_id: string;
    n: string;
  }>(
    `select status_id, account_id, count(*) as n from notifications where type = 'mention' group by 1, 2`,
  );
  const notified = new Map(
    notificationRows.map((r) => [`${r.status_id}:${r.account_id}`, Number(r.n)]),
  );
  let missingNotifications = 0;
  let duplicateNotifications = 0;
  plans.forEach((plan, index) => {
    const statusId = statusIds[index];
    if (!statusId) return;
    for (const mentioned of plan.mentioned) {
      const n = notified.get(`${statusId}:${mentioned.id}`) ?? 0;
      if (n === 0) missingNotifications += 1;
      if (n > 1) duplicateNotifications += 1;
    }
  });
  check(
    missingNotifications === 0 &&
      duplicateNotifications === 0 &&
      notificationRows.length === expectedMentions,
    `${notificationRows.length} mention notifications for ${expectedMentions} mentions (${missingNotifications} missing, ${duplicateNotifications} duplicated)`,
  );
  const announced = await count(
    database,
    `select count(distinct (payload->'data'->>'accountId', payload->'data'->>'statusId')) as n
     from outbox_events where type = 'NotificationCreated' and payload->'data'->>'type' = 'mention'`,
  );
  const announcements = await count(
    database,
    `select count(*) as n from outbox_events where type = 'NotificationCreated'`,
  );
  check(
    announced === notificationRows.length && announcements === notificationRows.length,
    `${announcements} NotificationCreated events for ${notificationRows.length} notifications, each announced once`,
  );

  // 3. Exactly one e-mail per mention, by Message-ID.
  await checkEmails(database, smtp, expectedMentions, check, log);

  // 4. Daily statistics count every post and mention once.
  const { rows: stats } = await database.pool.query<{
    posts: string | null;
    mentions: string | null;
    logins: string | null;
  }>(
    'select sum(posts) as posts, sum(mentions) as mentions, sum(logins) as logins from daily_stats',
  );
  const statPosts = Number(stats[0]?.posts ?? 0);
  const statMentions = Number(stats[0]?.mentions ?? 0);
  const statLogins = Number(stats[0]?.logins ?? 0);
  check(
    statPosts === POSTS && statMentions === expectedMentions && statLogins === ACCOUNTS,
    `daily statistics: ${statPosts} posts (expected ${POSTS}), ${statMentions} mentions (expected ${expectedMentions}), ${statLogins} logins (expected ${ACCOUNTS}, one token each)`,
  );

  // 5. Every copy serves its metrics.
  for (const [service, names] of [
    [api2!, ['http_request_duration_seconds_count', 'route="/api/v1/statuses"']],
    [frontend!, ['http_request_duration_seconds', 'process_resident_memory_bytes']],
    [
      worker2!,
      ['murmur_events_processed_total', 'murmur_outbox_pending_events', 'murmur_emails_total'],
    ],
    [restarted, ['murmur_consumer_pending_messages', 'murmur_event_processing_lag_seconds']],
  ] as const) {
    const text = await fetch(`${service.origin}/metrics`).then((r) => r.text());
    const missing = names.filter((name) => !text.includes(name));
    check(missing.length === 0, `${service.label} /metrics has ${names.join(', ')}`);
  }
  const processedBy = await Promise.all(
    [worker2!, restarted].map(async (service) => {
      const text = await fetch(`${service.origin}/metrics`).then((r) => r.text());
      return [...text.matchAll(/^murmur_events_processed_total\{[^}]*\} (\d+)/gm)].reduce(
        (sum, m) => sum + Number(m[1]),
        0,
      );
    }),
  );
  log(
    `events handled: worker-2 ${processedBy[0]}, restarted worker-1 ${processedBy[1]} (the killed one's share is gone with it)`,
  );
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  verdict.violations.push(`the run failed: ${(error as Error).stack ?? String(error)}`);
} finally {
  try {
    const nc = await connectToNats({ url: natsUrl, name: 'many-copies cleanup' });
    await removeTopology(await jetstreamManager(nc), topology);
    await nc.close();
  } catch (error) {
    log(`could not delete stream ${topology.streamName}: ${(error as Error).message}`);
  }
  const admin = createDatabase({ url: adminUrl.toString(), poolSize: 1 });
  try {
    await admin.pool.query(
      `drop database if exists "${databaseUrl.pathname.slice(1)}" with (force)`,
    );
  } catch (error) {
    log(`could not drop the database: ${(error as Error).message}`);
  } finally {
    await admin.close();
  }
  exitCode = verdict.finish();
}
process.exit(exitCode);
