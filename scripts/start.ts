/**
 * `npm start`: runs the whole system on this machine. Starts PostgreSQL and NATS when they are
 * installed but not running, creates and migrates the database, starts the API, the worker and the
 * website, and serves them at one origin (PUBLIC_URL) through a small proxy, as production does with
 * a reverse proxy. Ctrl-C stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabaseIfMissing, migrateDatabase } from '@murmur/db';
import {
  DEFAULT_DATABASE_URL,
  DEFAULT_NATS_URL,
  ensureNats,
  ensurePostgres,
} from '@murmur/devkit/infrastructure';
import { startDevProxy } from '@murmur/devkit/proxy';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string) => console.log(`[start] ${line}`);

const ports = {
  API_PORT: process.env.API_PORT ?? '3001',
  FRONTEND_PORT: process.env.FRONTEND_PORT ?? '3002',
  WORKER_PORT: process.env.WORKER_PORT ?? '3003',
};
/** Where this machine reaches a service listening on HOST: loopback unless HOST names one interface. */
const listenHost = process.env.HOST ?? '127.0.0.1';
const localHost = ['0.0.0.0', '::', ''].includes(listenHost) ? '127.0.0.1' : listenHost;
const localUrl = (port: string) =>
  `http://${localHost.includes(':') ? `[${localHost}]` : localHost}:${port}`;

const env: Record<string, string> = {
  DATABASE_URL: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
  NATS_URL: process.env.NATS_URL ?? DEFAULT_NATS_URL,
  PUBLIC_URL: process.env.PUBLIC_URL ?? 'http://localhost:3000',
  ...ports,
  // The website's token exchange goes to this API, never to a fixed port (issue 12).
  API_INTERNAL_URL: process.env.API_INTERNAL_URL ?? localUrl(ports.API_PORT),
  MAIL_DIR: process.env.MAIL_DIR ?? join(root, '.data', 'mail'),
  // One folder for the api (which stores uploads) and the worker (which processes them).
  MEDIA_DIR: process.env.MEDIA_DIR ?? join(root, '.data', 'media'),
};

const services = ['api', 'worker', 'frontend'] as const;
const children = new Map<string, ChildProcess>();
let stopping = false;

function startService(name: (typeof services)[number]) {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join('src', 'server.ts')],
    {
      cwd: join(root, 'services', name),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const prefix = `[${name}]`.padEnd(11);
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) console.log(`${prefix} ${line}`);
    });
  }
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      log(`${name} exited (${signal ?? code}); stopping everything`);
      void stop(1);
    }
  });
  children.set(name, child);
}

async function stop(exitCode = 0) {
  if (stopping) return;
  stopping = true;
  log('stopping services');
  for (const child of children.values()) child.kill('SIGTERM');
  const deadline = Date.now() + 15_000;
  while (children.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const child of children.values()) child.kill('SIGKILL');
  process.exit(exitCode);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  await ensurePostgres(env.DATABASE_URL!, log);
  await ensureNats(env.NATS_URL!, log);
  if (await createDatabaseIfMissing(env.DATABASE_URL!)) log('created the database');
  await migrateDatabase(env.DATABASE_URL!);
  log('database migrated');
} catch (error) {
  console.error(`[start] ${(error as Error).message}`);
  process.exit(1);
}

for (const name of services) startService(name);

const publicUrl = new URL(env.PUBLIC_URL!);
await startDevProxy({
  port: Number(publicUrl.port || 80),
  host: publicUrl.hostname === 'localhost' ? '127.0.0.1' : publicUrl.hostname,
  apiUrl: localUrl(ports.API_PORT),
  frontendUrl: localUrl(ports.FRONTEND_PORT),
});
log(`Murmur is running: open ${env.PUBLIC_URL} (Ctrl-C stops everything)`);
log(
  `Emails are written to ${process.env.SMTP_URL ? process.env.SMTP_URL.replace(/\/\/.*@/, '//***@') : env.MAIL_DIR}`,
);
