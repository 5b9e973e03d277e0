/**
 * Attachments of statuses other servers send (`attachment` Documents as Mastodon 4.x sends them,
 * with its `blurhash` and `focalPoint`): delivered signed to the shared inbox, applied as the
 * worker applies them, then read as clients read them (validated against Mastodon's OpenAPI
 * description, and through masto.js). Fetching and processing the image is the worker's `media`
 * consumer (services/worker/tests/remote-media.test.ts); here it is recorded as it records it.
 */
import { markMediaProcessed } from '@murmur/db/media';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNoteFixture, useInboxHarness } from './_inbox.js';
import { ORIGIN, signedInUser, type TestUser } from './_mastodon.js';
import { expectMastodonResponse } from './_openapi.js';

const harness = useInboxHarness();
let alice: TestUser;
const FILES = 'https://files.remote.example';

beforeAll(async () => {
  alice = await signedInUser(harness.server.database);
});

interface MediaJson {
  id: string;
  type: string;
  url: string | null;
  preview_url: string | null;
  remote_url: string | null;
  description: string | null;
  blurhash: string | null;
  meta: Record<string, unknown>;
}

/** Delivers a Create of mallory's note with attachments (mentioning alice); returns the status. */
async function receiveNote(change: (attachments: Record<string, unknown>[]) => void = () => {}) {
  const { activity, noteUri } = createNoteFixture(harness, alice, {
    fixture: 'create-note-media',
    values: { files: FILES },
  });
  change((activity.object as { attachment: Record<string, unknown>[] }).attachment);
  await harness.deliverAndApply(activity);
  const response = await harness.server.app.inject({
    url: `/api/v1/accounts/${await malloryId()}/statuses`,
    headers: alice.headers,
  });
  const status = (response.json() as { id: string; uri: string }[]).find((s) => s.uri === noteUri);
  expect(status).toBeDefined();
  return status!.id;
}

async function malloryId() {
  return (await harness.resolver.resolveActor(harness.remote.actorId))!;
}

async function statusJson(id: string) {
  const response = await harness.server.app.inject({
    url: `/api/v1/statuses/${id}`,
    headers: alice.headers,
  });
  expect(response.statusCode).toBe(200);
  expectMastodonResponse(response);
  return response.json() as { media_attachments: MediaJson[] };
}

describe('attachments of an incoming note', () => {
  let statusId: string;

  beforeAll(async () => {
    statusId = await receiveNote();
  });

  it("become the status's media attachments, as Mastodon's MediaAttachment entity", async () => {
    const { media_attachments: media } = await statusJson(statusId);
    expect(media).toHaveLength(2);
    // The image waits for the worker to fetch it: no URL of ours yet, the sender's blurhash.
    expect(media[0]).toMatchObject({
      type: 'image',
      url: null,
      preview_url: null,
      remote_url: `${FILES}/media_attachments/files/1/original/heron.jpg`,
      description: 'A heron on one leg',
      blurhash: 'UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH',
      meta: {
        original: { width: 1200, height: 900, size: '1200x900', aspect: 1.333333 },
        focus: { x: 0.5, y: -0.25 },
      },
    });
    // A video is not kept here (no video processing): a link to the remote file.
    expect(media[1]).toMatchObject({
      type: 'unknown',
      url: `${FILES}/media_attachments/files/2/original/river.mp4`,
      preview_url: null,
      remote_url: `${FILES}/media_attachments/files/2/original/river.mp4`,
      description: null,
    });
  });

  it('are served from here once processed (the status is not answered from a stale cache)', async () => {
    const { media_attachments: before } = await statusJson(statusId);
    await markMediaProcessed(harness.server.database, {
      mediaId: before[0]!.id,
      originalKey: `files/${before[0]!.id}/${'a'.repeat(64)}.jpg`,
      smallKey: `files/${before[0]!.id}/${'b'.repeat(64)}.webp`,
      meta: {
        original: { width: 1200, height: 900, size: '1200x900', aspect: 1.333333 },
        small: { width: 554, height: 416, size: '554x416', aspect: 1.331731 },
      },
      blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
    });
    const { media_attachments: after } = await statusJson(statusId);
    expect(after[0]).toMatchObject({
      type: 'image',
      url: `${ORIGIN}/media/files/${before[0]!.id}/${'a'.repeat(64)}.jpg`,
      preview_url: `${ORIGIN}/media/files/${before[0]!.id}/${'b'.repeat(64)}.webp`,
      remote_url: `${FILES}/media_attachments/files/1/original/heron.jpg`,
      blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
    });
  });

  it('read through masto.js', async () => {
    const { createRestAPIClient } = await import('masto');
    const address = await harness.server.app.listen({ host: '127.0.0.1', port: 0 });
    const client = createRestAPIClient({ url: address, accessToken: alice.token });
    const status = await client.v1.statuses.$select(statusId).fetch();
    expect(status.mediaAttachments.map((m) => [m.type, m.remoteUrl])).toEqual([
      ['image', `${FILES}/media_attachments/files/1/original/heron.jpg`],
      ['unknown', `${FILES}/media_attachments/files/2/original/river.mp4`],
    ]);
    const withMedia = await client.v1.accounts
      .$select(await malloryId())
      .statuses.list({ onlyMedia: true });
    expect(withMedia.map((s) => s.id)).toContain(statusId);
  });
});

describe('hostile attachments', () => {
  it('only http(s) URLs are kept, at most four, with sizes and focus within bounds', async () => {
    const statusId = await receiveNote((attachments) => {
      const [photo] = attachments as [Record<string, unknown>];
      attachments.splice(
        0,
        attachments.length,
        { ...photo, url: 'javascript:alert(1)' },
        { ...photo, url: 'data:image/png;base64,iVBORw0KGgo=' },
        { ...photo, url: 'file:///etc/passwd' },
        { ...photo, url: `${FILES}/${'x'.repeat(3000)}.jpg` },
        {
          ...photo,
          url: `${FILES}/1.jpg`,
          width: -5,
          height: 1e12,
          focalPoint: [7, 'up'],
          blurhash: '<script>',
          name: 'x'.repeat(5000),
        },
        { ...photo, url: `${FILES}/2.jpg` },
        { ...photo, url: `${FILES}/3.jpg` },
        { type: 'PropertyValue', name: 'not', value: 'media' },
        { ...photo, url: `${FILES}/4.jpg` },
        { ...photo, url: `${FILES}/5.jpg` },
      );
    });
    const { media_attachments: media } = await statusJson(statusId);
    expect(media.map((m) => m.remote_url)).toEqual([
      `${FILES}/1.jpg`,
      `${FILES}/2.jpg`,
      `${FILES}/3.jpg`,
      `${FILES}/4.jpg`,
    ]);
    expect(media[0]).toMatchObject({ blurhash: null, meta: { focus: { x: 0, y: 0 } } });
    expect(media[0]!.meta.original).toBeUndefined();
    expect(media[0]!.description).toHaveLength(1500);
  });
});
