/**
 * The `media` consumer against real PostgreSQL, NATS JetStream and files on disk: an upload's
 * MediaUploaded event makes the worker process it once; refused files get a reason a person can
 * read; the periodic cleanup removes only what no post uses.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { type Database } from '@murmur/db';
import { countProcessedEvents } from '@murmur/db/events';
import { createMediaUpload, findOwnMedia } from '@murmur/db/media';
import { createStatus } from '@murmur/db/statuses';
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { testTopology } from '@murmur/events/testing';
import { incomingKey, LocalStorage } from '@murmur/media';
import { photoJpeg, TEXT_FILE, truncatedJpeg } from '@murmur/media/testing';
import { createLogger } from '@murmur/service-kit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUpMedia } from '../src/media/cleanup.js';
import { MEDIA_CONSUMER } from '../src/consumers.js';
import { startWorker, testConfig, waitFor, type RunningWorker } from './_helpers.js';

const topology = testTopology();
let testDb: TestDatabase;
let database: Database;
let running: RunningWorker;
let directory: string;
let storage: LocalStorage;

beforeAll(async () => {
  testDb = await createTestDatabase({ poolSize: 10 });
  database = testDb.database;
  directory = await mkdtemp(join(tmpdir(), 'murmur-worker-media-'));
  storage = new LocalStorage(directory);
  const config = testConfig({
    databaseUrl: testDb.url,
    topology,
    overrides: { mediaStorage: { kind: 'local', directory } },
  });
  running = await startWorker(config, database);
});

afterAll(async () => {
  await running?.dispose(topology);
  await testDb?.destroy();
  await rm(directory, { recursive: true, force: true });
});

async function upload(accountId: string, bytes: Buffer, description = 'alt') {
  const key = incomingKey(randomUUID());
  await storage.put(key, bytes, 'application/octet-stream');
  const media = await createMediaUpload(database, { accountId, incomingKey: key, description });
  return { media, key };
}

async function settled(accountId: string, mediaId: string) {
  return waitFor(async () => {
    const media = await findOwnMedia(database.primary, accountId, mediaId);
    return media && media.processing !== 'pending' ? media : null;
  });
}

describe('media consumer', () => {
  it('processes an upload: files without GPS, meta, blurhash; the upload as received is removed', async () => {
    const owner = await createAccountFixture(database);
    const { media, key } = await upload(owner.id, await photoJpeg(1600, 1200, { gps: true }));
    const done = await settled(owner.id, media.id);
    expect(done).toMatchObject({
      processing: 'processed',
      description: 'alt',
      meta: {
        original: { width: 1600, height: 1200, size: '1600x1200', aspect: 1.333333 },
      },
    });
    expect(done.blurhash).toBeTruthy();
    const original = await storage.read(done.originalKey!);
    expect(original).not.toBeNull();
    expect((await sharp(original!).metadata()).exif).toBeUndefined();
    expect(original!.toString('latin1')).not.toContain('Secret Model');
    expect(await storage.read(done.smallKey!)).not.toBeNull();
    expect(await storage.read(key)).toBeNull();
    await waitFor(async () => (await countProcessedEvents(database, MEDIA_CONSUMER)) >= 1);
  });

  it('refuses a text file named .png and a truncated JPEG, and keeps serving', async () => {
    const owner = await createAccountFixture(database);
    const text = await upload(owner.id, TEXT_FILE);
    const truncated = await upload(owner.id, await truncatedJpeg());
    expect(await settled(owner.id, text.media.id)).toMatchObject({
      processing: 'failed',
      failureReason: expect.stringMatching(/not an image/),
    });
    expect(await settled(owner.id, truncated.media.id)).toMatchObject({
      processing: 'failed',
      failureReason: expect.stringMatching(/damaged or incomplete/),
    });
    const fine = await upload(owner.id, await photoJpeg(300, 200));
    expect((await settled(owner.id, fine.media.id)).processing).toBe('processed');
  });
});

describe('media cleanup', () => {
  it('removes old unattached uploads and their files; keeps what a post uses', async () => {
    const owner = await createAccountFixture(database);
    const unused = await upload(owner.id, await photoJpeg(200, 200));
    const used = await upload(owner.id, await photoJpeg(210, 200));
    const unusedDone = await settled(owner.id, unused.media.id);
    const usedDone = await settled(owner.id, used.media.id);
    await createStatus(database, { accountId: owner.id, text: 'x', mediaIds: [used.media.id] });
    const logger = createLogger({ service: 'test', level: 'silent' });
    // A day and a bit later, by the clock given to the job.
    await cleanUpMedia(
      { database, storage, logger },
      { now: new Date(Date.now() + 25 * 3600 * 1000), unattachedTtlMs: 24 * 3600 * 1000 },
    );
    expect(await findOwnMedia(database.primary, owner.id, unused.media.id)).toBeNull();
    expect(await storage.read(unusedDone.originalKey!)).toBeNull();
    expect(await storage.read(unusedDone.smallKey!)).toBeNull();
    expect(await findOwnMedia(database.primary, owner.id, used.media.id)).not.toBeNull();
    expect(await storage.read(usedDone.originalKey!)).not.toBeNull();
  });
});
