/**
 * Running the services as child processes for the Chromium tests (not a test file): the whole
 * system behind the one-origin dev proxy (`startSystem`), and its parts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@murmur/devkit/net';
import { startDevProxy } from '@murmur/devkit/proxy';
import { connectToNats } from '@murmur/events/jetstream';
import { removeTopology, testTopology } from '@murmur/events/testing';
import { jetstreamManager } from '@nats-io/jetstream';

export const API_SERVER = new URL('../../api/src/server.ts', import.meta.url).pathname;
export const FRONTEND_SERVER = new URL('../src/server.ts', import.meta.url).pathname;
export const WORKER_SERVER = new URL('../../worker/src/server.ts', import.meta.url).pathname;

export function startService(
  entry: string,
  env: Record<string, string>,
  output: string[],
): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', entry], {
    cwd: new URL('../', `file://${entry}`).pathname,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => output.push(String(chunk)));
  child.stderr!.on('data', (chunk) => output.push(String(chunk)));
  return child;
}

export async function waitForHealth(
  url: string,
  child: ChildProcess,
  output: string[],
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} exited:\n${output.join('')}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become healthy:\n${output.join('')}`);
}

/** Stops a child process started by `startService` and waits for it to exit. */
export async function stopService(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** The whole system for a browser: API, website and worker as child processes behind the proxy. */
export interface RunningSystem {
  /** The one public origin (the dev proxy). */
  origin: string;
  /** Everything the services wrote (shown when one fails to start). */
  output: string[];
  /** Stops the proxy and the services, and removes the test's JetStream stream. */
  stop(): Promise<void>;
}

export async function startSystem(options: {
  databaseUrl: string;
  /** Where uploads (and, without SMTP, e-mails) are written. */
  mediaDir: string;
  /** Extra environment of the API and of the worker (e.g. `SMTP_URL`). */
  apiEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
}): Promise<RunningSystem> {
  const natsUrl = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
  const topology = testTopology();
  const output: string[] = [];
  const [apiPort, frontendPort, proxyPort, workerPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const origin = `http://127.0.0.1:${proxyPort}`;
  const shared = {
    DATABASE_URL: options.databaseUrl,
    PUBLIC_URL: origin,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
    MEDIA_STORAGE: 'local',
    MEDIA_DIR: options.mediaDir,
  };
  const worker = startService(
    WORKER_SERVER,
    {
      ...shared,
      WORKER_PORT: String(workerPort),
      NATS_URL: natsUrl,
      NATS_STREAM: topology.streamName,
      NATS_SUBJECT_PREFIX: topology.subjectPrefix,
      MAIL_DIR: join(options.mediaDir, 'mail'),
      ...options.workerEnv,
    },
    output,
  );
  const api = startService(
    API_SERVER,
    { ...shared, API_PORT: String(apiPort), BCRYPT_COST: '10', ...options.apiEnv },
    output,
  );
  const frontend = startService(
    FRONTEND_SERVER,
    {
      ...shared,
      FRONTEND_PORT: String(frontendPort),
      API_INTERNAL_URL: `http://127.0.0.1:${apiPort}`,
    },
    output,
  );
  const proxy = await startDevProxy({
    port: proxyPort,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    frontendUrl: `http://127.0.0.1:${frontendPort}`,
  });
  const stop = async () => {
    await new Promise((resolve) => proxy.close(resolve));
    for (const child of [api, frontend, worker]) await stopService(child);
    const nats = await connectToNats({ url: natsUrl, name: 'browser-test-cleanup' });
    await removeTopology(await jetstreamManager(nats), topology).catch(() => {});
    await nats.close();
  };
  try {
    await Promise.all([
      waitForHealth(`http://127.0.0.1:${apiPort}/healthz`, api, output),
      waitForHealth(`http://127.0.0.1:${frontendPort}/healthz`, frontend, output),
      waitForHealth(`http://127.0.0.1:${workerPort}/readyz`, worker, output),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, output, stop };
}
