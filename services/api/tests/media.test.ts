/**
 * Mastodon's media API end to end with a real worker: uploads are checked at once, processed by the
 * worker's `media` consumer, attached to posts (up to 4, the poster's own), served with the image
 * type, nosniff and a sandboxing CSP, and never with EXIF GPS. Hostile files get a 4xx within
 * seconds while the API keeps answering.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  animatedGif,
  decompressionBombPng,
  photoJpeg,
  SVG_WITH_SCRIPT,
  TEXT_FILE,
  truncatedJpeg,
} from '@murmur/media/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import { json, startServer, signedInUser, type TestServer, type TestUser } from './_mastodon.js';
import { expectMastodonSchema } from './_openapi.js';
import { startWorkerProcess, type WorkerProcess } from './_worker.js';

let server: TestServer;
let app: ApiInstance;
let alice: TestUser;
let bob: TestUser;
let worker: WorkerProcess;
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'murmur-api-media-'));
  server = await startServer({ MEDIA_STORAGE: 'local', MEDIA_DIR: directory });
  app = server.app;
  alice = await signedInUser(server.database);
  bob = await signedInUser(server.database);
  worker = await startWorkerProcess({ databaseUrl: server.databaseUrl, mediaDir: directory });
});

afterAll(async () => {
  await worker?.stop();
  await server?.close();
  await rm(directory, { recursive: true, force: true });
});

function multipart(fields: Record<string, string | { name: string; type: string; bytes: Buffer }>) {
  const boundary = `----murmur${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') {
      parts.push(
        Buffer.from(
          `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
        ),
      );
    } else {
      parts.push(
        Buffer.from(
          `--${boundary}\r\ncontent-disposition: form-data; name="${name}"; filename="${value.name}"\r\ncontent-type: ${value.type}\r\n\r\n`,
        ),
        value.bytes,
        Buffer.from('\r\n'),
      );
    }
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

async function upload(
  user: TestUser,
  bytes: Buffer,
  extra: Record<string, string> = {},
  name = 'photo.jpg',
) {
  const body = multipart({ file: { name, type: 'image/jpeg', bytes }, ...extra });
  return app.inject({
    method: 'POST',
    url: '/api/v2/media',
    headers: { ...user.headers, ...body.headers },
    payload: body.payload,
  });
}

async function ready(user: TestUser, id: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const response = await app.inject({ url: `/api/v1/media/${id}`, headers: user.headers });
    if (response.statusCode !== 206) return response;
    if (Date.now() > deadline) throw new Error(`media ${id} still processing`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function processedUpload(user: TestUser, description: string) {
  const accepted = json(await upload(user, await photoJpeg(640, 480), { description }), 202);
  return json(await ready(user, accepted.id));
}

describe('uploading', () => {
  it('answers 202 with url null, then 206 while processing and 200 when ready', async () => {
    const response = await upload(alice, await photoJpeg(1600, 1200, { gps: true }), {
      description: 'A lighthouse at dusk',
      focus: '0.25,-0.5',
    });
    const accepted = json(response, 202);
    expectMastodonSchema('MediaAttachment', accepted);
    expect(accepted).toMatchObject({
      type: 'image',
      url: null,
      description: 'A lighthouse at dusk',
      meta: { focus: { x: 0.25, y: -0.5 } },
    });
    const done = json(await ready(alice, accepted.id));
    expectMastodonSchema('MediaAttachment', done);
    expect(done.meta.original).toEqual({
      width: 1600,
      height: 1200,
      size: '1600x1200',
      aspect: 1.333333,
    });
    expect(done.url).toMatch(/^https:\/\/murmur\.test\/media\/files\/\d+\/[0-9a-f]{64}\.jpg$/);
    expect(done.preview_url).toMatch(/\.webp$/);
    expect(done.blurhash).toEqual(expect.any(String));

    // Served at the public origin: the image type, nosniff, a sandboxing CSP, a year of cache.
    const file = await app.inject({ url: new URL(done.url).pathname });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/jpeg');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.headers['content-security-policy']).toMatch(/default-src 'none'; sandbox/);
    expect(file.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const served = await sharp(file.rawPayload).metadata();
    expect(served.exif).toBeUndefined();
    expect(file.rawPayload.toString('latin1')).not.toContain('Secret Model');
    const preview = await app.inject({ url: new URL(done.preview_url).pathname });
    expect(preview.headers['content-type']).toBe('image/webp');
  });

  it('the synchronous POST /api/v1/media answers once processed', async () => {
    const body = multipart({
      file: { name: 'a.png', type: 'image/png', bytes: await photoJpeg(300, 200) },
    });
    const done = json(
      await app.inject({
        method: 'POST',
        url: '/api/v1/media',
        headers: { ...alice.headers, ...body.headers },
        payload: body.payload,
      }),
    );
    expect(done.url).not.toBeNull();
  });

  it('changes alt text until the photo is posted, deletes an unposted one', async () => {
    const media = await processedUpload(alice, 'first words');
    const changed = json(
      await app.inject({
        method: 'PUT',
        url: `/api/v1/media/${media.id}`,
        headers: alice.headers,
        payload: { description: 'better words', focus: '0,1' },
      }),
    );
    expect(changed).toMatchObject({ description: 'better words', meta: { focus: { x: 0, y: 1 } } });
    const other = await processedUpload(alice, 'to delete');
    expect(
      (
        await app.inject({
          method: 'DELETE',
          url: `/api/v1/media/${other.id}`,
          headers: alice.headers,
        })
      ).statusCode,
    ).toBe(200);
    expect((await app.inject({ url: new URL(other.url).pathname })).statusCode).toBe(404);
    expect(
      (await app.inject({ url: `/api/v1/media/${media.id}`, headers: bob.headers })).statusCode,
    ).toBe(404);
  });
});

describe('posting with photos', () => {
  it('attaches four in order; another account sees them with their alt text', async () => {
    const media = [];
    for (const n of [1, 2, 3, 4]) media.push(await processedUpload(alice, `Photo number ${n}`));
    const order = [media[3], media[1], media[0], media[2]].map((m) => m.id);
    const posted = json(
      await app.inject({
        method: 'POST',
        url: '/api/v1/statuses',
        headers: alice.headers,
        payload: { status: 'Four photos', media_ids: order },
      }),
    );
    expectMastodonSchema('Status', posted);
    expect(posted.media_attachments.map((m: { id: string }) => m.id)).toEqual(order);
    const seen = json(
      await app.inject({ url: `/api/v1/statuses/${posted.id}`, headers: bob.headers }),
    );
    expect(seen.media_attachments).toEqual(posted.media_attachments);
    expect(seen.media_attachments.map((m: { description: string }) => m.description)).toEqual([
      'Photo number 4',
      'Photo number 2',
      'Photo number 1',
      'Photo number 3',
    ]);
    for (const m of seen.media_attachments) expectMastodonSchema('MediaAttachment', m);
    // The profile's media tab lists it (and not alice's posts without photos).
    const mediaTab = json(
      await app.inject({ url: `/api/v1/accounts/${alice.id}/statuses?only_media=true` }),
    );
    expect(mediaTab.map((s: { id: string }) => s.id)).toContain(posted.id);
    expect(
      mediaTab.every((s: { media_attachments: unknown[] }) => s.media_attachments.length > 0),
    ).toBe(true);
    // Posted: its alt text is fixed from now on (which is what lets statuses be cached).
    const refused = await app.inject({
      method: 'PUT',
      url: `/api/v1/media/${order[0]}`,
      headers: alice.headers,
      payload: { description: 'changed' },
    });
    expect(refused.statusCode).toBe(422);
  });

  it('refuses a fifth attachment and someone else’s, with a message', async () => {
    const five = [];
    for (let n = 0; n < 5; n++) five.push((await processedUpload(alice, `p${n}`)).id);
    const tooMany = await app.inject({
      method: 'POST',
      url: '/api/v1/statuses',
      headers: alice.headers,
      payload: { status: 'five', media_ids: five },
    });
    expect(json(tooMany, 422).error).toMatch(/at most 4 attachments/);
    const theirs = await processedUpload(bob, 'bob’s');
    const stolen = await app.inject({
      method: 'POST',
      url: '/api/v1/statuses',
      headers: alice.headers,
      payload: { status: 'mine now', media_ids: [theirs.id] },
    });
    expect(json(stolen, 422).error).toMatch(/not found among your uploads/);
  });
});

describe('hostile files: a clear 4xx within seconds, and the API keeps serving', () => {
  const cases: [string, () => Promise<Buffer>, number, RegExp][] = [
    ['a text file named .png', async () => TEXT_FILE, 422, /not an image/],
    ['an SVG with a script', async () => SVG_WITH_SCRIPT, 422, /SVG images are not accepted/],
    ['a 20000×20000 PNG bomb', () => decompressionBombPng(), 422, /too large: 20000×20000/],
    ['a GIF with 10,000 frames', () => animatedGif(10_000, 2), 422, /too many frames/],
    [
      'a 60 MB file',
      async () => Buffer.alloc(60 * 1024 * 1024, 0xff),
      413,
      /too large \(at most 16 MB\)/,
    ],
  ];
  for (const [what, make, status, message] of cases) {
    it(what, async () => {
      const bytes = await make();
      const started = performance.now();
      const response = await upload(alice, bytes, {}, 'photo.png');
      expect(performance.now() - started).toBeLessThan(5000);
      expect(json(response, status).error).toMatch(message);
      expect((await app.inject({ url: '/api/v1/instance' })).statusCode).toBe(200);
      expect((await fetch(worker.healthUrl)).status).toBe(200);
    });
  }

  it('a truncated JPEG: accepted, then refused by the worker with the reason', async () => {
    const accepted = json(await upload(alice, await truncatedJpeg()), 202);
    const refused = await ready(alice, accepted.id);
    expect(json(refused, 422).error).toMatch(/damaged or incomplete/);
    const post = await app.inject({
      method: 'POST',
      url: '/api/v1/statuses',
      headers: alice.headers,
      payload: { status: 'broken', media_ids: [accepted.id] },
    });
    expect(json(post, 422).error).toMatch(/could not be processed/);
  });

  it('an upload as received is never served', async () => {
    expect((await app.inject({ url: '/media/incoming/abc' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/media/../package.json' })).statusCode).toBe(404);
  });
});

describe('avatars and headers', () => {
  it('update_credentials crops them; DELETE /api/v1/profile/avatar brings the default back', async () => {
    const body = multipart({
      avatar: {
        name: 'me.jpg',
        type: 'image/jpeg',
        bytes: await photoJpeg(900, 600, { gps: true }),
      },
      header: { name: 'sea.jpg', type: 'image/jpeg', bytes: await photoJpeg(2000, 1000) },
    });
    const account = json(
      await app.inject({
        method: 'PATCH',
        url: '/api/v1/accounts/update_credentials',
        headers: { ...alice.headers, ...body.headers },
        payload: body.payload,
      }),
    );
    expectMastodonSchema('CredentialAccount', account);
    expect(account.avatar).toMatch(/\/media\/profiles\/\d+\/[0-9a-f]{64}\.jpg$/);
    const avatar = await app.inject({ url: new URL(account.avatar).pathname });
    const meta = await sharp(avatar.rawPayload).metadata();
    expect([meta.width, meta.height, meta.exif]).toEqual([400, 400, undefined]);
    const header = await app.inject({ url: new URL(account.header).pathname });
    const headerMeta = await sharp(header.rawPayload).metadata();
    expect([headerMeta.width, headerMeta.height]).toEqual([1500, 500]);

    const seen = json(await app.inject({ url: `/api/v1/accounts/${alice.id}` }));
    expect(seen.avatar).toBe(account.avatar);

    const removed = json(
      await app.inject({ method: 'DELETE', url: '/api/v1/profile/avatar', headers: alice.headers }),
    );
    expect(removed.avatar).toMatch(/missing\.png$/);
    expect((await app.inject({ url: new URL(account.avatar).pathname })).statusCode).toBe(404);
  });
});

describe('instance', () => {
  it('tells clients what uploads may be', async () => {
    const instance = json(await app.inject({ url: '/api/v2/instance' }));
    expect(instance.configuration.statuses.max_media_attachments).toBe(4);
    expect(instance.configuration.media_attachments).toMatchObject({
      supported_mime_types: ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif'],
      image_size_limit: 16 * 1024 * 1024,
      image_matrix_limit: 33_177_600,
      description_limit: 1500,
    });
  });
});
