/**
 * A remote account's avatar and header as clients see them: once the worker has cached them
 * (services/worker/tests/remote-profile-images.test.ts fetches and processes them), `avatar`,
 * `avatar_static`, `header` and `header_static` point here, so an app showing the profile never
 * loads from the other server; until then (or when the file cannot be had) they link to it. Storing
 * the account, or an `Update(Person)` with a new image, asks the worker for the copy; here the
 * worker's record is made as it makes it.
 */
import { recordCachedRemoteProfileImage } from '@murmur/db/federation';
import { outboxEvents } from '@murmur/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInboxHarness, type InboxHarness } from './_inbox.js';
import { ORIGIN, signedInUser, type TestUser } from './_mastodon.js';
import { expectMastodonResponse } from './_openapi.js';

let harness: InboxHarness;
let alice: TestUser;
let malloryId: string;

beforeAll(async () => {
  harness = await startInboxHarness();
  alice = await signedInUser(harness.server.database);
  await harness.remote.setProfile({ icon: '/files/avatar.png', image: '/files/header.png' });
  malloryId = (await harness.resolver.resolveActor(harness.remote.actorId))!;
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

async function mallory() {
  const response = await harness.server.app.inject({
    url: `/api/v1/accounts/${malloryId}`,
    headers: alice.headers,
  });
  expectMastodonResponse(response);
  return response.json() as Record<'avatar' | 'avatar_static' | 'header' | 'header_static', string>;
}

const remoteFile = (path: string) => new URL(path, harness.remote.actorId).href;

/**
 * What the worker's `media` consumer records once it has stored the copy of `path` under `key`;
 * the key it must then delete.
 */
async function cached(kind: 'avatar' | 'header', path: string, key: string) {
  const { unusedKey } = await recordCachedRemoteProfileImage(harness.server.database, {
    accountId: malloryId,
    kind,
    url: remoteFile(path),
    key,
  });
  return unusedKey;
}

const changes = async () =>
  (await outboxEvents(harness.server.database, ['RemoteAccountImagesChanged'])).filter(
    (event) => event.data.accountId === malloryId,
  );

describe('a remote account’s avatar and header', () => {
  it('are asked of the worker when the account is stored, and linked to until cached', async () => {
    expect((await changes()).map((event) => event.data)).toEqual([
      { accountId: malloryId, avatar: true, header: true },
    ]);
    expect(await mallory()).toMatchObject({
      avatar: remoteFile('/files/avatar.png'),
      header: remoteFile('/files/header.png'),
    });
  });

  it('are served from here once cached', async () => {
    expect(await cached('avatar', '/files/avatar.png', `profiles/${malloryId}/a.png`)).toBeNull();
    expect(await cached('header', '/files/header.png', `profiles/${malloryId}/h.png`)).toBeNull();
    expect(await mallory()).toEqual(
      expect.objectContaining({
        avatar: `${ORIGIN}/media/profiles/${malloryId}/a.png`,
        avatar_static: `${ORIGIN}/media/profiles/${malloryId}/a.png`,
        header: `${ORIGIN}/media/profiles/${malloryId}/h.png`,
        header_static: `${ORIGIN}/media/profiles/${malloryId}/h.png`,
      }),
    );
  });

  it('a new avatar in an Update(Person) asks for that one only; an old copy is never recorded for it', async () => {
    await harness.remote.setProfile({ icon: '/files/avatar-2.png' });
    const actor = harness.remote.actorId.href;
    await harness.deliverAndApply({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${actor}#updates/avatar`,
      type: 'Update',
      actor,
      object: harness.remote.document(),
    });
    expect((await changes()).at(-1)!.data).toEqual({
      accountId: malloryId,
      avatar: true,
      header: false,
    });
    // A fetch of the former URL that ends now is not recorded: its file is the caller's to delete.
    const late = `profiles/${malloryId}/late.png`;
    expect(await cached('avatar', '/files/avatar.png', late)).toBe(late);
    // The new one replaces the old copy, whose file is then deleted.
    expect(await cached('avatar', '/files/avatar-2.png', `profiles/${malloryId}/a2.png`)).toBe(
      `profiles/${malloryId}/a.png`,
    );
    expect(await mallory()).toMatchObject({
      avatar: `${ORIGIN}/media/profiles/${malloryId}/a2.png`,
      header: `${ORIGIN}/media/profiles/${malloryId}/h.png`,
    });
  });
});
