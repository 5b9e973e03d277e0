/**
 * Web Push through the real worker (issue 22): mentions committed at a fixed rate (100/s by
 * default), each to a person whose app subscribed to Web Push at a push service on loopback (the
 * devkit's test push service, which verifies every VAPID JWT and decrypts every payload, as a
 * browser would). Measures commit → push received (p50/p99), then the pushes per second one worker
 * delivers when a burst of mentions arrives at once. Its own database (`murmur_bench_push`) and
 * stream; prints the load average beside the figures (the machine may be shared).
 *
 *   pnpm --filter @murmur/bench push [--duration 10] [--pipeline-rate 100]
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import { issueAccessToken, registerApplication } from '@murmur/db/auth';
import { subscribeWebPush } from '@murmur/db/notifications';
import { startTestPushService, type TestPushService } from '@murmur/devkit/web-push-service';
import { sealAccessToken } from '@murmur/service-kit';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type pg from 'pg';
import { parseArguments } from './options.js';
import { startService } from './services.js';
import { summarize } from './stats.js';
import { openBenchDatabase } from './bench-database.js';
import { untilDue } from './open-load.js';

const RECIPIENTS = 200;
const BURST_STATUSES = 300;
const MENTIONS_PER_BURST_STATUS = 10;

function vapidKeys(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pub = publicKey.export({ format: 'jwk' });
  return {
    publicKey: Buffer.concat([
      Buffer.from([4]),
      Buffer.from(pub.x!, 'base64url'),
      Buffer.from(pub.y!, 'base64url'),
    ]).toString('base64url'),
    privateKey: privateKey.export({ format: 'jwk' }).d!,
  };
}

interface Setup {
  authorId: string;
  recipients: string[];
}

async function setUp(
  database: ReturnType<typeof createDatabase>,
  client: pg.Client,
  service: TestPushService,
  vapid: { privateKey: string },
): Promise<Setup> {
  // Fresh people and subscriptions each run (the push service's keys live in this process).
  await client.query(`delete from accounts where username like 'pb_%'`);
  await client.query(`insert into accounts (username, email, password_hash)
    select 'pb_' || g, 'pb_' || g || '@bench.invalid', 'x' from generate_series(0, ${RECIPIENTS}) g`);
  const { rows } = await client.query<{ id: string; username: string }>(
    `select id::text, username from accounts where username like 'pb_%' order by id`,
  );
  const { application } = await registerApplication(database, {
    name: 'Push bench',
    website: null,
    redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
    scopes: ['read', 'push'],
  });
  const recipients = rows.filter((row) => row.username !== 'pb_0');
  for (const recipient of recipients) {
    const { accessToken, token } = await issueAccessToken(database, {
      applicationId: application.id,
      accountId: recipient.id,
      scopes: ['read', 'push'],
    });
    const browser = service.subscribe();
    await subscribeWebPush(database, {
      accountId: recipient.id,
      accessTokenId: token.id,
      endpoint: browser.endpoint,
      keys: browser.keys,
      standard: true,
      alerts: { mention: true },
      policy: 'all',
      accessTokenSealed: sealAccessToken(vapid.privateKey, accessToken),
    });
  }
  return {
    authorId: rows.find((row) => row.username === 'pb_0')!.id,
    recipients: recipients.map((row) => row.username),
  };
}

/** The marker each status carries, read back from the decrypted payload's body. */
const markerOf = (payload: string | null): string | undefined =>
  payload ? /\bpm(\d+)\b/.exec(JSON.parse(payload).body as string)?.[0] : undefined;

async function waitForPushes(service: TestPushService, count: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (service.received.length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface PushBenchResult {
  ratePerSecond: number;
  mentions: number;
  /** Commit → push received and decrypted at the push service. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  missing: number;
  invalid: number;
  commitToNotification: { p50Ms: number; p99Ms: number };
  notificationToPush: { p50Ms: number; p99Ms: number };
  burst: { pushes: number; seconds: number; pushesPerSecond: number };
  loadAverage: { before: number[]; after: number[] };
  cpus: number;
}

export async function runPushBench(options: {
  baseUrl: string;
  natsUrl: string;
  rate: number;
  seconds: number;
  mode: 'auto' | 'compiled' | 'source';
  logLevel: string;
}): Promise<PushBenchResult> {
  const { url, client } = await openBenchDatabase(options.baseUrl, 'murmur_bench_push');
  const vapid = vapidKeys();
  const service = await startTestPushService();
  service.expectVapidKey(vapid.publicKey);
  const database = createDatabase({
    url,
    poolSize: 10,
    connectionTimeoutMs: 60_000,
    applicationName: 'murmur-bench',
  });
  const streamName = `BENCH_PUSH_${process.pid}`;
  const logDirectory = await mkdtemp(join(tmpdir(), 'murmur-push-'));
  const setup = await setUp(database, client, service, vapid);
  const loadBefore = loadavg();
  const worker = await startService(
    'worker',
    options.mode,
    {
      databaseUrl: url,
      natsUrl: options.natsUrl,
      logLevel: options.logLevel,
      extra: {
        NATS_STREAM: streamName,
        NATS_SUBJECT_PREFIX: `bench.push.${process.pid}`,
        PUSH_ENABLED: 'true',
        VAPID_PUBLIC_KEY: vapid.publicKey,
        VAPID_PRIVATE_KEY: vapid.privateKey,
        ALLOWED_PRIVATE_ADDRESSES: '127.0.0.0/8',
        MAIL_DIR: join(logDirectory, 'mail'),
        ...(process.env.PUSH_BENCH_NODE_OPTIONS
          ? { NODE_OPTIONS: process.env.PUSH_BENCH_NODE_OPTIONS }
          : {}),
      },
    },
    logDirectory,
  );
  try {
    // Phase 1: mentions at a fixed rate, one recipient each.
    const commits = new Map<string, number>();
    const total = Math.round(options.rate * options.seconds);
    const started = performance.now();
    const tasks: Promise<void>[] = [];
    for (let n = 0; n < total; n++) {
      await untilDue(started, n, options.rate);
      const recipient = setup.recipients[n % setup.recipients.length]!;
      tasks.push(
        createStatus(database, { accountId: setup.authorId, text: `@${recipient} pm${n}` }).then(
          () => {
            commits.set(`pm${n}`, performance.now());
          },
        ),
      );
    }
    await Promise.allSettled(tasks);
    await waitForPushes(service, commits.size, 60_000);
    const lags: number[] = [];
    const arrived = new Set<string>();
    for (const push of service.received) {
      const marker = markerOf(push.payload);
      const committed = marker === undefined ? undefined : commits.get(marker);
      if (marker === undefined || committed === undefined || arrived.has(marker)) continue;
      arrived.add(marker);
      lags.push(push.receivedAt - committed);
    }
    const invalid = service.received.filter((push) => push.problem !== null).length;
    const steady = summarize(lags);
    // Where the time goes: commit → notification created (relay, notifications consumer) and
    // notification → push received (relay, push consumer, push service).
    const { rows: created } = await client.query<{ marker: string; at: number }>(
      `select substring(s.text from 'pm[0-9]+') as marker,
         extract(epoch from n.created_at) * 1000 as at
       from notifications n join statuses s on s.id = n.status_id
       where s.account_id = $1 and s.text ~ 'pm[0-9]+'`,
      [setup.authorId],
    );
    const notified = new Map(created.map((row) => [row.marker, Number(row.at)]));
    const toNotification: number[] = [];
    const toPush: number[] = [];
    for (const push of service.received) {
      const marker = markerOf(push.payload);
      const at = marker === undefined ? undefined : notified.get(marker);
      const committed = marker === undefined ? undefined : commits.get(marker);
      if (at === undefined || committed === undefined) continue;
      toNotification.push(at - (performance.timeOrigin + committed));
      toPush.push(performance.timeOrigin + push.receivedAt - at);
    }
    const stage = (values: number[]) => {
      const s = summarize(values);
      return { p50Ms: Math.round(s.p50), p99Ms: Math.round(s.p99) };
    };

    // Phase 2: a burst of mentions, ten recipients each, created as fast as possible.
    service.received.length = 0;
    const burstTasks: Promise<unknown>[] = [];
    for (let n = 0; n < BURST_STATUSES; n++) {
      const mentioned = Array.from(
        { length: MENTIONS_PER_BURST_STATUS },
        (_, k) =>
          `@${setup.recipients[(n * MENTIONS_PER_BURST_STATUS + k) % setup.recipients.length]}`,
      );
      burstTasks.push(
        createStatus(database, { accountId: setup.authorId, text: `${mentioned.join(' ')} b${n}` }),
      );
    }
    await Promise.allSettled(burstTasks);
    const expected = BURST_STATUSES * MENTIONS_PER_BURST_STATUS;
    await waitForPushes(service, expected, 120_000);
    const times = service.received.map((push) => push.receivedAt);
    const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
    return {
      ratePerSecond: options.rate,
      mentions: commits.size,
      p50Ms: Math.round(steady.p50),
      p99Ms: Math.round(steady.p99),
      maxMs: Math.round(steady.max),
      missing: commits.size - arrived.size,
      commitToNotification: stage(toNotification),
      notificationToPush: stage(toPush),
      invalid,
      burst: {
        pushes: service.received.length,
        seconds: Math.round(seconds * 100) / 100,
        pushesPerSecond: Math.round(service.received.length / seconds),
      },
      loadAverage: { before: loadBefore, after: loadavg() },
      cpus: (await import('node:os')).cpus().length,
    };
  } finally {
    await worker.stop();
    await service.close();
    await database.close();
    const nc = await connect({ servers: options.natsUrl, name: 'murmur-bench' });
    await (await jetstreamManager(nc)).streams.delete(streamName).catch(() => false);
    await nc.close();
    await client.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options = parseArguments(process.argv.slice(2), process.env);
  const result = await runPushBench({
    baseUrl: options.databaseUrl,
    natsUrl: options.natsUrl,
    rate: options.pipelineRate === 200 ? 100 : options.pipelineRate,
    seconds: options.duration,
    mode: options.mode,
    logLevel: options.logLevel,
  });
  console.log(JSON.stringify(result, null, 2));
}
