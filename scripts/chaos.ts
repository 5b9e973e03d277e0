/**
 * `pnpm test:chaos`: the chaos soak. Murmur on the infrastructure a larger deployment runs — a
 * three-node NATS JetStream cluster with a stream of three replicas and a PostgreSQL of its own — with
 * two APIs, two workers and the website as child processes, under a steady load of posts with
 * mentions, follows and favourites, while faults are injected in turn:
 *
 *   1. a worker SIGKILLed (restarted a few seconds later),
 *   2. the NATS node leading the stream SIGKILLed and restarted,
 *   3. every NATS node restarted with its storage wiped,
 *   4. PostgreSQL restarted,
 *   5. the SMTP server slowed to 30 s per message, then refusing connections, then back.
 *
 * After each fault a probe post mentioning a probe account is made, and the time from the fault to
 * its e-mail reaching the SMTP sink is that fault's heal time. At the end, from the database and the
 * sink: every committed mention has exactly one notification and one e-mail, every event was
 * processed once per consumer, the statistics equal a recount, and no process crashed. Prints the
 * figures; exits non-zero on any violation. Everything on loopback, bounded in time.
 *
 *   node --conditions=source --import tsx scripts/chaos.ts
 *
 * Environment: CHAOS_STEADY_SECONDS (load between two faults, default 6; `.ci/run` uses the default,
 * about 2 minutes in all; 60 or more for a soak by hand), CHAOS_POSTS_PER_SECOND (default 3),
 * CHAOS_ACCOUNTS (default 12), CHAOS_HEAL_TIMEOUT_SECONDS (default 90).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@murmur/db';
import { createDatabaseOnServer } from '@murmur/db/testing';
import { connectToNats } from '@murmur/events/jetstream';
import { jetstreamManager } from '@nats-io/jetstream';
import { freePort } from '@murmur/devkit/net';
import { PrivatePostgres } from '@murmur/devkit/postgres';
import { startSmtpSink, type SmtpSink } from '@murmur/devkit/smtp-sink';
import { PrivateNatsCluster, sleep } from '@murmur/devkit/testing';
import {
  apiCall,
  checkEmails,
  checkEventsProcessedOnce,
  checkMentionNotifications,
  checkStatisticsRecount,
  createAuthors,
  Fleet,
  Verdict,
  waitUntilIdle,
  type Author,
  type Service,
} from './lib/fleet.js';

const STEADY_MS = Number(process.env.CHAOS_STEADY_SECONDS ?? 6) * 1000;
const POSTS_PER_SECOND = Number(process.env.CHAOS_POSTS_PER_SECOND ?? 3);
const ACCOUNTS = Number(process.env.CHAOS_ACCOUNTS ?? 12);
const HEAL_TIMEOUT_MS = Number(process.env.CHAOS_HEAL_TIMEOUT_SECONDS ?? 90) * 1000;
const IDLE_TIMEOUT_MS = 180_000;
const STREAM = 'MURMUR_EVENTS';
type NatsConnection = Awaited<ReturnType<typeof connectToNats>>;

const run = randomBytes(3).toString('hex');
const verdict = new Verdict('chaos');
const { log, check } = verdict;

// --- Load ------------------------------------------------------------------------------------------

interface Load {
  stop(): Promise<void>;
  posts: number;
  follows: number;
  favourites: number;
  /** Requests that failed after their retries (expected during outages: the client tries again). */
  failed: number;
}

/**
 * Posts at a steady rate through both APIs (each with one or two mentions of other accounts), and
 * now and then a follow and a favourite of a post made earlier. Each post has its own Idempotency-Key,
 * so a retry after a 503 or a lost answer never posts twice.
 */
function startLoad(apis: () => Service[], authors: Author[]): Load {
  let stopping = false;
  const load: Load = {
    posts: 0,
    follows: 0,
    favourites: 0,
    failed: 0,
    async stop() {
      stopping = true;
      await Promise.all(inFlight);
    },
  };
  const inFlight = new Set<Promise<void>>();
  const recent: string[] = [];
  let index = 0;
  const api = () => {
    const live = apis();
    return live[index % live.length]!.origin;
  };
  const once = async (i: number) => {
    const author = authors[i % authors.length]!;
    const mentioned = [authors[(i + 1 + (i % 5)) % authors.length]!];
    if (i % 2 === 1) mentioned.push(authors[(i + 3 + (i % 7)) % authors.length]!);
    const text = `Chaos ${i} ${[...new Set(mentioned)].map((a) => `@${a.username}`).join(' ')}`;
    try {
      const status = await apiCall<{ id: string }>(api(), author, '/api/v1/statuses', {
        body: { status: text },
        key: `chaos-${run}-${i}`,
        requestId: `chaos-${run}-${i}`,
        attempts: 6,
      });
      load.posts += 1;
      recent.push(status.id);
      if (recent.length > 50) recent.shift();
      if (i % 3 === 0) {
        const target = recent[Math.floor(Math.random() * recent.length)]!;
        await apiCall(
          api(),
          authors[(i + 2) % authors.length]!,
          `/api/v1/statuses/${target}/favourite`,
          {
            attempts: 4,
          },
        );
        load.favourites += 1;
      }
      if (i % 4 === 0) {
        const followee = authors[(i * 7 + 1) % authors.length]!;
        if (followee.id !== author.id) {
          await apiCall(api(), author, `/api/v1/accounts/${followee.id}/follow`, { attempts: 4 });
          load.follows += 1;
        }
      }
    } catch {
      load.failed += 1;
    }
  };
  void (async () => {
    const intervalMs = 1000 / POSTS_PER_SECOND;
    let next = Date.now();
    while (!stopping) {
      const work = once(index++);
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
      next += intervalMs;
      await sleep(Math.max(0, next - Date.now()));
    }
  })();
  return load;
}

// --- Probes and faults -----------------------------------------------------------------------------

interface Heal {
  fault: string;
  seconds: number | null;
}

/**
 * A post mentioning the probe account, made as soon as an API accepts it, and the time from
 * `faultAt` until its e-mail is at the SMTP sink (null when it did not arrive in time).
 */
async function probe(
  fault: string,
  faultAt: number,
  apis: () => Service[],
  poster: Author,
  probeAccount: Author,
  smtp: SmtpSink,
): Promise<Heal> {
  const deadline = faultAt + HEAL_TIMEOUT_MS;
  // Only probes mention the probe account, and each fault waits for the previous probe's e-mail.
  const toProbe = () => smtp.received.filter((m) => m.envelopeTo.includes(probeAccount.email));
  const before = toProbe().length;
  const key = `chaos-${run}-probe-${fault.replace(/\W+/g, '-')}`;
  let statusId: string | undefined;
  while (!statusId && Date.now() < deadline) {
    try {
      statusId = (
        await apiCall<{ id: string }>(apis()[0]!.origin, poster, '/api/v1/statuses', {
          body: { status: `Probe after ${fault} @${probeAccount.username}` },
          key,
          attempts: 1,
        })
      ).id;
    } catch {
      await sleep(250);
    }
  }
  while (statusId && Date.now() < deadline) {
    const mail = toProbe()[before];
    if (mail) {
      const seconds = (mail.receivedAtEpochMs - faultAt) / 1000;
      log(`healed from "${fault}" in ${seconds.toFixed(1)} s (probe e-mail delivered)`);
      return { fault, seconds };
    }
    await sleep(200);
  }
  log(`"${fault}" not healed within ${HEAL_TIMEOUT_MS / 1000} s`);
  return { fault, seconds: null };
}

async function streamLeader(nc: NatsConnection): Promise<string | undefined> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const info = await (await jetstreamManager(nc)).streams.info(STREAM);
      if (info.cluster?.leader) return info.cluster.leader;
    } catch {
      // electing
    }
    await sleep(200);
  }
  return undefined;
}

// --- The run -----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const logDir = await mkdtemp(join(tmpdir(), 'murmur-chaos-'));
  log(`run ${run}; logs in ${logDir}`);
  const pg = await PrivatePostgres.start();
  const cluster = await PrivateNatsCluster.start();
  const smtp = await startSmtpSink();
  log(`PostgreSQL on :${pg.port}, NATS cluster ${cluster.url}, SMTP sink on :${smtp.port}`);
  const testDb = await createDatabaseOnServer(pg.url(), { poolSize: 4 });
  const fleet = new Fleet(logDir, { DATABASE_URL: testDb.url });
  const observer = await connectToNats({ url: cluster.url, name: 'chaos observer' });
  try {
    await exercise(testDb.database, fleet, cluster, pg, smtp, observer);
  } finally {
    await fleet.stopAll();
    await observer.close().catch(() => {});
    await smtp.close();
    await testDb.destroy();
    await cluster.dispose();
    await pg.dispose();
  }
}

async function exercise(
  database: Database,
  fleet: Fleet,
  cluster: PrivateNatsCluster,
  pg: PrivatePostgres,
  smtp: SmtpSink,
  observer: NatsConnection,
): Promise<void> {
  const authors = await createAuthors(database, `chaos_${run}`, ACCOUNTS + 2);
  const probeAccount = authors.pop()!;
  const prober = authors.pop()!;

  const ports = {
    api: [await freePort(), await freePort()],
    worker: [await freePort(), await freePort()],
    frontend: await freePort(),
  };
  const workerEnv = (port: number): Record<string, string> => ({
    WORKER_PORT: String(port),
    NATS_URL: cluster.url,
    NATS_STREAM: STREAM,
    NATS_STREAM_REPLICAS: '3',
    SMTP_URL: smtp.url,
    WORKER_CONCURRENCY: '8',
    WORKER_MAX_ACK_PENDING: '64',
    // A killed worker's messages come back after 5 s rather than 30 s.
    WORKER_ACK_WAIT_MS: '5000',
    RELAY_POLL_MS: '200',
    RECONCILE_AFTER_SECONDS: '30',
  });
  const apiEnv = (port: number) => ({ API_PORT: String(port), BCRYPT_COST: '10' });
  const [api1, api2, worker1] = await Promise.all([
    fleet.start('api', 'api-1', apiEnv(ports.api[0]!), ports.api[0]!),
    fleet.start('api', 'api-2', apiEnv(ports.api[1]!), ports.api[1]!),
    fleet.start('worker', 'worker-1', workerEnv(ports.worker[0]!), ports.worker[0]!),
  ]);
  await Promise.all([
    fleet.start('worker', 'worker-2', workerEnv(ports.worker[1]!), ports.worker[1]!),
    fleet.start(
      'frontend',
      'frontend',
      { FRONTEND_PORT: String(ports.frontend), API_INTERNAL_URL: api1.origin },
      ports.frontend,
    ),
  ]);
  log('started api-1, api-2, worker-1, worker-2 and the website');
  const apis = () => [api1, api2];

  const load = startLoad(apis, authors);
  const heals: Heal[] = [];
  const steady = async () => {
    await sleep(STEADY_MS);
    log(`load so far: ${load.posts} posts, ${load.follows} follows, ${load.favourites} favourites`);
  };
  const healFrom = async (fault: string, faultAt: number) => {
    heals.push(await probe(fault, faultAt, apis, prober, probeAccount, smtp));
  };

  await steady();

  // 1. A worker SIGKILLed, restarted a few seconds later.
  let faultAt = Date.now();
  log(`fault: SIGKILL worker-1 (pid ${worker1.child.pid})`);
  await fleet.stop(worker1, 'SIGKILL');
  const healing = healFrom('worker SIGKILLed', faultAt);
  await sleep(3_000);
  await fleet.start('worker', 'worker-1b', workerEnv(ports.worker[0]!), ports.worker[0]!);
  await healing;
  await steady();

  // 2. The node leading the stream SIGKILLed, restarted.
  const leader = await streamLeader(observer);
  check(leader !== undefined, `the stream has a leader (${leader})`);
  if (leader) {
    faultAt = Date.now();
    log(`fault: SIGKILL the stream leader ${leader}`);
    const node = cluster.node(leader);
    await node.kill();
    const healingLeader = healFrom('stream leader SIGKILLed', faultAt);
    await sleep(5_000);
    await node.start();
    await healingLeader;
    log(`new stream leader: ${await streamLeader(observer)}`);
  }
  await steady();

  // 3. Every NATS node restarted on wiped storage.
  faultAt = Date.now();
  log('fault: every NATS node killed, its storage deleted, restarted');
  await cluster.wipeAll();
  await sleep(2_000);
  await cluster.startAll();
  await healFrom('NATS cluster wiped', faultAt);
  await steady();

  // 4. PostgreSQL restarted.
  faultAt = Date.now();
  log('fault: PostgreSQL restarted (3 s down)');
  const restart = pg.restart(3_000);
  const healingDb = healFrom('PostgreSQL restarted', faultAt);
  await restart;
  await healingDb;
  await steady();

  // 5. The SMTP server slowed to 30 s per message, then refusing connections, then back.
  faultAt = Date.now();
  log('fault: SMTP server answers 30 s late');
  smtp.setReplyDelay(30_000);
  await healFrom('SMTP 30 s per message', faultAt);
  await sleep(STEADY_MS);
  faultAt = Date.now();
  log('fault: SMTP server refuses connections');
  smtp.setReplyDelay(0);
  await smtp.refuseConnections();
  const healingSmtp = healFrom('SMTP refusing connections', faultAt);
  await sleep(8_000);
  await smtp.acceptConnections();
  await healingSmtp;
  await steady();

  await load.stop();
  log(
    `load stopped: ${load.posts} posts, ${load.follows} follows, ${load.favourites} favourites (${load.failed} given up by the client)`,
  );
  const idle = await waitUntilIdle(database, log, { timeoutMs: IDLE_TIMEOUT_MS });
  check(idle, `pipeline idle within ${IDLE_TIMEOUT_MS / 1000} s`);

  await checkEventsProcessedOnce(database, check);
  const mentions = await checkMentionNotifications(database, check);
  await checkEmails(database, smtp, mentions, check, log);
  await checkStatisticsRecount(database, check);
  check(
    fleet.crashes.length === 0,
    `no process crashed${fleet.crashes.length ? `: ${fleet.crashes.join('; ')}` : ''}`,
  );
  check(
    load.posts > 0 && load.follows > 0 && load.favourites > 0,
    'the load posted, followed and favourited',
  );

  log('heal times (fault → the probe post e-mailed):');
  for (const heal of heals) {
    log(
      `  ${heal.fault.padEnd(28)} ${heal.seconds === null ? 'NOT HEALED' : `${heal.seconds.toFixed(1)} s`}`,
    );
  }
  check(
    heals.every((h) => h.seconds !== null),
    `every fault healed within ${HEAL_TIMEOUT_MS / 1000} s`,
  );
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  verdict.violations.push(`the run failed: ${(error as Error).stack ?? String(error)}`);
} finally {
  exitCode = verdict.finish();
}
process.exit(exitCode);
