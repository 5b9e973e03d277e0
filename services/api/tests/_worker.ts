/**
 * The real worker (services/worker/src/server.ts) as a child process on the test's database and
 * its own NATS stream: the API's media tests need uploads processed as in production.
 */
import { spawn } from 'node:child_process';
import { freePort } from '@murmur/devkit/net';
import { connectToNats } from '@murmur/events/jetstream';
import { removeTopology, testTopology } from '@murmur/events/testing';
import { jetstreamManager } from '@nats-io/jetstream';

const WORKER_SERVER = new URL('../../worker/src/server.ts', import.meta.url).pathname;
const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

export interface WorkerProcess {
  /** The worker's /healthz, to check it still answers. */
  healthUrl: string;
  /** The subject prefix of its stream (an API process subscribes under it for streaming). */
  subjectPrefix: string;
  /** Everything the process has written so far (to explain a failure). */
  log(): string;
  /** Resident memory of the worker process, in bytes (from /proc). */
  rssBytes(): Promise<number>;
  stop(): Promise<void>;
}

export async function startWorkerProcess(env: {
  databaseUrl: string;
  mediaDir: string;
  /** More variables, e.g. MEDIA_STORAGE=s3 and its S3_* settings. */
  extra?: Record<string, string>;
}): Promise<WorkerProcess> {
  const topology = testTopology();
  const port = await freePort();
  const output: string[] = [];
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', WORKER_SERVER], {
    cwd: new URL('../../worker/', import.meta.url).pathname,
    env: {
      ...process.env,
      DATABASE_URL: env.databaseUrl,
      NATS_URL,
      NATS_STREAM: topology.streamName,
      NATS_SUBJECT_PREFIX: topology.subjectPrefix,
      PUBLIC_URL: 'https://murmur.test',
      MEDIA_STORAGE: 'local',
      MEDIA_DIR: env.mediaDir,
      MAIL_DIR: `${env.mediaDir}/mail`,
      WORKER_PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env.extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => output.push(String(chunk)));
  child.stderr.on('data', (chunk) => output.push(String(chunk)));
  const healthUrl = `http://127.0.0.1:${port}/healthz`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`worker exited:\n${output.join('')}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`worker not ready:\n${output.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    healthUrl,
    subjectPrefix: topology.subjectPrefix,
    log: () => output.join(''),
    async rssBytes() {
      const { readFile } = await import('node:fs/promises');
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      const nats = await connectToNats({ url: NATS_URL, name: 'api-test-cleanup' });
      await removeTopology(await jetstreamManager(nats), topology).catch(() => {});
      await nats.close();
    },
  };
}
