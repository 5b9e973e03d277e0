/**
 * Remote accounts' avatars and headers through the real worker: storing or refreshing a remote
 * account whose images are new or changed asks the `media` consumer to fetch them (through the
 * safe fetch) and process them as local ones are (cropped to 400×400 and 1500×500, metadata
 * stripped), so clients load them from here and the other server does not see who looks. A
 * changed URL replaces the copy (the old file deleted), one that cannot be had leaves none (clients
 * then link to the remote URL), and a server whose media the operator rejects is never asked.
 */
import { type Database } from '@murmur/db';
import { upsertRemoteAccount, type RemoteActorProfile } from '@murmur/db/federation';
import { outboxEvents } from '@murmur/db/testing';
import { type LocalStorage } from '@murmur/media';
import { photoJpeg } from '@murmur/media/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './_helpers.js';
import { startRemoteFilesWorker, type RemoteFilesWorker } from './_remote-files.js';

let remote: RemoteFilesWorker;
let database: Database;
let storage: LocalStorage;
let filesOrigin: string;

beforeAll(async () => {
  const photo = await photoJpeg(1200, 900, { gps: true });
  const other = await photoJpeg(800, 800, { gps: true });
  remote = await startRemoteFilesWorker((path) => {
    if (path.startsWith('/photo.jpg'))
      return { status: 200, contentType: 'image/jpeg', body: photo };
    if (path === '/other.jpg') return { status: 200, contentType: 'image/jpeg', body: other };
    if (path === '/page.jpg') return { status: 200, body: '<html>not an image</html>' };
    return { status: 500 };
  });
  ({ database, storage, filesOrigin } = remote);
});

afterAll(async () => {
  await remote?.close();
});

/** Mallory's profile as her server describes it, with these images. */
function mallory(images: Pick<RemoteActorProfile, 'avatarUrl' | 'headerUrl'>): RemoteActorProfile {
  const host = new URL(filesOrigin).host;
  return {
    uri: `${filesOrigin}/users/mallory`,
    username: 'mallory',
    domain: host,
    displayName: 'Mallory',
    note: '',
    url: null,
    inboxUrl: `${filesOrigin}/users/mallory/inbox`,
    sharedInboxUrl: null,
    createdAt: null,
    ...images,
  };
}

async function cachedKeys(accountId: string) {
  const { rows } = await database.pool.query<{ avatar: string | null; header: string | null }>(
    'select avatar_key as avatar, header_key as header from accounts where id = $1',
    [accountId],
  );
  return rows[0]!;
}

const imagesChangedEvents = () => outboxEvents(database, ['RemoteAccountImagesChanged']);

describe('remote avatars and headers', () => {
  let malloryId: string;
  let firstAvatar: string;

  it('are fetched and processed here: cropped to their box, no metadata', async () => {
    malloryId = await upsertRemoteAccount(
      database,
      mallory({ avatarUrl: `${filesOrigin}/photo.jpg`, headerUrl: `${filesOrigin}/photo.jpg?h` }),
    );
    const keys = await waitFor(async () => {
      const found = await cachedKeys(malloryId);
      return found.avatar && found.header ? found : null;
    });
    const avatar = await sharp((await storage.read(keys.avatar!))!).metadata();
    expect(avatar).toMatchObject({ width: 400, height: 400 });
    expect(avatar.exif).toBeUndefined();
    const header = await sharp((await storage.read(keys.header!))!).metadata();
    expect(header).toMatchObject({ width: 1500, height: 500 });
    firstAvatar = keys.avatar!;
  });

  it('are not fetched again when the profile is refreshed unchanged', async () => {
    const before = (await imagesChangedEvents()).length;
    await upsertRemoteAccount(
      database,
      mallory({ avatarUrl: `${filesOrigin}/photo.jpg`, headerUrl: `${filesOrigin}/photo.jpg?h` }),
    );
    expect(await imagesChangedEvents()).toHaveLength(before);
  });

  it('a changed avatar replaces the copy, and the old file is deleted', async () => {
    await upsertRemoteAccount(
      database,
      mallory({ avatarUrl: `${filesOrigin}/other.jpg`, headerUrl: `${filesOrigin}/photo.jpg?h` }),
    );
    const changed = (await imagesChangedEvents()).at(-1)!;
    expect(changed.data).toEqual({ accountId: malloryId, avatar: true, header: false });
    const avatar = await waitFor(async () => {
      const { avatar } = await cachedKeys(malloryId);
      return avatar !== firstAvatar ? avatar : null;
    });
    expect(avatar).not.toBeNull();
    expect(await storage.read(avatar!)).not.toBeNull();
    await waitFor(async () => ((await storage.read(firstAvatar)) === null ? true : null));
  });

  it('an image that cannot be had, or is removed, leaves no copy (clients link to the URL)', async () => {
    const { avatar: cached, header } = await cachedKeys(malloryId);
    await upsertRemoteAccount(
      database,
      mallory({ avatarUrl: `${filesOrigin}/page.jpg`, headerUrl: null }),
    );
    await waitFor(async () => {
      const keys = await cachedKeys(malloryId);
      return keys.avatar === null && keys.header === null ? true : null;
    });
    await waitFor(async () =>
      (await storage.read(cached!)) === null && (await storage.read(header!)) === null
        ? true
        : null,
    );
  });

  it('of a server whose media the operator rejects are never fetched', async () => {
    await database.pool.query(
      `insert into instance_domain_blocks (domain, severity, reject_media)
        values ('rejected.example', 'noop', true)`,
    );
    const ritaId = await upsertRemoteAccount(database, {
      ...mallory({ avatarUrl: `${filesOrigin}/photo.jpg?rejected`, headerUrl: null }),
      uri: 'https://media.rejected.example/users/rita',
      username: 'rita',
      domain: 'media.rejected.example',
    });
    // The consumer has handled it when the marker is written; then nothing was asked.
    await waitFor(async () => {
      const { rows } = await database.pool.query(
        `select 1 from processed_events p join outbox_events e on e.id = p.event_id
          where p.consumer = 'media' and e.payload -> 'data' ->> 'accountId' = $1`,
        [ritaId],
      );
      return rows.length > 0 ? true : null;
    });
    expect(remote.fetched).not.toContain('/photo.jpg?rejected');
    expect(await cachedKeys(ritaId)).toEqual({ avatar: null, header: null });
  });
});
