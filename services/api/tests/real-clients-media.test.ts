/**
 * Media with masto.js (used by Elk and Phanpy), unmodified, over HTTP, with the real worker
 * processing the uploads: a photo with its alt text, waited for by masto.js's own polling, posted
 * with three more; another account reads all four with their descriptions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { freePort } from '@murmur/devkit/net';
import { photoJpeg } from '@murmur/media/testing';
import { createRestAPIClient } from 'masto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountFixture, createTestApp, type TestApp } from './_helpers.js';
import { tokenFor } from './_mastodon.js';
import { startWorkerProcess, type WorkerProcess } from './_worker.js';

let t: TestApp;
let testDb: TestDatabase;
let worker: WorkerProcess;
let directory: string;
let url: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'murmur-masto-media-'));
  testDb = await createTestDatabase();
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  t = await createTestApp({
    env: { PUBLIC_URL: url, MEDIA_STORAGE: 'local', MEDIA_DIR: directory },
    testDatabase: testDb,
  });
  await t.app.listen({ port, host: '127.0.0.1' });
  worker = await startWorkerProcess({ databaseUrl: testDb.url, mediaDir: directory });
});

afterAll(async () => {
  await worker?.stop();
  await t?.close();
  await testDb?.destroy();
  await rm(directory, { recursive: true, force: true });
});

async function client(username: string) {
  const account = await createAccountFixture(t.database, { username });
  const accessToken = await tokenFor(t.database, account.id, ['read', 'write']);
  return createRestAPIClient({ url, accessToken });
}

describe('masto.js', () => {
  it('uploads four photos with alt text, posts them; another account sees them', async () => {
    const author = await client('photo_author');
    const reader = await client('photo_reader');
    const descriptions = [
      'A fox asleep in the snow',
      'Two herons on a branch',
      'Fog over the harbour at dawn',
      'A red bicycle against a blue wall',
    ];
    const uploads = [];
    for (const [i, description] of descriptions.entries()) {
      const bytes = await photoJpeg(800 + i * 10, 600, { gps: true });
      // masto.js polls GET /api/v1/media/:id until the worker has processed it.
      uploads.push(
        await author.v2.media.create({
          file: new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }),
          description,
        }),
      );
    }
    for (const media of uploads) expect(media.url).toMatch(/\/media\/files\//);

    const status = await author.v1.statuses.create({
      status: 'Four photos from the week',
      mediaIds: uploads.map((m) => m.id),
    });
    const seen = await reader.v1.statuses.$select(status.id).fetch();
    expect(seen.mediaAttachments.map((m) => m.description)).toEqual(descriptions);
    expect(seen.mediaAttachments.map((m) => m.id)).toEqual(uploads.map((m) => m.id));
    for (const [i, media] of seen.mediaAttachments.entries()) {
      expect(media.type).toBe('image');
      expect(media.meta?.original?.width).toBe(800 + i * 10);
      const file = await fetch(media.url!);
      expect(file.headers.get('content-type')).toBe('image/jpeg');
      const bytes = Buffer.from(await file.arrayBuffer());
      expect((await sharp(bytes).metadata()).exif).toBeUndefined();
    }
  });
});
