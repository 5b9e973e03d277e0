/**
 * The streaming API under load (issue 16): N WebSocket connections held by one API process, each a
 * reader subscribed to its home (`user`) stream; authors the readers follow post at a fixed rate
 * through the real worker (outbox → NATS → API). Measured: the API's resident memory per idle
 * connection, and commit → arrival at each socket (p50/p99). Beside it, in the same run, a bare `ws`
 * server (a child process) broadcasts the same payloads to the same number of sockets: the reference.
 * Its own database (`murmur_bench_streaming`) and stream.
 *
 *   pnpm --filter @murmur/bench streaming [--connections 10000] [--rate 100] [--duration 10]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDatabase,
  createDatabaseIfMissing,
  createStatus,
  issueAccessToken,
  migrateDatabase,
  registerApplication,
} from '@murmur/db';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { WebSocket } from 'ws';
import { freePort, startService } from './services.js';
import { summarize, type LatencySummary } from './stats.js';

const AUTHORS = 100;
const ID_IN_PAYLOAD = /\\"id\\":\\"(\d+)\\"/;

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** Opens sockets a few hundred at a time (a burst of thousands of handshakes is its own test). */
async function openAll(
  urls: { url: string; headers?: Record<string, string> }[],
): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < urls.length; i += 200) {
    const batch = urls.slice(i, i + 200).map(
      ({ url, headers }) =>
        new Promise<WebSocket>((resolve, reject) => {
          const socket = new WebSocket(url, { headers, perMessageDeflate: false });
          socket.once('open', () => resolve(socket));
          socket.once('error', reject);
        }),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

async function setUp(
  client: pg.Client,
  readers: number,
): Promise<{ authorIds: string[]; readerIds: string[] }> {
  await client.query(`insert into accounts (username, email, password_hash)
    select 'sreader' || g, 'sreader' || g || '@bench.invalid', 'x' from generate_series(0, ${readers - 1}) g
    on conflict do nothing`);
  await client.query(`insert into accounts (username, email, password_hash)
    select 'sauthor' || g, 'sauthor' || g || '@bench.invalid', 'x' from generate_series(0, ${AUTHORS - 1}) g
    on conflict do nothing`);
  // Reader i follows author i mod AUTHORS: each post reaches readers / AUTHORS sockets.
  await client.query(`insert into follows (account_id, target_account_id)
    select r.id, a.id from generate_series(0, ${readers - 1}) g
    join accounts r on r.username = 'sreader' || g
    join accounts a on a.username = 'sauthor' || (g % ${AUTHORS})
    on conflict do nothing`);
  const ids = async (prefix: string, count: number) => {
    const { rows } = await client.query<{ id: string }>(
      `select a.id::text from generate_series(0, ${count - 1}) g
       join accounts a on a.username = '${prefix}' || g order by g`,
    );
    return rows.map((row) => row.id);
  };
  return { authorIds: await ids('sauthor', AUTHORS), readerIds: await ids('sreader', readers) };
}

const REFERENCE_SERVER = `
const { WebSocketServer } = require(${JSON.stringify(require_ws())});
const server = new WebSocketServer({ port: Number(process.argv[1]), perMessageDeflate: false });
const groups = new Map();
server.on('connection', (socket, request) => {
  const group = new URL(request.url, 'http://x').searchParams.get('group');
  if (group === 'control') {
    socket.on('message', (data) => {
      const { group: target, message } = JSON.parse(String(data));
      for (const reader of groups.get(target) ?? []) reader.send(message);
    });
    return;
  }
  if (!groups.has(group)) groups.set(group, new Set());
  groups.get(group).add(socket);
});
server.on('listening', () => process.stdout.write('ready\\n'));
`;

function require_ws(): string {
  return new URL(import.meta.resolve('ws')).pathname;
}

interface StreamingResult {
  connections: number;
  rssPerIdleConnectionBytes: number;
  murmur: LatencySummary & { expected: number };
  reference: LatencySummary & { expected: number };
  loadAverage: number[];
}

export async function runStreaming(options: {
  baseUrl: string;
  natsUrl: string;
  connections: number;
  rate: number;
  seconds: number;
}): Promise<StreamingResult> {
  const url = new URL(options.baseUrl);
  url.pathname = '/murmur_bench_streaming';
  await createDatabaseIfMissing(url.toString());
  await migrateDatabase(url.toString());
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const { authorIds, readerIds } = await setUp(client, options.connections);
  const database = createDatabase({
    url: url.toString(),
    poolSize: 10,
    connectionTimeoutMs: 60_000,
    applicationName: 'murmur-bench',
  });
  const { application } = await registerApplication(database, {
    name: 'streaming bench',
    website: null,
    redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
    scopes: ['read'],
  });
  const tokens: string[] = [];
  for (let i = 0; i < readerIds.length; i += 50) {
    const batch = readerIds
      .slice(i, i + 50)
      .map((accountId) =>
        issueAccessToken(database, { applicationId: application.id, accountId, scopes: ['read'] }),
      );
    tokens.push(...(await Promise.all(batch)).map((issued) => issued.accessToken));
  }
  // Each run deletes what the last one wrote: fresh statistics, as autovacuum keeps on a live
  // server, so that plans are not made for the empty tables of the run before.
  await client.query(`analyze accounts, follows, oauth_access_tokens, statuses`);

  const subjectPrefix = `bench.streaming.${process.pid}`;
  const streamName = `BENCH_STREAMING_${process.pid}`;
  const logDirectory = await mkdtemp(join(tmpdir(), 'murmur-streaming-'));
  const environment = {
    databaseUrl: url.toString(),
    natsUrl: options.natsUrl,
    logLevel: 'warn',
    extra: {
      NATS_STREAM: streamName,
      NATS_SUBJECT_PREFIX: subjectPrefix,
      STREAMING_MAX_CONNECTIONS_PER_IP: String(options.connections + 100),
    },
  };
  const worker = await startService('worker', 'source', environment, logDirectory);
  const api = await startService('api', 'source', environment, logDirectory);
  const referencePort = await freePort();
  const reference = spawn(process.execPath, ['-e', REFERENCE_SERVER, String(referencePort)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve) => reference.stdout!.once('data', resolve));
  const readersOf = new Map<string, number>();
  readerIds.forEach((_, i) => {
    const author = authorIds[i % AUTHORS]!;
    readersOf.set(author, (readersOf.get(author) ?? 0) + 1);
  });

  try {
    const baseline = await rssBytes(api.pid);
    const wsOrigin = api.origin.replace('http', 'ws');
    const murmurSockets = await openAll(
      tokens.map((token) => ({
        url: `${wsOrigin}/api/v1/streaming?stream=user`,
        headers: { authorization: `Bearer ${token}` },
      })),
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const held = await rssBytes(api.pid);
    const referenceSockets = await openAll(
      readerIds.map((_, i) => ({
        url: `ws://127.0.0.1:${referencePort}/?group=${authorIds[i % AUTHORS]}`,
      })),
    );
    const [control] = await openAll([{ url: `ws://127.0.0.1:${referencePort}/?group=control` }]);

    const committedAt = new Map<string, number>();
    const murmurLags: number[] = [];
    const referenceLags: number[] = [];
    const listen = (sockets: WebSocket[], lags: number[]) => {
      for (const socket of sockets) {
        socket.on('message', (data) => {
          const at = performance.now();
          const id = ID_IN_PAYLOAD.exec(String(data))?.[1];
          const start = id === undefined ? undefined : committedAt.get(id);
          if (start !== undefined) lags.push(at - start);
        });
      }
    };
    listen(murmurSockets, murmurLags);
    listen(referenceSockets, referenceLags);

    // Posts at the rate, round robin over the authors; each commit also goes, as the same kind of
    // message, to the reference server, whose clock starts when it is sent.
    const total = Math.round(options.rate * options.seconds);
    const referenceStarts = new Map<string, number>();
    const started = performance.now();
    const tasks: Promise<void>[] = [];
    let expectedMurmur = 0;
    for (let n = 0; n < total; n++) {
      const due = started + (n * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const author = authorIds[n % AUTHORS]!;
      expectedMurmur += readersOf.get(author) ?? 0;
      tasks.push(
        createStatus(database, { accountId: author, text: `streaming ${n}` }).then((status) => {
          committedAt.set(status.id, performance.now());
          const referenceId = `9${status.id}`;
          const message = JSON.stringify({
            stream: ['user'],
            event: 'update',
            payload: JSON.stringify({ id: referenceId, content: `<p>streaming ${n}</p>` }),
          });
          referenceStarts.set(referenceId, performance.now());
          committedAt.set(referenceId, performance.now());
          control!.send(JSON.stringify({ group: author, message }));
        }),
      );
    }
    await Promise.all(tasks);
    const deadline = Date.now() + 30_000;
    while (
      (murmurLags.length < expectedMurmur || referenceLags.length < expectedMurmur) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const result: StreamingResult = {
      connections: murmurSockets.length,
      rssPerIdleConnectionBytes: Math.round((held - baseline) / murmurSockets.length),
      murmur: { ...summarize(murmurLags), expected: expectedMurmur },
      reference: { ...summarize(referenceLags), expected: expectedMurmur },
      loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
    };
    for (const socket of [...murmurSockets, ...referenceSockets, control!]) socket.terminate();
    return result;
  } finally {
    reference.kill();
    await api.stop();
    await worker.stop();
    await database.close();
    const nc = await connect({ servers: options.natsUrl, name: 'murmur-bench' });
    await (await jetstreamManager(nc)).streams.delete(streamName).catch(() => false);
    await nc.close();
    // Keep accounts and follows for the next run; drop what this run wrote.
    await client.query(`delete from home_feed_entries`);
    await client.query(`delete from statuses`);
    await client.query(`delete from outbox_events`);
    await client.query(`delete from processed_events`);
    await client.query(`delete from oauth_access_tokens`);
    await client.query(`delete from oauth_applications where not first_party`);
    await client.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runStreaming({
    baseUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    natsUrl: process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222',
    connections: argument('connections', 10_000),
    rate: argument('rate', 100),
    seconds: argument('duration', 10),
  });
  console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}
