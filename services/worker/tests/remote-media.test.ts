/**
 * Attachments of remote statuses through the real worker: an image on another server is fetched
 * (through the safe fetch) and processed as an upload is (metadata stripped, preview, blurhash),
 * so readers load it from here; what cannot be fetched or is not an image (a private address, a
 * server error, a file too large, HTML) is recorded as failed and stays a link to the remote file.
 */
import { type Database } from '@murmur/db';
import {
  receiveRemoteStatus,
  upsertRemoteAccount,
  type RemoteAttachmentInput,
} from '@murmur/db/federation';
import { findVisibleStatus } from '@murmur/db/timelines';
import { remoteAccountFixture, remoteStatusFixture } from '@murmur/db/testing';
import { type LocalStorage, MEDIA_LIMITS } from '@murmur/media';
import { photoJpeg } from '@murmur/media/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './_helpers.js';
import { startRemoteFilesWorker, type RemoteFilesWorker } from './_remote-files.js';

let remote: RemoteFilesWorker;
let database: Database;
let storage: LocalStorage;
let filesOrigin: string;
let remoteAccountId: string;
let nextNote = 1;

beforeAll(async () => {
  const photo = await photoJpeg(1200, 900, { gps: true });
  const tooLarge = Buffer.alloc(MEDIA_LIMITS.maxUploadBytes + 1024, 0xff);
  // The test's "remote server" is on loopback; other private addresses stay refused.
  remote = await startRemoteFilesWorker((path) => {
    if (path === '/photo.jpg') return { status: 200, contentType: 'image/jpeg', body: photo };
    if (path === '/huge.jpg') return { status: 200, body: tooLarge };
    if (path === '/page.jpg') return { status: 200, body: '<html>not an image</html>' };
    return { status: 500 };
  });
  ({ database, storage, filesOrigin } = remote);
  remoteAccountId = await upsertRemoteAccount(
    database,
    remoteAccountFixture({
      uri: `${filesOrigin}/users/mallory`,
      username: 'mallory',
      displayName: 'Mallory',
    }),
  );
});

afterAll(async () => {
  await remote?.close();
});

function image(remoteUrl: string): RemoteAttachmentInput {
  return {
    remoteUrl,
    kind: 'image',
    description: 'A photo',
    blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
    width: 1200,
    height: 900,
    focus: { x: 0.25, y: -0.5 },
  };
}

/** A remote status with these attachments, as the inbox stores one; then its attachments once settled. */
async function receivedWith(attachments: RemoteAttachmentInput[], accountId = remoteAccountId) {
  const uri = `${filesOrigin}/users/mallory/statuses/${nextNote++}`;
  const { id } = await receiveRemoteStatus(
    database,
    remoteStatusFixture({ accountId, uri, text: 'look', attachments }),
  );
  return waitFor(async () => {
    const status = await findVisibleStatus(database.primary, id);
    const media = status?.mediaAttachments ?? [];
    return media.length > 0 && media.every((m) => m.processing !== 'pending') ? media : null;
  });
}

describe('remote attachments', () => {
  it('an image is fetched and processed here: no metadata, a preview, our own blurhash', async () => {
    const [media] = await receivedWith([image(`${filesOrigin}/photo.jpg`)]);
    expect(media).toMatchObject({
      type: 'image',
      processing: 'processed',
      remoteUrl: `${filesOrigin}/photo.jpg`,
      description: 'A photo',
      focus: { x: 0.25, y: -0.5 },
      meta: { original: { width: 1200, height: 900 }, small: {} },
    });
    const original = await storage.read(media!.originalKey!);
    expect((await sharp(original!).metadata()).exif).toBeUndefined();
    expect(await storage.read(media!.smallKey!)).not.toBeNull();
    expect(media!.blurhash).not.toBe('LEHV6nWB2yk8pyo0adR*.7kCMdnj');
  });

  it('what cannot be had is failed with a reason, never fetched from a private address', async () => {
    const media = await receivedWith([
      image('http://10.1.2.3/internal.jpg'),
      image('http://169.254.169.254/latest/meta-data.jpg'),
      image(`${filesOrigin}/huge.jpg`),
      image(`${filesOrigin}/page.jpg`),
    ]);
    expect(media.map((m) => m.processing)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(media.every((m) => m.originalKey === null && m.failureReason)).toBe(true);
    expect(media.map((m) => m.remoteUrl)).toEqual([
      'http://10.1.2.3/internal.jpg',
      'http://169.254.169.254/latest/meta-data.jpg',
      `${filesOrigin}/huge.jpg`,
      `${filesOrigin}/page.jpg`,
    ]);
  });

  it('a file that is not an image is kept as a link, never fetched', async () => {
    const [media] = await receivedWith([
      { ...image(`${filesOrigin}/video.mp4`), kind: 'unknown', blurhash: null },
    ]);
    expect(media).toMatchObject({ type: 'unknown', processing: 'processed', originalKey: null });
    expect(remote.fetched).not.toContain('/video.mp4');
  });

  it('a server whose media the operator rejects (reject_media) is not fetched from', async () => {
    // The block names the account's server; its files live elsewhere (here, the test's server),
    // as media on a CDN do: the author's domain decides, as in Mastodon.
    await database.pool.query(
      `insert into instance_domain_blocks (domain, severity, reject_media)
        values ('rejected.example', 'noop', true)`,
    );
    const authorId = await upsertRemoteAccount(
      database,
      remoteAccountFixture({ username: 'rita', domain: 'media.rejected.example' }),
    );
    const [media] = await receivedWith([image(`${filesOrigin}/photo.jpg?rejected`)], authorId);
    expect(media).toMatchObject({
      processing: 'failed',
      originalKey: null,
      remoteUrl: `${filesOrigin}/photo.jpg?rejected`,
      failureReason: 'This server does not fetch media from media.rejected.example',
    });
    expect(remote.fetched).not.toContain('/photo.jpg?rejected');
  });
});
