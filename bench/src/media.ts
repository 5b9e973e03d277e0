/**
 * The media benchmark: 12 MP JPEGs through the real API and worker (child processes, local
 * storage), beside sharp alone doing the same work in this process on the same files (the
 * reference: `processAttachment`, the worker's own function, at the worker's concurrency).
 *
 *   pnpm --filter @murmur/bench bench:media [--images 16] [--latency-samples 10] [--concurrent 8]
 *
 * Reports upload-to-ready latency one upload at a time (p50/p99), images per second with
 * `--concurrent` uploads in flight for the worker and for the reference, and the worker's peak
 * resident memory meanwhile (sampled from /proc every 20 ms).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Database } from '@murmur/db';
import { findOwnMedia } from '@murmur/db/media';
import { issueAccessToken, registerApplication } from '@murmur/db/auth';
import { createAccountFixture, createTestDatabase } from '@murmur/db/testing';
import { isolatedTopology } from '@murmur/events';
import { connectToNats } from '@murmur/events/jetstream';
import { removeTopology } from '@murmur/events/testing';
import { disableImageCache, processAttachment } from '@murmur/media';
import { photoJpeg } from '@murmur/media/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { startService, type RunningProcess } from './services.js';
import { summarize } from './stats.js';

const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: '16' },
    'latency-samples': { type: 'string', default: '10' },
    concurrent: { type: 'string', default: '8' },
    'media-concurrency': { type: 'string', default: '2' },
  },
});
const IMAGES = Number(args.images);
const LATENCY_SAMPLES = Number(args['latency-samples']);
const CONCURRENT = Number(args.concurrent);
const MEDIA_CONCURRENCY = Number(args['media-concurrency']);
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

async function rss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** Runs `task` over `items` with at most `limit` at once. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

function multipart(bytes: Buffer): { body: Buffer; type: string } {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  return {
    type: `multipart/form-data; boundary=${boundary}`,
    body: Buffer.concat([
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="photo.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`,
      ),
      bytes,
      Buffer.from(
        `\r\n--${boundary}\r\ncontent-disposition: form-data; name="description"\r\n\r\nA 12 MP photo\r\n--${boundary}--\r\n`,
      ),
    ]),
  };
}

async function uploadUntilReady(
  api: RunningProcess,
  token: string,
  bytes: Buffer,
  database: Database,
  accountId: string,
) {
  const started = performance.now();
  const { body, type } = multipart(bytes);
  const response = await fetch(`${api.origin}/api/v2/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    body,
  });
  if (response.status !== 202 && response.status !== 200) {
    throw new Error(`upload answered ${response.status}: ${await response.text()}`);
  }
  const { id } = (await response.json()) as { id: string };
  // Readiness is read from the database: polling GET /api/v1/media/:id this often would hit the
  // API's rate limit (300 requests per 5 minutes, as Mastodon).
  for (;;) {
    const media = await findOwnMedia(database.primary, accountId, id);
    if (media?.processing === 'processed') return performance.now() - started;
    if (media?.processing !== 'pending') throw new Error(`media ${id}: ${media?.failureReason}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function main() {
  disableImageCache();
  console.log(`generating ${Math.min(IMAGES, 4)} distinct 4000×3000 JPEGs…`);
  const photos: Buffer[] = [];
  for (let i = 0; i < Math.min(IMAGES, 4); i++) photos.push(await photoJpeg(4000, 3000));
  const files = Array.from({ length: IMAGES }, (_, i) => photos[i % photos.length]!);
  const averageMb = files.reduce((sum, f) => sum + f.length, 0) / files.length / 1e6;

  // The reference: sharp alone, the same function on the same files, at the worker's concurrency.
  // Run before and after the services (the machine's load changes), and the faster one kept.
  const reference = async () => {
    const started = performance.now();
    await pool(files, MEDIA_CONCURRENCY, async (file) => {
      await processAttachment(file);
    });
    return (performance.now() - started) / 1000;
  };
  await processAttachment(photos[0]!);
  const referenceBefore = await reference();

  const testDb = await createTestDatabase();
  const mediaDir = await mkdtemp(join(tmpdir(), 'murmur-bench-media-'));
  const topology = isolatedTopology(`benchmedia${randomBytes(3).toString('hex')}`);
  const logDirectory = join(mediaDir, 'logs');
  const extra = {
    MEDIA_STORAGE: 'local',
    MEDIA_DIR: mediaDir,
    MAIL_DIR: join(mediaDir, 'mail'),
    NATS_STREAM: topology.streamName,
    NATS_SUBJECT_PREFIX: topology.subjectPrefix,
    MEDIA_CONCURRENCY: String(MEDIA_CONCURRENCY),
  };
  const environment = { databaseUrl: testDb.url, natsUrl: NATS_URL, logLevel: 'warn', extra };
  const api = await startService('api', 'auto', environment, logDirectory);
  const worker = await startService('worker', 'auto', environment, logDirectory);
  try {
    const account = await createAccountFixture(testDb.database);
    const { application } = await registerApplication(testDb.database, {
      name: 'bench',
      website: null,
      redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
      scopes: ['write'],
    });
    const { accessToken } = await issueAccessToken(testDb.database, {
      applicationId: application.id,
      accountId: account.id,
      scopes: ['write'],
    });

    const upload = (bytes: Buffer) =>
      uploadUntilReady(api, accessToken, bytes, testDb.database, account.id);
    await upload(photos[0]!);
    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      latencies.push(await upload(photos[i % photos.length]!));
    }

    let peak = await rss(worker.pid);
    const idle = peak;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await rss(worker.pid));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const throughputStart = performance.now();
    await pool(files, CONCURRENT, async (file) => {
      await upload(file);
    });
    const workerSeconds = (performance.now() - throughputStart) / 1000;
    sampling = false;
    await sampler;
    const referenceAfter = await reference();
    const referenceSeconds = Math.min(referenceBefore, referenceAfter);

    const latency = summarize(latencies);
    const result = {
      images: IMAGES,
      averageJpegMb: Number(averageMb.toFixed(1)),
      mediaConcurrency: MEDIA_CONCURRENCY,
      uploadsInFlight: CONCURRENT,
      uploadToReadyMs: { p50: Math.round(latency.p50), p99: Math.round(latency.p99) },
      workerImagesPerSecond: Number((IMAGES / workerSeconds).toFixed(2)),
      referenceImagesPerSecond: Number((IMAGES / referenceSeconds).toFixed(2)),
      referenceRuns: [referenceBefore, referenceAfter].map((s) => Number((IMAGES / s).toFixed(2))),
      workerShareOfReference: `${Math.round((referenceSeconds / workerSeconds) * 100)} %`,
      workerRssMb: { idle: Math.round(idle / 1e6), peak: Math.round(peak / 1e6) },
      services: { api: api.mode, worker: worker.mode },
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await worker.stop();
    await api.stop();
    const nats = await connectToNats({ url: NATS_URL, name: 'bench-media-cleanup' });
    await removeTopology(await jetstreamManager(nats), topology).catch(() => {});
    await nats.close();
    await testDb.destroy();
    await rm(mediaDir, { recursive: true, force: true });
  }
}

await main();
