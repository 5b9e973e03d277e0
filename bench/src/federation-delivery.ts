/**
 * Federation delivery (issue 21): one local account with `--followers` remote followers on
 * `--hosts` servers (each offering a shared inbox, so a post is one delivery per server), some of
 * them slow (`--slow`, answering after `--slow-ms`) and `--down` of them not there at all. The
 * servers run in a child process and verify every HTTP Signature with Fedify, as Mastodon does.
 *
 * The sending side runs what the worker's `federation-delivery` consumer runs for each
 * `PostCreated`, minus JetStream: the planner (read the status, build the Create(Note), find the
 * inboxes), the ledger write, and the Deliverer (sign, POST through the safe fetch, bounded as in
 * the worker: 32 requests at once, 4 per host, a circuit breaker per host), then the outcomes.
 *
 * 1. Latency: `--posts` posts one after another; time from the post's commit until every live
 *    server has it (p50/p99).
 * 2. Throughput: `--burst` posts at once; deliveries per second until the last live one arrived.
 * 3. Reference, in the same run: the same number of POSTs of the same bodies to the same servers,
 *    with the same bounds and the same safe fetch, but unsigned, unverified and without the
 *    planner or ledger: what HTTP alone costs here.
 *
 *   pnpm --filter @murmur/bench federation-delivery [--followers 1000] [--hosts 100] [--slow 10]
 *     [--slow-ms 200] [--down 1] [--posts 20] [--burst 30]
 * Its own database (`murmur_bench_federation`, BENCH_DATABASE_URL's server). Prints the load
 * average beside the figures: the machine may be shared.
 */
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { createDatabase } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import {
  enqueueFederationDeliveries,
  recordFederationDeliveryOutcomes,
} from '@murmur/db/federation';
import { parseEvent, type DomainEvent } from '@murmur/events';
import {
  createMurmurFederation,
  createOutgoingPlanner,
  DEFAULT_DELIVERY_CONCURRENCY,
  DEFAULT_PER_HOST_CONCURRENCY,
  Deliverer,
  signingIdentities,
} from '@murmur/federation';
import { createSafeFetch } from '@murmur/outbound';
import { Limiter } from '@murmur/service-kit';
import pg from 'pg';
import type { InboxesReport, InboxesSetup } from './federation-inboxes.js';
import { summarize } from './stats.js';
import { openBenchDatabase } from './bench-database.js';

const ORIGIN = 'https://murmur.bench';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} takes a number`);
  return value;
}

const settings = {
  followers: option('followers', 1000),
  hosts: option('hosts', 100),
  slow: option('slow', 10),
  slowMs: option('slow-ms', 200),
  down: option('down', 1),
  posts: option('posts', 20),
  burst: option('burst', 30),
};

type Inboxes = ReturnType<typeof fork>;

function ask<T>(child: Inboxes, message: object, answer: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (reply: { kind: string } & Record<string, unknown>) => {
      if (reply.kind !== answer) return;
      child.off('message', listener);
      resolve(reply as T);
    };
    child.on('message', listener);
    child.send(message);
  });
}

async function main(): Promise<void> {
  // Several people benchmarking on one server each name their own (BENCH_DATABASE_NAME).
  const { url, client } = await openBenchDatabase(
    process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    process.env.BENCH_DATABASE_NAME ?? 'murmur_bench_federation',
  );
  // Posts of the burst read their events side by side.
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  const database = createDatabase({
    url,
    poolSize: 10,
    connectionTimeoutMs: 60_000,
    applicationName: 'murmur-bench',
  });
  // A fresh sender and followers each run; the ledger of earlier runs goes too.
  await client.query(`delete from federation_deliveries`);
  await client.query(`delete from accounts where domain is not null or username = 'fb_sender'`);
  const {
    rows: [sender],
  } = await client.query<{ id: string }>(
    `insert into accounts (username, email, password_hash)
     values ('fb_sender', 'fb_sender@bench.invalid', 'x') returning id::text`,
  );

  const safeFetch = createSafeFetch({
    allowedPrivateAddresses: ['127.0.0.0/8'],
    timeoutMs: 10_000,
  });
  const federation = createMurmurFederation({
    database,
    publicOrigin: ORIGIN,
    profileImageUrl: (key) => `${ORIGIN}/media/${key}`,
    fetch: safeFetch,
  });
  const actorId = `${ORIGIN}/users/fb_sender`;
  const actorResponse = await federation.fetch(
    new Request(actorId, { headers: { accept: 'application/activity+json' } }),
    { contextData: undefined },
  );
  const actorDocument = await actorResponse.json();

  const liveHosts = settings.hosts - settings.down;
  const child = fork(new URL('./federation-inboxes.ts', import.meta.url).pathname, {
    stdio: 'inherit',
  });
  const setup: InboxesSetup = {
    hosts: liveHosts,
    slowHosts: settings.slow,
    slowMs: settings.slowMs,
    actorId,
    actorDocument,
  };
  const { ports } = await ask<{ ports: number[] }>(child, { kind: 'start', setup }, 'started');
  // Dead servers: loopback addresses nothing listens on (connection refused at once).
  const origins = [
    ...ports.map((port) => `http://127.0.0.1:${port}`),
    ...Array.from({ length: settings.down }, (_, i) => `http://127.0.0.${10 + i}:9`),
  ];
  const perHost = Math.ceil(settings.followers / settings.hosts);
  await client.query(
    `insert into accounts (username, domain, uri, inbox_url, shared_inbox_url)
     select 'f' || f, replace(o.origin, 'http://', ''), o.origin || '/users/f' || f,
       o.origin || '/users/f' || f || '/inbox', o.origin || '/inbox'
     from unnest($1::text[]) as o(origin), generate_series(1, $2::int) f`,
    [origins, perHost],
  );
  await client.query(
    `insert into follows (account_id, target_account_id)
     select id, $1 from accounts where domain is not null`,
    [sender!.id],
  );

  const planner = createOutgoingPlanner({ database, federation, publicOrigin: ORIGIN });
  const deliverer = new Deliverer({
    fetch: safeFetch,
    signingIdentity: signingIdentities(database, ORIGIN),
    concurrency: DEFAULT_DELIVERY_CONCURRENCY,
    perHostConcurrency: DEFAULT_PER_HOST_CONCURRENCY,
  });

  /** What the consumer does with one PostCreated. */
  async function sendPost(text: string): Promise<{ committedAt: number; activityId: string }> {
    const status = await createStatus(database, { accountId: sender!.id, text });
    const committedAt = Date.now();
    const {
      rows: [row],
    } = await pool.query<{ payload: unknown }>(
      `select payload from outbox_events where type = 'PostCreated' and payload->'data'->>'statusId' = $1`,
      [status.id],
    );
    const event: DomainEvent = parseEvent(row!.payload);
    const plan = (await planner(event))!;
    const rows = await enqueueFederationDeliveries(database, {
      consumer: 'federation-delivery',
      eventId: event.id,
      senderAccountId: plan.senderAccountId,
      activities: plan.activities,
      inboxUrls: plan.inboxes,
      leaseMs: 600_000,
    });
    await recordFederationDeliveryOutcomes(database, await deliverer.deliverAll(rows));
    return { committedAt, activityId: String(plan.activities[0]!.id) };
  }

  const loadBefore = loadavg();
  // 1. One post at a time.
  const sequential: { committedAt: number; activityId: string }[] = [];
  for (let i = 0; i < settings.posts; i++) sequential.push(await sendPost(`post ${i} #bench`));
  // 2. A burst.
  const burstStart = Date.now();
  const burst = await Promise.all(
    Array.from({ length: settings.burst }, (_, i) => sendPost(`burst ${i} #bench`)),
  );
  const { report } = await ask<{ report: InboxesReport }>(child, { kind: 'report' }, 'report');
  const latencies = sequential.map(
    (post) => (report.arrivals[post.activityId]?.lastAt ?? NaN) - post.committedAt,
  );
  const complete = [...sequential, ...burst].every(
    (post) => report.arrivals[post.activityId]?.count === liveHosts,
  );
  const burstEnd = Math.max(
    ...burst.map((post) => report.arrivals[post.activityId]?.lastAt ?? NaN),
  );
  const burstDeliveries = settings.burst * liveHosts;
  const signedRate = burstDeliveries / ((burstEnd - burstStart) / 1000);

  // 3. The reference: the same POSTs, unsigned, through the same fetch and bounds.
  const body = JSON.stringify(
    (await planner(
      parseEvent(
        (
          await client.query<{ payload: unknown }>(
            `select payload from outbox_events where type = 'PostCreated' order by occurred_at desc limit 1`,
          )
        ).rows[0]!.payload,
      ),
    ))!.activities[0],
  );
  const everyHost = new Limiter(DEFAULT_DELIVERY_CONCURRENCY);
  const hostLimiters = new Map(
    origins.map((origin) => [origin, new Limiter(DEFAULT_PER_HOST_CONCURRENCY)]),
  );
  const referenceStart = Date.now();
  await Promise.all(
    Array.from({ length: settings.burst }).flatMap(() =>
      origins.map((origin) =>
        hostLimiters.get(origin)!.run(() =>
          everyHost.run(async () => {
            const response = await safeFetch(`${origin}/plain`, {
              method: 'POST',
              headers: { 'content-type': 'application/activity+json' },
              body,
            }).catch(() => null);
            await response?.body?.cancel();
          }),
        ),
      ),
    ),
  );
  const referenceMs = Date.now() - referenceStart;
  const referenceRate = burstDeliveries / (referenceMs / 1000);
  const loadAfter = loadavg();
  child.send({ kind: 'stop' });

  const latency = summarize(latencies);
  console.log(
    `\nFederation delivery: ${settings.followers} followers on ${settings.hosts} servers ` +
      `(${settings.slow} answering after ${settings.slowMs} ms, ${settings.down} down), ` +
      `one worker's limits (${DEFAULT_DELIVERY_CONCURRENCY} at once, ${DEFAULT_PER_HOST_CONCURRENCY} per host)\n`,
  );
  console.log('| measure | value |');
  console.log('| --- | --- |');
  console.log(
    `| post → every live server, p50 / p99 (${settings.posts} posts one at a time) | ${latency.p50.toFixed(0)} / ${latency.p99.toFixed(0)} ms |`,
  );
  console.log(
    `| signed deliveries/s, verified by the servers (burst of ${settings.burst} posts, ${burstDeliveries} deliveries) | ${signedRate.toFixed(0)} |`,
  );
  console.log(
    `| reference: the same POSTs unsigned and unverified, same fetch and bounds | ${referenceRate.toFixed(0)} |`,
  );
  console.log(`| ratio signed / reference | ${(signedRate / referenceRate).toFixed(2)} |`);
  console.log(
    `| every live server got every post, signatures valid | ${complete && report.refused === 0 ? 'yes' : `NO (refused ${report.refused})`} |`,
  );
  console.log(
    `| load average before → after (1 min) | ${loadBefore[0]!.toFixed(2)} → ${loadAfter[0]!.toFixed(2)} |`,
  );
  await client.end();
  await pool.end();
  await database.close();
}

await main();
