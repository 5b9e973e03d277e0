/** Starts Murmur's services (and the reference server) as child processes and waits until they are ready. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX_LOADER = import.meta.resolve('tsx');

export type ServiceName = 'api' | 'frontend' | 'worker';
export type RunMode = 'auto' | 'compiled' | 'source';

export interface RunningProcess {
  name: string;
  origin: string;
  /** `compiled` (dist/) or `source` (tsx). */
  mode: 'compiled' | 'source';
  logFile: string;
  /** The process id (for memory samples). */
  pid: number;
  stop(): Promise<void>;
}

import { freePort } from '@murmur/devkit/net';

export { freePort };

/** The command that runs a service: its compiled entry when built (what production runs), else the source. */
export function serviceCommand(
  name: ServiceName,
  mode: RunMode,
  root: string = REPOSITORY_ROOT,
): { args: string[]; cwd: string; mode: 'compiled' | 'source' } {
  const cwd = join(root, 'services', name);
  const compiled = join(cwd, 'dist', 'server.js');
  const useCompiled = mode === 'compiled' || (mode === 'auto' && existsSync(compiled));
  if (useCompiled) {
    if (!existsSync(compiled))
      throw new Error(`${compiled} is missing: run \`pnpm build\` first or use --mode source`);
    return { args: [compiled], cwd, mode: 'compiled' };
  }
  const source = join(cwd, 'src', 'server.ts');
  if (!existsSync(source)) throw new Error(`services/${name}/src/server.ts does not exist yet`);
  return { args: ['--conditions=source', '--import', TSX_LOADER, source], cwd, mode: 'source' };
}

async function waitUntilReady(
  child: ChildProcess,
  url: string,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  while (Date.now() < deadline) {
    if (exited !== null)
      throw new Error(`${url} exited with code ${exited} before it was ready; see ${logFile}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`${url} was not ready within ${timeoutMs / 1000} s; see ${logFile}`);
}

export interface StartOptions {
  name: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  port: number;
  readyPath: string;
  logDirectory: string;
  mode: 'compiled' | 'source';
}

export async function startProcess(options: StartOptions): Promise<RunningProcess> {
  await mkdir(options.logDirectory, { recursive: true });
  const logFile = join(options.logDirectory, `${options.name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  // e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the services.
  const extraArgs = process.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extraArgs, ...options.args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const origin = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 8_000);
    await exited;
    clearTimeout(timer);
    log.end();
  };
  try {
    await waitUntilReady(child, origin + options.readyPath, logFile, 90_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name: options.name, origin, mode: options.mode, logFile, pid: child.pid ?? 0, stop };
}

export interface ServiceEnvironment {
  databaseUrl: string;
  natsUrl: string;
  logLevel: string;
  extra?: Record<string, string>;
}

/** Development secrets are fine for a benchmark; NODE_ENV stays production so production code paths run. */
const SECRETS = {
  WEB_CLIENT_SECRET: 'bench-web-client-secret-0123456789abcdef',
  API_COOKIE_SECRET: 'bench-api-cookie-secret-0123456789abcdef',
  UNSUBSCRIBE_SECRET: 'bench-unsubscribe-secret-0123456789abcdef',
  // Production refuses to start without VAPID keys while push is on; the push bench passes a pair.
  PUSH_ENABLED: 'false',
};

export async function startService(
  name: ServiceName,
  mode: RunMode,
  environment: ServiceEnvironment,
  logDirectory: string,
  /** Another checkout of the repository (an A/B against older code); this one by default. */
  root?: string,
): Promise<RunningProcess> {
  const command = serviceCommand(name, mode, root);
  const port = await freePort();
  const portVariable = { api: 'API_PORT', frontend: 'FRONTEND_PORT', worker: 'WORKER_PORT' }[name];
  return startProcess({
    name: root ? `${name}-${basename(root)}` : name,
    ...command,
    port,
    readyPath: '/readyz',
    logDirectory,
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: environment.databaseUrl,
      NATS_URL: environment.natsUrl,
      PUBLIC_URL: 'http://localhost:3000',
      HOST: '127.0.0.1',
      [portVariable]: String(port),
      LOG_LEVEL: environment.logLevel,
      // A proxy on loopback is trusted for X-Forwarded-For, as behind the production reverse proxy.
      TRUST_PROXY: 'loopback',
      BCRYPT_COST: '10',
      ...SECRETS,
      ...environment.extra,
    },
  });
}

/** The reference server (src/reference/server.ts) on a free port, against the dataset at `databaseUrl`. */
export async function startReference(
  databaseUrl: string,
  logDirectory: string,
): Promise<RunningProcess> {
  const port = await freePort();
  return startProcess({
    name: 'reference',
    args: [
      '--conditions=source',
      '--import',
      TSX_LOADER,
      fileURLToPath(new URL('./reference/server.ts', import.meta.url)),
    ],
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { REFERENCE_DATABASE_URL: databaseUrl, REFERENCE_PORT: String(port) },
    port,
    readyPath: '/readyz',
    logDirectory,
    mode: 'source',
  });
}
