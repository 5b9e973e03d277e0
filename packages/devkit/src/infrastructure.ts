/**
 * Local infrastructure for development and tests: find PostgreSQL and NATS, and start the locally
 * installed servers when they are not running. Nothing here is used in production, where the
 * platform runs the servers.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/murmur';
export const DEFAULT_ADMIN_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

export class InfrastructureError extends Error {
  override name = 'InfrastructureError';
}

function hostAndPort(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || defaultPort) };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
}

/** Resolves true when something accepts TCP connections on host:port. */
export function isListening(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitUntilListening(host: string, port: number, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isListening(host, port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new InfrastructureError(`${what} did not start listening on ${host}:${port} in time`);
}

function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function debianPostgresVersions(): string[] {
  const root = '/etc/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((v) => existsSync(join(root, v, 'main')));
}

/** Makes sure a PostgreSQL server answers at `url`, starting Debian's cluster when it is installed but stopped. */
export async function ensurePostgres(url: string, log: (line: string) => void = () => {}) {
  const { host, port } = hostAndPort(url, 5432);
  if (await isListening(host, port)) return;
  if (!isLoopback(host)) {
    throw new InfrastructureError(`PostgreSQL is not reachable at ${host}:${port}`);
  }
  const versions = debianPostgresVersions();
  if (versions.length === 0 || !commandExists('pg_ctlcluster')) {
    throw new InfrastructureError(
      `PostgreSQL is not running on ${host}:${port} and no local cluster was found. ` +
        `Install Debian's "postgresql" package or set DATABASE_URL / TEST_DATABASE_URL.`,
    );
  }
  const version = versions.sort().at(-1)!;
  log(`starting PostgreSQL ${version} (cluster "main")`);
  const result = spawnSync(
    'pg_ctlcluster',
    ['--skip-systemctl-redirect', version, 'main', 'start'],
    {
      encoding: 'utf8',
    },
  );
  if (result.status !== 0 && !/already running/.test(result.stderr ?? '')) {
    throw new InfrastructureError(`could not start PostgreSQL: ${result.stderr || result.stdout}`);
  }
  await waitUntilListening(host, port, 'PostgreSQL');
}

/** The installed nats-server: Debian's path, or whatever `nats-server` is on the PATH. */
export function natsServerBinary(): string | undefined {
  const binary = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((p) => existsSync(p));
  return binary ?? (commandExists('nats-server') ? 'nats-server' : undefined);
}

/**
 * Makes sure a NATS server with JetStream answers at `url` (one URL, or a cluster's seeds separated by
 * commas: one that answers is enough), starting the local binary when a single loopback server is named.
 */
export async function ensureNats(url: string, log: (line: string) => void = () => {}) {
  const seeds = url
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => hostAndPort(/^[a-z]+:\/\//i.test(entry) ? entry : `nats://${entry}`, 4222));
  for (const seed of seeds) if (await isListening(seed.host, seed.port)) return;
  const where = seeds.map((s) => `${s.host}:${s.port}`).join(', ');
  if (seeds.length !== 1 || !isLoopback(seeds[0]!.host)) {
    throw new InfrastructureError(`NATS is not reachable at ${where}`);
  }
  const { host, port } = seeds[0]!;
  const command = natsServerBinary();
  if (!command) {
    throw new InfrastructureError(
      `NATS is not running on ${host}:${port} and nats-server is not installed. ` +
        `Install Debian's "nats-server" package or set NATS_URL / TEST_NATS_URL.`,
    );
  }
  const dataDir = join(homedir(), '.local', 'share', 'murmur', 'nats');
  mkdirSync(dataDir, { recursive: true });
  const logFile = openSync(join(dataDir, 'nats-server.log'), 'a');
  log(`starting nats-server with JetStream on ${host}:${port} (data in ${dataDir})`);
  const child = spawn(command, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dataDir], {
    detached: true,
    stdio: ['ignore', logFile, logFile],
  });
  child.unref();
  await waitUntilListening(host, port, 'nats-server');
}
