import { PUBLIC_COLLECTION } from '@fedify/vocab';
import type { OutgoingStatus } from '@murmur/db/federation';
import { describe, expect, it } from 'vitest';
import { noteOf } from './note.js';

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
      ...changes,
    } as OutgoingStatus['status'],
    mentions: [
      { username: 'bob', domain: null, uri: null, inboxUrl: null },
      {
        username: 'zoe',
        domain: 'remote.example',
        uri: REMOTE,
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

  it('names remote mentions with their host, and leaves them as text in the content', async () => {
    const note = noteOf(ORIGIN, outgoing('public'));
    const tags = [];
    for await (const tag of note.getTags()) tags.push(tag);
    expect(tags.map((tag) => tag.name?.toString())).toEqual(['@bob', '@zoe@remote.example']);
    expect(String(note.content)).toContain(`<a href="${ORIGIN}/@bob"`);
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
