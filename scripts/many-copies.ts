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
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createDatabase,
  createDatabaseIfMissing,
  issueAccessToken,
  migrateDatabase,
  NOTIFYING_EVENT_TYPES,
  registerApplication,
  type Database,
} from '@murmur/db';
import { createAccountFixture } from '@murmur/db/testing';
import { isolatedTopology } from '@murmur/events';
import { connectToNats } from '@murmur/events/jetstream';
import { removeTopology } from '@murmur/events/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { freePort } from '@murmur/devkit/net';
import { sleep } from '@murmur/devkit/testing';
import { startSmtpSink, type ReceivedMail } from '@murmur/devkit/smtp-sink';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TSX = import.meta.resolve('tsx');
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)}s`;
const log = (line: string) => console.log(`[many-copies ${elapsed().padStart(6)}] ${line}`);

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

const violations: string[] = [];
function check(ok: boolean, message: string): void {
  log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
  if (!ok) violations.push(message);
}

// --- Child processes ---------------------------------------------------------------------------------

interface Service {
  label: string;
  origin: string;
  child: ChildProcess;
  exited: Promise<void>;
}

const services = new Set<Service>();
// Children must not outlive this script, whatever ends it (a crash would leave them running).
process.on('exit', () => {
  for (const service of services) service.child.kill('SIGKILL');
});
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error) => {
    console.error(`[many-copies] ${event}:`, error);
    process.exit(1);
  });
}
let logDir = '';

async function startService(
  name: 'api' | 'worker' | 'frontend',
  label: string,
  env: Record<string, string>,
  port: number,
): Promise<Service> {
  const logFile = join(logDir, `${label}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--conditions=source', '--import', TSX, 'src/server.ts'], {
    cwd: join(root, 'services', name),
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: databaseUrl.toString(),
      PUBLIC_URL: 'http://localhost:3000',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const service: Service = { label, origin: `http://127.0.0.1:${port}`, child, exited };
  services.add(service);
  void exited.then(() => services.delete(service));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${label} exited before it was ready; see ${logFile}`);
    try {
      const response = await fetch(`${service.origin}/readyz`, {
        signal: AbortSignal.timeout(1000),
      });
      if (response.ok) return service;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${label} was not ready within 60 s; see ${logFile}`);
}

async function stopService(service: Service, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill(signal);
  const timer = setTimeout(() => service.child.kill('SIGKILL'), 8000);
  await service.exited;
  clearTimeout(timer);
}

// --- Posting over HTTP -------------------------------------------------------------------------------

interface Author {
  id: string;
  username: string;
  email: string;
  token: string;
}

interface Planned {
  author: Author;
  mentioned: Author[];
}

async function postStatus(apiOrigin: string, plan: Planned, index: number): Promise<string> {
  const text = `Post ${index} from the many-copies check ${plan.mentioned.map((a) => `@${a.username}`).join(' ')} #many`;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const response = await fetch(`${apiOrigin}/api/v1/statuses`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${plan.author.token}`,
          'content-type': 'application/json',
          'idempotency-key': `many-${run}-${index}`,
          'x-request-id': `many-${run}-${index}`,
        },
        body: JSON.stringify({ status: text }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await response.json()) as { id?: string; error?: string };
      if (response.ok && body.id) return body.id;
      if (response.status < 500 || attempt >= 3)
        throw new Error(`POST ${apiOrigin} answered ${response.status}: ${JSON.stringify(body)}`);
    } catch (error) {
      if (attempt >= 3) throw error;
    }
    await sleep(200 * attempt);
  }
}

async function inParallel<T>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next;
        next += 1;
        await work(items[index]!, index);
      }
    }),
  );
}

// --- Database checks ---------------------------------------------------------------------------------

async function count(database: Database, query: string, values: unknown[] = []): Promise<number> {
  const { rows } = await database.pool.query<{ n: string }>(query, values);
  return Number(rows[0]?.n ?? 0);
}

/** The event types each consumer processes (the worker's table, `services/worker/src/consumers.ts`). */
const OWED: Record<'notifications' | 'statistics', readonly string[]> = {
  notifications: NOTIFYING_EVENT_TYPES,
  statistics: ['PostCreated', 'UserMentioned', 'SignedIn'],
};

/** Outbox rows not yet published, events a consumer still owes, e-mails not finished. */
async function backlog(database: Database) {
  const owed = (consumer: keyof typeof OWED) =>
    count(
      database,
      `select count(*) as n from outbox_events o where o.type = any($2) and not exists
         (select 1 from processed_events p where p.consumer = $1 and p.event_id = o.id)`,
      [consumer, OWED[consumer]],
    );
  const [unpublished, notifications, statistics, emails] = await Promise.all([
    count(database, `select count(*) as n from outbox_events where status <> 'published'`),
    owed('notifications'),
    owed('statistics'),
    count(
      database,
      `select count(*) as n from email_deliveries where status in ('pending', 'sending')`,
    ),
  ]);
  return { unpublished, notifications, statistics, emails };
}

async function waitUntilIdle(database: Database, expectedEvents: number): Promise<boolean> {
  const deadline = Date.now() + IDLE_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    const events = await count(
      database,
      `select count(*) as n from outbox_events where type in ('PostCreated', 'UserMentioned')`,
    );
    const b = await backlog(database);
    const line = `outbox ${events}/${expectedEvents} events, unpublished ${b.unpublished}, owed: notifications ${b.notifications}, statistics ${b.statistics}; e-mails in flight ${b.emails}`;
    if (line !== last) log(`waiting: ${line}`);
    last = line;
    if (
      events >= expectedEvents &&
      b.unpublished + b.notifications + b.statistics + b.emails === 0
    ) {
      return true;
    }
    await sleep(500);
  }
  return false;
}

// --- The run -------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  logDir = await mkdtemp(join(tmpdir(), 'murmur-many-'));
  log(`run ${run}: database ${databaseUrl.pathname.slice(1)}, stream ${topology.streamName}`);
  log(`logs in ${logDir}`);
  await createDatabaseIfMissing(databaseUrl.toString());
  await migrateDatabase(databaseUrl.toString());
  const database = createDatabase({ url: databaseUrl.toString(), poolSize: 4 });
  const smtp = await startSmtpSink();
  try {
    await exercise(database, smtp);
  } finally {
    await Promise.all([...services].map((s) => stopService(s)));
    await smtp.close();
    await database.close();
  }
}

async function exercise(database: Database, smtp: Awaited<ReturnType<typeof startSmtpSink>>) {
  // Accounts and tokens, straight through @murmur/db (one app, one token per account).
  const { application } = await registerApplication(database, {
    name: 'many-copies check',
    redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
    scopes: ['read', 'write'],
  });
  const authors: Author[] = [];
  for (let i = 0; i < ACCOUNTS; i += 1) {
    const account = await createAccountFixture(database, {
      username: `many_${run}_${i}`,
      email: `many_${run}_${i}@example.test`,
    });
    const { accessToken } = await issueAccessToken(database, {
      applicationId: application.id,
      accountId: account.id,
      scopes: ['read', 'write'],
    });
    authors.push({
      id: account.id,
      username: account.username,
      email: account.email,
      token: accessToken,
    });
  }
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
    startService(
      'api',
      'api-1',
      { API_PORT: String(ports.api[0]), BCRYPT_COST: '10' },
      ports.api[0]!,
    ),
    startService(
      'api',
      'api-2',
      { API_PORT: String(ports.api[1]), BCRYPT_COST: '10' },
      ports.api[1]!,
    ),
    startService('worker', 'worker-1', workerEnv(ports.worker[0]!), ports.worker[0]!),
  ]);
  // The second worker after the first has created the stream (both would, but not at once).
  const [worker2, frontend] = await Promise.all([
    startService('worker', 'worker-2', workerEnv(ports.worker[1]!), ports.worker[1]!),
    startService(
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
      worker1!.child.kill('SIGKILL');
      killed = (async () => {
        await worker1!.exited;
        await sleep(2000);
        log('restarting worker-1');
        return startService('worker', 'worker-1b', workerEnv(ports.worker[0]!), ports.worker[0]!);
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
  const idle = await waitUntilIdle(database, expectedEvents);
  check(idle, `pipeline idle within ${IDLE_TIMEOUT_MS / 1000} s`);

  // 1. Every outbox event processed exactly once per consumer that owes it.
  const events = await count(database, 'select count(*) as n from outbox_events');
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
  const signIns = await count(
    database,
    `select count(*) as n from outbox_events where type = 'SignedIn'`,
  );
  for (const [consumer, owed] of [
    ['notifications', mentionEvents],
    ['statistics', postEvents + mentionEvents + signIns],
  ] as const) {
    const processed = await count(
      database,
      `select count(*) as n from processed_events p join outbox_events o on o.id = p.event_id where p.consumer = $1`,
      [consumer],
    );
    const distinct = await count(
      database,
      `select count(distinct event_id) as n from processed_events where consumer = $1`,
      [consumer],
    );
    const stray = await count(
      database,
      `select count(*) as n from processed_events p where p.consumer = $1 and not exists (select 1 from outbox_events o where o.id = p.event_id)`,
      [consumer],
    );
    check(
      processed === owed && distinct === owed && stray === 0,
      `${consumer}: ${processed} of ${owed} events processed, each once (${stray} unknown)`,
    );
  }

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
  const { rows: deliveries } = await database.pool.query<{
    status: string;
    message_id: string;
    email: string;
  }>(
    `select d.status, d.message_id, a.email from email_deliveries d join accounts a on a.id = d.recipient_account_id where d.kind = 'mention'`,
  );
  const byMessageId = new Map<string, ReceivedMail[]>();
  for (const mail of smtp.received) {
    const key = mail.headers['message-id'] ?? '(none)';
    byMessageId.set(key, [...(byMessageId.get(key) ?? []), mail]);
  }
  const duplicateMails = [...byMessageId.values()].filter((m) => m.length > 1).length;
  const known = new Set(deliveries.map((d) => d.message_id));
  const strayMails = smtp.received.filter(
    (m) => !m.headers['message-id'] || !known.has(m.headers['message-id']),
  ).length;
  let missingMails = 0;
  let wrongRecipient = 0;
  let unknownNotReceived = 0;
  for (const delivery of deliveries) {
    const mails = byMessageId.get(delivery.message_id) ?? [];
    if (mails.length === 0) {
      // A worker killed in the middle of an SMTP conversation leaves an `unknown` delivery that is
      // never resent (at most one e-mail): reported, not a violation.
      if (delivery.status === 'unknown') unknownNotReceived += 1;
      else missingMails += 1;
    } else if (
      !mails.every((m) => m.envelopeTo.join().toLowerCase() === delivery.email.toLowerCase())
    ) {
      wrongRecipient += 1;
    }
  }
  const statuses = deliveries.reduce<Record<string, number>>((acc, d) => {
    acc[d.status] = (acc[d.status] ?? 0) + 1;
    return acc;
  }, {});
  log(`e-mail ledger: ${JSON.stringify(statuses)}; SMTP sink received ${smtp.received.length}`);
  check(
    deliveries.length === expectedMentions &&
      duplicateMails === 0 &&
      missingMails === 0 &&
      strayMails === 0 &&
      wrongRecipient === 0,
    `${smtp.received.length} e-mails for ${expectedMentions} mentions: ${duplicateMails} duplicated, ${missingMails} missing, ${strayMails} unexpected, ${wrongRecipient} to the wrong address` +
      (unknownNotReceived > 0
        ? ` (${unknownNotReceived} cut off by the SIGKILL, recorded as unknown)`
        : ''),
  );

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
  violations.push(`the run failed: ${(error as Error).stack ?? String(error)}`);
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
  if (violations.length > 0) {
    exitCode = 1;
    log(`${violations.length} violation(s):`);
    for (const violation of violations) log(`  - ${violation}`);
  } else {
    log('all checks passed');
  }
  log(`finished in ${elapsed()}`);
}
process.exit(exitCode);
