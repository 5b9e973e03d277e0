/**
 * The streaming API under load (issue 16): N WebSocket connections held by one API process, each a
 * reader subscribed to its home (`user`) stream; authors the readers follow post at a fixed rate
 * through the real worker (outbox → NATS → API). Measured: the API's resident memory per idle
 * connection, and commit → arrival at each socket (p50/p99). Then, in the same run, a bare `ws`
 * server (a child process) broadcasts the same payloads at the same rate to the same number of
 * sockets: the reference. Each side has the machine to itself during its phase (`--reference-alongside`
 * runs both at once, as until 2026-12-07), and a warm-up before it.
 * Its own database (`murmur_bench_streaming`) and stream. The reader sockets of both sides are
 * spread over child processes (`streaming-readers.ts`, at most READERS_PER_PROCESS each), so that
 * neither the fd limit of one process nor one client's event loop is what is measured.
 *
 *   pnpm --filter @murmur/bench streaming [--connections 10000] [--rate 100] [--duration 10]
 *     [--warm-up 2] [--reference-alongside]
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, createDatabaseIfMissing, migrateDatabase } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import { issueAccessToken, registerApplication } from '@murmur/db/auth';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { decodeEvent, subjectFor } from '@murmur/events';
import pg from 'pg';
import { WebSocket } from 'ws';
import { activityBetween, activitySnapshot, type PhaseActivity } from './database-activity.js';
import { untilDue } from './open-load.js';
import { freePort, startService } from './services.js';
import { summarize, type LatencySummary } from './stats.js';
import type { FromReaders, ReaderSide, ReaderTarget, ToReaders } from './streaming-readers.js';

const AUTHORS = 100;
/** Murmur's and the reference's sockets of 2,500 readers: 5,000 fds, far below a usual `ulimit -n`. */
const READERS_PER_PROCESS = 2_500;

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** Clock ticks per second of `/proc/<pid>/stat`'s times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (stat === '') return 0;
  // Fields after the command (which may hold spaces): state is the first, utime the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * Who used the two cores during the event phase: each process's CPU seconds over the phase. The
 * servers and the readers share the machine; a reader process near a whole core, or the reference
 * starved while the API is busy, would make the comparison unfair (see the README). PostgreSQL's
 * backends come and go with the pools' idle timeouts, so they are sampled every second and each
 * counted by its pid from its first to its last sample (one started during the phase with all its
 * CPU): at most the last second of a backend that ended is missed.
 */
class CpuMeter {
  readonly #processes = new Map<string, { pid: number; first: number; last: number }>();
  readonly #backends = new Map<number, { name: string; first: number; last: number }>();
  #timer: NodeJS.Timeout | undefined;
  #sampling: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: pg.Client,
    pids: Record<string, number>,
  ) {
    for (const [name, pid] of Object.entries(pids)) {
      this.#processes.set(name, { pid, first: Number.NaN, last: 0 });
    }
  }

  async start(): Promise<void> {
    await this.#sample(true);
    this.#timer = setInterval(() => {
      this.#sampling = this.#sampling.then(() => this.#sample(false));
    }, 1_000);
  }

  async stop(): Promise<Record<string, number>> {
    clearInterval(this.#timer);
    await this.#sampling;
    await this.#sample(false);
    const used: Record<string, number> = {};
    const add = (name: string, seconds: number) => {
      used[name] = Math.round(((used[name] ?? 0) + seconds) * 100) / 100;
    };
    for (const [name, { first, last }] of this.#processes) add(name, last - first);
    for (const { name, first, last } of this.#backends.values()) add(name, last - first);
    return used;
  }

  async #sample(initial: boolean): Promise<void> {
    for (const entry of this.#processes.values()) {
      const seconds = await cpuSeconds(entry.pid);
      if (Number.isNaN(entry.first)) entry.first = seconds;
      if (seconds > 0) entry.last = seconds;
    }
    const { rows } = await this.client.query<{ pid: number; application_name: string }>(
      `select pid, application_name from pg_stat_activity where datname = current_database()`,
    );
    for (const row of rows) {
      const seconds = await cpuSeconds(row.pid);
      if (seconds === 0) continue;
      const known = this.#backends.get(row.pid);
      if (known) known.last = seconds;
      else {
        const name = `postgres (${row.application_name || 'other'})`;
        this.#backends.set(row.pid, { name, first: initial ? seconds : 0, last: seconds });
      }
    }
  }
}

/** The pids of the NATS servers running here (by their command name), for the CPU accounting. */
async function natsServerPids(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const command = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (command.trim() === 'nats-server') pids.push(Number(entry));
  }
  return pids;
}

/** The machine's busy and total clock ticks so far, over all cores (`/proc/stat`'s `cpu` line). */
async function machineTicks(): Promise<{ busy: number; total: number }> {
  const stat = await readFile('/proc/stat', 'utf8');
  const fields = stat.split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …: idle and iowait are the unused time.
  const total = fields.slice(0, 8).reduce((sum, ticks) => sum + ticks, 0);
  return { busy: total - fields[3]! - fields[4]!, total };
}

/** Absolute milliseconds, comparable between processes. */
const now = () => performance.timeOrigin + performance.now();

/** The child processes holding the reader sockets, each given an equal share. */
class ReaderProcesses {
  readonly #children: ChildProcess[];
  readonly #ready: Promise<unknown>;

  constructor(count: number) {
    const module = new URL('./streaming-readers.ts', import.meta.url).pathname;
    this.#children = Array.from({ length: count }, () =>
      fork(module, [], {
        // Node strips this file's types itself: no loader (tsx) in the reader processes, which
        // left one of them exiting mid-run at 10,000 readers.
        execArgv: [],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    this.#ready = Promise.all(
      this.#children.map(
        (child) =>
          new Promise((resolve, reject) => {
            child.once('message', resolve);
            child.once('exit', (code) => reject(new Error(`a reader process exited (${code})`)));
          }),
      ),
    );
  }

  #ask(child: ChildProcess, message: ToReaders, answer: FromReaders['type']): Promise<FromReaders> {
    return new Promise((resolve, reject) => {
      const done = () => {
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const onMessage = (reply: FromReaders) => {
        if (reply.type === 'failed') reject(new Error(`a reader process: ${reply.message}`));
        else if (reply.type === answer) resolve(reply);
        else return;
        done();
      };
      const onExit = (code: number | null, signal: string | null) => {
        done();
        reject(new Error(`a reader process exited (${code ?? signal}) before answering`));
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send(message);
    });
  }

  /**
   * Opens the sockets, target i in process i mod count, 200 per message: one message with thousands
   * of targets closed the IPC channel (and ended the reader) on this loaded machine.
   */
  async open(side: ReaderSide, targets: ReaderTarget[]): Promise<void> {
    await this.#ready;
    const count = this.#children.length;
    await Promise.all(
      this.#children.map(async (child, c) => {
        const mine = targets.filter((_, i) => i % count === c);
        for (let i = 0; i < mine.length; i += 200) {
          await this.#ask(child, { type: 'open', side, targets: mine.slice(i, i + 200) }, 'opened');
        }
      }),
    );
  }

  /** How many events have arrived so far on each side. */
  async counts(): Promise<Record<ReaderSide, number>> {
    const replies = await Promise.all(
      this.#children.map((child) => this.#ask(child, { type: 'count' }, 'counted')),
    );
    const sum = (side: ReaderSide) =>
      replies.reduce((total, reply) => total + (reply.type === 'counted' ? reply[side] : 0), 0);
    return { murmur: sum('murmur'), reference: sum('reference') };
  }

  /** Every arrival noted, as [status id, absolute ms]; the processes then close and exit. */
  async arrivals(): Promise<{
    murmur: [string, number][];
    reference: [string, number][];
    closedEarly: Record<ReaderSide, number>;
  }> {
    const all = {
      murmur: [] as [string, number][],
      reference: [] as [string, number][],
      closedEarly: { murmur: 0, reference: 0 },
    };
    for (const child of this.#children) {
      const reply = await this.#ask(child, { type: 'report' }, 'arrivals');
      if (reply.type !== 'arrivals') continue;
      for (const entry of reply.murmur) all.murmur.push(entry);
      for (const entry of reply.reference) all.reference.push(entry);
      all.closedEarly.murmur += reply.closedEarly.murmur;
      all.closedEarly.reference += reply.closedEarly.reference;
    }
    return all;
  }

  /** The reader processes' ids (for CPU samples). */
  get pids(): number[] {
    return this.#children.map((child) => child.pid ?? 0);
  }

  kill(): void {
    for (const child of this.#children) if (child.exitCode === null) child.kill();
  }
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

/**
 * The JSON of a status as the REST API gives it to a reader (what Murmur's `update` carries), to be
 * the reference's payload with its ids replaced: the bare broadcast sends the same bytes per
 * message, not a stub a tenth of their size. The status is posted before the readers connect.
 */
async function statusAsReaderSeesIt(
  origin: string,
  token: string,
  database: ReturnType<typeof createDatabase>,
  authorId: string,
): Promise<{ id: string; json: string }> {
  const status = await createStatus(database, { accountId: authorId, text: 'streaming template' });
  const response = await fetch(`${origin}/api/v1/statuses/${status.id}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(`GET /api/v1/statuses/${status.id}: ${response.status}`);
  return { id: status.id, json: await response.text() };
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
  readerProcesses: number;
  /**
   * `after`: the bare server's phase follows Murmur's, each on the machine alone (the readers
   * receive one side's messages at a time). `alongside`: both at once, each commit also sent to the
   * bare server (until 2026-12-07): the readers then take both sides' messages, and on two cores
   * the two servers delay each other.
   */
  referenceRuns: 'after' | 'alongside';
  /** Posts made before the measured phase, whose events are not counted (see `warmUpSeconds`). */
  warmUpPosts: number;
  /** Reader sockets the servers closed during the run (a client that fell behind its heartbeats). */
  socketsClosedByServer: Record<ReaderSide, number>;
  rssPerIdleConnectionBytes: number;
  murmur: LatencySummary & { expected: number };
  /**
   * Commit → the PostCreated event on NATS (the worker's outbox relay), heard by this process as the
   * API hears it: the part of `murmur` spent before the API has the event.
   */
  relay: LatencySummary;
  reference: LatencySummary & { expected: number };
  /**
   * Murmur's arrivals by the second of their post's commit in the phase: `second p50/p99 ms`. A
   * path that falls behind shows as latency growing second after second, a stall as one bad second.
   */
  perSecond: string[];
  /** Whether the measured phase started right after a checkpoint (needs a superuser). */
  checkpointedFirst: boolean;
  /** What the database did during Murmur's phase (checkpoints, WAL, pages backends wrote). */
  database: PhaseActivity;
  /**
   * CPU seconds each process used from the first post until every event arrived (`eventPhaseSeconds`
   * of wall time, two cores; see `CpuMeter`): PostgreSQL's backends are grouped by application
   * name (the benchmark's own pool, `murmur-bench`, makes the posts).
   */
  cpuSecondsDuringEvents: Record<string, number>;
  eventPhaseSeconds: number;
  /** The same for the bare server's own phase (`referenceRuns: 'after'`). */
  referenceCpuSecondsDuringEvents?: Record<string, number>;
  referencePhaseSeconds?: number;
  /**
   * How busy the whole machine was during each phase: busy time over all cores (every process,
   * the kernel's network work included) as a share of what the cores had, from `/proc/stat`.
   * Latency at a given load depends on it more than on anything else: near 1, every hop of a
   * path waits for a core.
   */
  machineBusy: { murmur: number; reference?: number; cores: number };
  loadAverage: number[];
}

function perSecond(arrivals: [string, number][], committedAt: Map<string, number>): string[] {
  const first = Math.min(...committedAt.values());
  const bySecond: number[][] = [];
  for (const [id, at] of arrivals) {
    const start = committedAt.get(id);
    if (start === undefined) continue;
    (bySecond[Math.floor((start - first) / 1000)] ??= []).push(at - start);
  }
  return [...bySecond.entries()].map(([second, lags = []]) => {
    const { p50, p99 } = summarize(lags);
    return `${String(second).padStart(3)}s p50 ${Math.round(p50)} p99 ${Math.round(p99)} ms`;
  });
}

export async function runStreaming(options: {
  baseUrl: string;
  natsUrl: string;
  connections: number;
  rate: number;
  seconds: number;
  /** Seconds of posts at the rate before the measured phase (each side has its own). */
  warmUpSeconds: number;
  referenceRuns: 'after' | 'alongside';
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
  // Each run deletes what the last one wrote: vacuumed and with fresh statistics, as autovacuum
  // keeps a live server, so that plans are not made for the empty tables of the run before and
  // no statement wades through the dead rows of earlier runs (seen: 500,000 dead outbox rows after
  // a day of runs made the relay's claim the busiest statement and tripled Murmur's latency).
  await client.query(
    `vacuum (analyze) accounts, follows, oauth_access_tokens, statuses, outbox_events,
      processed_events, home_feed_entries`,
  );

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

  const readers = new ReaderProcesses(Math.ceil(options.connections / READERS_PER_PROCESS));
  // When each PostCreated reaches NATS, heard with a core subscription as the API's feed hears it.
  const published = new Map<string, number>();
  const tap = await connect({ servers: options.natsUrl, name: 'murmur-bench-streaming-tap' });
  tap.subscribe(subjectFor({ streamName, subjectPrefix }, 'PostCreated'), {
    callback: (err, message) => {
      if (err) return;
      const event = decodeEvent(message.data);
      if (event.type === 'PostCreated') published.set(event.data.statusId, now());
    },
  });
  const control = new WebSocket(`ws://127.0.0.1:${referencePort}/?group=control`);
  try {
    await new Promise((resolve, reject) => {
      control.once('open', resolve);
      control.once('error', reject);
    });
    const template = await statusAsReaderSeesIt(api.origin, tokens[0]!, database, authorIds[0]!);
    const baseline = await rssBytes(api.pid);
    const wsOrigin = api.origin.replace('http', 'ws');
    await readers.open(
      'murmur',
      tokens.map((token) => ({
        url: `${wsOrigin}/api/v1/streaming?stream=user`,
        headers: { authorization: `Bearer ${token}` },
      })),
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const held = await rssBytes(api.pid);
    await readers.open(
      'reference',
      readerIds.map((_, i) => ({
        url: `ws://127.0.0.1:${referencePort}/?group=${authorIds[i % AUTHORS]}`,
      })),
    );

    const readerPids = Object.fromEntries(readers.pids.map((pid, i) => [`readers ${i}`, pid]));
    const natsPids = Object.fromEntries(
      (await natsServerPids()).map((pid, i) => [`nats-server${i === 0 ? '' : ` ${i}`}`, pid]),
    );
    const murmurProcesses = { api: api.pid, worker: worker.pid, ...natsPids, ...readerPids };
    const referenceProcesses = { reference: reference.pid ?? 0, ...natsPids, ...readerPids };
    const committedAt = new Map<string, number>();
    const arrivedSoFar = { murmur: 0, reference: 0 };
    /** Waits (at most 30 s) until `count` more events arrived on `side` than before the phase. */
    const awaitArrivals = async (side: ReaderSide, count: number) => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const counts = await readers.counts();
        if (counts[side] >= arrivedSoFar[side] + count || Date.now() > deadline) {
          arrivedSoFar[side] = counts[side];
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    const expectedOf = (posts: number) =>
      Array.from({ length: posts }, (_, n) => readersOf.get(authorIds[n % AUTHORS]!) ?? 0).reduce(
        (sum, readersOfAuthor) => sum + readersOfAuthor,
        0,
      );
    /** Sends the reference's copy of post `n` (by its author) to the bare server; its clock starts now. */
    const broadcast = (n: number, author: string, measured: boolean) => {
      const referenceId = `9${String(n).padStart(6, '0')}${measured ? 1 : 0}`;
      const message = JSON.stringify({
        stream: ['user'],
        event: 'update',
        payload: template.json.replaceAll(template.id, referenceId),
      });
      if (measured) committedAt.set(referenceId, now());
      control.send(JSON.stringify({ group: author, message }));
    };
    /**
     * Posts `count` statuses at the rate, round robin over the authors (each reaches readers /
     * AUTHORS sockets). Only a measured phase's commits are timed: the warm-up's events arrive too,
     * but have no commit time, so they are left out of the figures.
     */
    const postAtRate = async (count: number, measured: boolean, alongside: boolean) => {
      const started = performance.now();
      const tasks: Promise<void>[] = [];
      for (let n = 0; n < count; n++) {
        await untilDue(started, n, options.rate);
        const author = authorIds[n % AUTHORS]!;
        tasks.push(
          createStatus(database, { accountId: author, text: `streaming ${n}` }).then((status) => {
            if (measured) committedAt.set(status.id, now());
            if (alongside) broadcast(n, author, measured);
          }),
        );
      }
      await Promise.all(tasks);
    };
    /** The bare server's phase: the same messages, at the same rate, to the same groups. */
    const broadcastAtRate = async (count: number, measured: boolean) => {
      const started = performance.now();
      for (let n = 0; n < count; n++) {
        await untilDue(started, n, options.rate);
        broadcast(n, authorIds[n % AUTHORS]!, measured);
      }
    };
    const measure = async (
      processes: Record<string, number>,
      run: () => Promise<void>,
    ): Promise<{ cpuSeconds: Record<string, number>; seconds: number; busy: number }> => {
      const cpu = new CpuMeter(client, processes);
      await cpu.start();
      const machineBefore = await machineTicks();
      const benchCpuBefore = process.cpuUsage();
      const started = performance.now();
      await run();
      const benchCpu = process.cpuUsage(benchCpuBefore);
      const machineAfter = await machineTicks();
      const cpuSeconds = await cpu.stop();
      cpuSeconds['bench (this process)'] =
        Math.round((benchCpu.user + benchCpu.system) / 1e4) / 100;
      const busy =
        (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total);
      return {
        cpuSeconds,
        seconds: Math.round(performance.now() - started) / 1000,
        busy: Math.round(busy * 100) / 100,
      };
    };

    const total = Math.round(options.rate * options.seconds);
    const warmUp = Math.round(options.rate * options.warmUpSeconds);
    const expected = expectedOf(total);
    const alongside = options.referenceRuns === 'alongside';
    // Warm-up: the services' first seconds (V8 compiling the hot paths, each pooled connection
    // planning its statements five times before settling on a generic plan) are not the steady
    // state a live server is in.
    if (warmUp > 0) {
      await postAtRate(warmUp, false, alongside);
      await awaitArrivals('murmur', expectedOf(warmUp));
      if (alongside) await awaitArrivals('reference', expectedOf(warmUp));
    }
    // The measured phase starts right after a checkpoint, as the fan-out benchmark's do: where the
    // next one fell otherwise depended on what the runs before had written, and a checkpoint in
    // the phase (full-page images for every page touched first, its writes beside the commits) is
    // the database's work, not the streaming path's. `database` says what happened in the phase.
    const checkpointedFirst = await client.query('checkpoint').then(
      () => true,
      () => false,
    );
    const beforeMurmur = await activitySnapshot(client, false);
    const murmurPhase = await measure(
      alongside ? { ...murmurProcesses, ...referenceProcesses } : murmurProcesses,
      async () => {
        await postAtRate(total, true, alongside);
        await awaitArrivals('murmur', expected);
        if (alongside) await awaitArrivals('reference', expected);
      },
    );
    const murmurDatabase = activityBetween(beforeMurmur, await activitySnapshot(client, false));
    let referencePhase: typeof murmurPhase | undefined;
    if (!alongside) {
      if (warmUp > 0) {
        await broadcastAtRate(warmUp, false);
        await awaitArrivals('reference', expectedOf(warmUp));
      }
      referencePhase = await measure(referenceProcesses, async () => {
        await broadcastAtRate(total, true);
        await awaitArrivals('reference', expected);
      });
    }
    const arrived = await readers.arrivals();
    const lags = (entries: [string, number][]) =>
      entries.flatMap(([id, at]) => {
        const start = committedAt.get(id);
        return start === undefined ? [] : [at - start];
      });
    return {
      connections: tokens.length,
      readerProcesses: Math.ceil(options.connections / READERS_PER_PROCESS),
      referenceRuns: options.referenceRuns,
      warmUpPosts: warmUp,
      rssPerIdleConnectionBytes: Math.round((held - baseline) / tokens.length),
      murmur: { ...summarize(lags(arrived.murmur)), expected },
      relay: summarize(lags([...published].filter(([id]) => committedAt.has(id)))),
      reference: { ...summarize(lags(arrived.reference)), expected },
      socketsClosedByServer: arrived.closedEarly,
      perSecond: perSecond(arrived.murmur, committedAt),
      checkpointedFirst,
      database: murmurDatabase,
      cpuSecondsDuringEvents: murmurPhase.cpuSeconds,
      eventPhaseSeconds: murmurPhase.seconds,
      ...(referencePhase && {
        referenceCpuSecondsDuringEvents: referencePhase.cpuSeconds,
        referencePhaseSeconds: referencePhase.seconds,
      }),
      machineBusy: {
        murmur: murmurPhase.busy,
        ...(referencePhase && { reference: referencePhase.busy }),
        cores: availableParallelism(),
      },
      loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
    };
  } finally {
    control.terminate();
    await tap.close();
    readers.kill();
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
    warmUpSeconds: argument('warm-up', 2),
    referenceRuns: process.argv.includes('--reference-alongside') ? 'alongside' : 'after',
  });
  console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}
