import { PUBLIC_COLLECTION } from '@fedify/vocab';
import type { OutgoingStatus } from '@murmur/db/federation';
import { describe, expect, it } from 'vitest';
import { createActivity } from './activities.js';
import { noteOf, withAttachmentExtras } from './note.js';

const ORIGIN = 'https://murmur.test';
const REMOTE = 'https://remote.example/users/zoe';

function outgoing(
  visibility: OutgoingStatus['status']['visibility'],
  changes: Partial<OutgoingStatus['status']> = {},
): OutgoingStatus {
  return {
    status: {
      id: '42',
      account: { id: '1', username: 'alice' },
      text: 'hi @bob and @zoe@remote.example',
      spoilerText: '',
      sensitive: false,
      visibility,
      createdAt: new Date('2026-01-02T03:04:05Z'),
      editedAt: null,
      tags: [],
      mediaAttachments: [],
      ...changes,
    } as OutgoingStatus['status'],
    mentions: [
      { username: 'bob', domain: null, uri: null, url: null, inboxUrl: null },
      {
        username: 'zoe',
        domain: 'remote.example',
        uri: REMOTE,
        url: 'https://remote.example/@zoe',
        inboxUrl: 'https://remote.example/inbox',
      },
    ],
    parent: null,
  };
}

const hrefs = (urls: Iterable<URL>) => [...urls].map((url) => url.href);
const followers = `${ORIGIN}/users/alice/followers`;
const mentioned = [`${ORIGIN}/users/bob`, REMOTE];

describe('noteOf addressing (Mastodon’s mapping)', () => {
  it.each([
    ['public', [PUBLIC_COLLECTION.href], [followers, ...mentioned]],
    ['unlisted', [followers], [PUBLIC_COLLECTION.href, ...mentioned]],
    ['private', [followers], mentioned],
    ['direct', mentioned, []],
  ] as const)('%s', (visibility, to, cc) => {
    const note = noteOf(ORIGIN, outgoing(visibility));
    expect(hrefs(note.toIds)).toEqual(to);
    expect(hrefs(note.ccIds)).toEqual(cc);
  });

  it('names remote mentions with their host, and links them to their profile as Mastodon', async () => {
    const note = noteOf(ORIGIN, outgoing('public'));
    const tags = [];
    for await (const tag of note.getTags()) tags.push(tag);
    expect(tags.map((tag) => tag.name?.toString())).toEqual(['@bob', '@zoe@remote.example']);
    expect(String(note.content)).toContain(`<a href="${ORIGIN}/@bob"`);
    expect(String(note.content)).toContain(
      '<span class="h-card" translate="no"><a href="https://remote.example/@zoe" class="u-url mention">@<span>zoe</span></a></span>',
    );
  });

  it('carries the content warning as summary and sensitive, and the edit time as updated', () => {
    const edited = new Date('2026-01-03T00:00:00Z');
    const note = noteOf(ORIGIN, outgoing('public', { spoilerText: 'spoilers', editedAt: edited }));
    expect(note.summary?.toString()).toBe('spoilers');
    expect(note.sensitive).toBe(true);
    expect(note.updated?.toString()).toBe('2026-01-03T00:00:00Z');
    expect(noteOf(ORIGIN, outgoing('public')).sensitive).toBe(false);
  });
});

describe('attachments', () => {
  const key = `files/7/${'a'.repeat(64)}.webp`;
  const media = {
    id: '7',
    type: 'image',
    processing: 'processed',
    failureReason: null,
    originalKey: key,
    smallKey: null,
    meta: {
      original: { width: 640, height: 480, size: '640x480', aspect: 4 / 3 },
      small: { width: 320, height: 240, size: '320x240', aspect: 4 / 3 },
    },
    description: 'a cat on a mat',
    focus: { x: 0.5, y: -0.25 },
    blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
    statusId: '42',
  } as const;
  const withMedia = (changes: object = {}) =>
    outgoing('public', { mediaAttachments: [{ ...media, ...changes }] } as never);

  it('are Documents with url, mediaType, alt text as name, and the original size', async () => {
    const note = noteOf(ORIGIN, withMedia());
    const json = (await note.toJsonLd()) as { attachment: Record<string, unknown> };
    expect(json.attachment).toMatchObject({
      type: 'Document',
      url: `${ORIGIN}/media/${key}`,
      mediaType: 'image/webp',
      name: 'a cat on a mat',
      width: 640,
      height: 480,
    });
  });

  it('carry Mastodon’s blurhash and focalPoint, with their terms in the context', async () => {
    const status = withMedia();
    const json = (await createActivity(noteOf(ORIGIN, status)).toJsonLd()) as Record<
      string,
      unknown
    >;
    const extended = withAttachmentExtras(ORIGIN, status, json);
    expect(extended.object).toMatchObject({
      attachment: { blurhash: media.blurhash, focalPoint: [0.5, -0.25] },
    });
    expect(extended['@context']).toContainEqual(
      expect.objectContaining({ blurhash: 'toot:blurhash', toot: 'http://joinmastodon.org/ns#' }),
    );
  });

  it('leave out files not processed yet', async () => {
    const note = noteOf(ORIGIN, withMedia({ processing: 'pending' }));
    expect((await note.toJsonLd()) as object).not.toHaveProperty('attachment');
  });
});
