/**
 * CPU time per request of the writing scenarios (create, favourite), the service against its
 * reference: the service's (or reference's) process plus the PostgreSQL backends serving it, read
 * from /proc around a closed-loop run. On a machine shared with other work, throughput moves with
 * what the neighbours do; the CPU a request costs moves much less (contention still inflates it by
 * up to 2× at a load average of 15 on 2 cores), and PostgreSQL's share of it says where the time
 * goes. Which process is the bottleneck depends on the load: on an idle machine the sum counts; on
 * an overloaded one every process gets an equal slice, and the Node process's cost alone decides.
 *
 *   pnpm --filter @murmur/bench cpu-cost [--scenarios create,favourite] [--rounds 3] [--duration 8]
 *   pnpm --filter @murmur/bench cpu-cost --against /tmp/ab-old   # this API against another checkout's
 *
 * `--against DIR`: instead of the reference, the API of another checkout of the repository (set up
 * with `node scripts/setup.mjs`), sent the same requests: an A/B of two versions of the code.
 *
 * Its own database (`murmur_cpucost_10000`), so other benchmarks' backends are not counted.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ensureDataset, resetWrites } from './dataset.js';
import { measureLoad, type RequestSpec } from './load.js';
import { HTTP_SCENARIOS } from './scenarios/index.js';
import { startReference, startService, type RunningProcess } from './services.js';

const argv = process.argv.slice(2);
function flag(name: string, fallback: string): string {
  const at = argv.indexOf(name);
  return at >= 0 && argv[at + 1] !== undefined ? argv[at + 1]! : fallback;
}
const scenarioIds = flag('--scenarios', 'create,favourite').split(',');
const rounds = Number(flag('--rounds', '3'));
const duration = Number(flag('--duration', '8'));
const connections = Number(flag('--connections', '50'));
const against = flag('--against', '');
const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const natsUrl = process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

async function cpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the command name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0; // exited
  }
}

async function backendPids(client: pg.Client, database: string): Promise<number[]> {
  const { rows } = await client.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [database],
  );
  return rows.map((r) => r.pid);
}

async function snapshot(client: pg.Client, database: string, pid: number) {
  const pids = await backendPids(client, database);
  const backends = new Map<number, number>();
  for (const p of pids) backends.set(p, await cpuMs(p));
  return { node: await cpuMs(pid), backends };
}

async function measure(
  client: pg.Client,
  database: string,
  target: RunningProcess,
  requests: RequestSpec[],
) {
  const load = { origin: target.origin, requests, connections, warmup: 0, rate: 0 };
  await measureLoad({ ...load, duration: 2 });
  const before = await snapshot(client, database, target.pid);
  const result = await measureLoad({ ...load, duration });
  const after = await snapshot(client, database, target.pid);
  let database_ = 0;
  for (const [p, ms] of after.backends) database_ += ms - (before.backends.get(p) ?? 0);
  const ok = result.requests - result.non2xx - result.errors;
  return {
    requestsPerSecond: result.requestsPerSecond,
    failed: result.non2xx + result.errors,
    nodeMs: (after.node - before.node) / ok,
    databaseMs: database_ / ok,
  };
}

async function main(): Promise<void> {
  const { url, info } = await ensureDataset({
    baseUrl,
    statuses: 10_000,
    prefix: 'murmur_cpucost',
  });
  const database = new URL(url).pathname.slice(1);
  await resetWrites(url, info);
  const logDirectory = join(
    fileURLToPath(new URL('../results/', import.meta.url)),
    'cpu-cost-logs',
  );
  await mkdir(logDirectory, { recursive: true });
  const environment = { databaseUrl: url, natsUrl, logLevel: 'warn' };
  const [api, reference] = await Promise.all([
    startService('api', 'auto', environment, logDirectory),
    against
      ? startService('api', 'source', environment, logDirectory, against)
      : startReference(url, logDirectory),
  ]);
  const other = against ? `api of ${against}` : 'reference';
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const id of scenarioIds) {
      const scenario = HTTP_SCENARIOS.find((s) => s.id === id);
      if (!scenario?.reference) throw new Error(`no scenario ${id} with a reference`);
      for (let round = 0; round < rounds; round++) {
        const pair = [
          ['service', api, scenario.requests(info)],
          ['reference', reference, against ? scenario.requests(info) : scenario.reference(info)],
        ] as const;
        const ordered = round % 2 === 0 ? pair : ([pair[1], pair[0]] as const);
        const results: Record<string, Awaited<ReturnType<typeof measure>>> = {};
        for (const [name, target, requests] of ordered) {
          results[name] = await measure(client, database, target, requests);
          await resetWrites(url, info);
        }
        const s = results.service!;
        const r = results.reference!;
        const total = (x: typeof s) => x.nodeMs + x.databaseMs;
        console.log(
          `${id} round ${round + 1}: service ${s.requestsPerSecond.toFixed(0)} req/s, ` +
            `${s.nodeMs.toFixed(2)} ms node + ${s.databaseMs.toFixed(2)} ms pg = ${total(s).toFixed(2)} ms CPU/req; ` +
            `${other} ${r.requestsPerSecond.toFixed(0)} req/s, ${r.nodeMs.toFixed(2)} + ${r.databaseMs.toFixed(2)} = ${total(r).toFixed(2)} ms; ` +
            `req/s ratio ${((s.requestsPerSecond / r.requestsPerSecond) * 100).toFixed(0)} %, ` +
            `CPU ratio (${against ? 'other' : 'ref'} ÷ service) ${((total(r) / total(s)) * 100).toFixed(0)} %` +
            (s.failed + r.failed > 0 ? `, FAILED ${s.failed}/${r.failed}` : ''),
        );
      }
    }
  } finally {
    await client.end();
    await Promise.all([api.stop(), reference.stop()]);
  }
}

await main();
