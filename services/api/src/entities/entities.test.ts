import type { AccountView } from '@murmur/db/accounts';
import type { MediaView, PollView, StatusView } from '@murmur/db/statuses';
import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import {
  CredentialAccount,
  Notification,
  Poll,
  Relationship,
  Status,
  Tag,
} from '../schemas/entities.js';
import {
  serializeAccount,
  serializeCredentialAccount,
  serializeNotification,
  serializeRelationship,
  serializeStatus,
  serializeTag,
} from './index.js';
import { serializePoll } from './poll.js';
import { createStatusJsonWriter } from './status-json.js';

const ORIGIN = 'https://murmur.example';

const alice: AccountView = {
  id: '111',
  username: 'Alice',
  displayName: '',
  note: 'I like <b>tags</b>\nhttps://example.com',
  createdAt: new Date('2024-05-06T17:18:19.123Z'),
  statusesCount: 3,
  followersCount: 1,
  followingCount: 2,
  lastStatusAt: '2024-05-07',
  avatarKey: null,
  headerKey: null,
  locked: false,
};
const bob: AccountView = {
  ...alice,
  id: '222',
  username: 'bob',
  displayName: 'Bob',
  note: '',
  lastStatusAt: null,
};

const photo: MediaView = {
  id: '7001',
  type: 'image',
  processing: 'processed',
  failureReason: null,
  originalKey: `files/7001/${'a'.repeat(64)}.jpg`,
  smallKey: `files/7001/${'b'.repeat(64)}.webp`,
  meta: {
    original: { width: 1200, height: 800, size: '1200x800', aspect: 1.5 },
    small: { width: 588, height: 392, size: '588x392', aspect: 1.5 },
  },
  description: 'A heron on one leg',
  focus: { x: 0.5, y: -0.5 },
  blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
  remoteUrl: null,
  statusId: '9100',
};

function statusView(overrides: Partial<StatusView> = {}): StatusView {
  return {
    id: '9001',
    account: alice,
    text: 'Hi @BOB and @ghost #Fun <script>',
    spoilerText: '',
    sensitive: false,
    language: 'en',
    visibility: 'public',
    inReplyToId: null,
    inReplyToAccountId: null,
    createdAt: new Date('2024-05-07T08:00:00Z'),
    editedAt: null,
    poll: null,
    repliesCount: 0,
    reblogsCount: 1,
    favouritesCount: 2,
    mentions: [{ id: '222', username: 'bob' }],
    tags: [{ name: 'fun', displayName: 'Fun' }],
    application: { name: 'Elk', website: 'https://elk.zone' },
    mediaAttachments: [],
    reblog: null,
    favourited: true,
    reblogged: false,
    bookmarked: false,
    pinned: false,
    ...overrides,
  };
}

const checkStatus = Compile(Status);

describe('serializeAccount', () => {
  it('emits absolute image URLs, a day-precision created_at, HTML note and never-null fields', () => {
    const account = serializeAccount(alice, ORIGIN);
    expect(account).toMatchObject({
      id: '111',
      acct: 'Alice',
      url: 'https://murmur.example/@Alice',
      display_name: '',
      avatar: 'https://murmur.example/avatars/original/missing.png',
      header_static: 'https://murmur.example/headers/original/missing.png',
      created_at: '2024-05-06T00:00:00.000Z',
      last_status_at: '2024-05-07',
      fields: [],
      emojis: [],
    });
    expect(account.note).toContain('I like &lt;b&gt;tags&lt;/b&gt;');
    expect(account.note).toContain('<a href="https://example.com"');
  });

  it('adds source and role for the signed-in account', () => {
    const credential = serializeCredentialAccount(alice, ORIGIN);
    expect(credential.source).toMatchObject({
      note: alice.note,
      privacy: 'public',
      sensitive: false,
      fields: [],
    });
    expect(Compile(CredentialAccount).Check(credential)).toBe(true);
  });
});

describe('serializeStatus', () => {
  it('links only existing mentions, escapes the rest and matches the Status schema', () => {
    const status = serializeStatus(statusView(), { publicUrl: ORIGIN, viewerId: null });
    expect(status.content).toContain('href="https://murmur.example/@bob"');
    expect(status.content).not.toContain('/@ghost');
    expect(status.content).toContain('href="https://murmur.example/tags/fun"');
    expect(status.content).toContain('&lt;script&gt;');
    // As in Mastodon: `uri` is the ActivityPub id, `url` the page.
    expect(status.uri).toBe('https://murmur.example/users/Alice/statuses/9001');
    expect(status.url).toBe('https://murmur.example/@Alice/9001');
    expect(status.mentions).toEqual([
      { id: '222', username: 'bob', acct: 'bob', url: 'https://murmur.example/@bob' },
    ]);
    expect(status.text).toBeNull();
    expect(status.created_at).toBe('2024-05-07T08:00:00.000Z');
    expect('favourited' in status).toBe(false);
    expect(checkStatus.Check(status)).toBe(true);
  });

  it('shows processed attachments with their files, meta, focus, alt text and blurhash', () => {
    const status = serializeStatus(statusView({ id: '9100', mediaAttachments: [photo] }), {
      publicUrl: ORIGIN,
      viewerId: null,
    });
    expect(status.media_attachments).toEqual([
      {
        id: '7001',
        type: 'image',
        url: `${ORIGIN}/media/files/7001/${'a'.repeat(64)}.jpg`,
        preview_url: `${ORIGIN}/media/files/7001/${'b'.repeat(64)}.webp`,
        remote_url: null,
        preview_remote_url: null,
        text_url: null,
        meta: { ...photo.meta, focus: { x: 0.5, y: -0.5 } },
        description: 'A heron on one leg',
        blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
      },
    ]);
    expect(checkStatus.Check(status)).toBe(true);
  });

  it('adds the viewer flags when someone is signed in, pinned only on their own statuses', () => {
    const asBob = serializeStatus(statusView(), { publicUrl: ORIGIN, viewerId: '222' });
    expect(asBob).toMatchObject({
      favourited: true,
      reblogged: false,
      muted: false,
      bookmarked: false,
    });
    expect('pinned' in asBob).toBe(false);
    const asAlice = serializeStatus(statusView(), { publicUrl: ORIGIN, viewerId: '111' });
    expect(asAlice.pinned).toBe(false);
  });

  it('returns the source text on request and nests the original of a reblog', () => {
    const original = statusView();
    const wrapper = statusView({
      id: '9002',
      account: bob,
      text: '',
      reblog: original,
      mentions: [],
      tags: [],
    });
    const status = serializeStatus(
      wrapper,
      { publicUrl: ORIGIN, viewerId: null },
      { includeText: true },
    );
    expect(status.content).toBe('');
    expect(status.reblog?.id).toBe('9001');
    expect(status.reblog?.reblog).toBeNull();
    expect(checkStatus.Check(status)).toBe(true);
    expect(
      serializeStatus(original, { publicUrl: ORIGIN, viewerId: null }, { includeText: true }).text,
    ).toBe(original.text);
  });
});

describe('createStatusJsonWriter', () => {
  const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
  const reply = statusView({
    id: '9003',
    account: bob,
    text: 'Quotes " and \\ backslash, line\u2028separator, emoji 🐘 and a lone \ud800 surrogate',
    inReplyToId: '9001',
    inReplyToAccountId: '111',
    language: null,
    spoilerText: 'CW: "quoted"',
    sensitive: true,
    visibility: 'unlisted',
    mentions: [],
    tags: [],
    application: null,
    favourited: false,
    reblogged: true,
  });
  const wrapper = statusView({
    id: '9002',
    account: bob,
    text: '',
    reblog: statusView(),
    mentions: [],
    tags: [],
  });

  it('writes exactly what serializeStatus builds, for every viewer', () => {
    const writer = createStatusJsonWriter(ORIGIN);
    const withPhoto = statusView({ id: '9100', mediaAttachments: [photo] });
    const withPoll = statusView({
      id: '9200',
      poll: {
        id: '9201',
        options: ['tea', 'coffee'],
        optionVotes: [2, 1],
        multiple: false,
        hideTotals: true,
        votesCount: 3,
        votersCount: 3,
        expiresAt: new Date(Date.now() + 60 * 60 * 1000),
        authorId: '111',
        ownVotes: [1],
      },
    });
    for (const view of [statusView(), reply, wrapper, withPhoto, withPoll]) {
      for (const viewerId of [null, '111', '222']) {
        const written = JSON.parse(writer.status(view, viewerId)) as unknown;
        expect(written).toStrictEqual(
          asJson(serializeStatus(view, { publicUrl: ORIGIN, viewerId })),
        );
        expect(checkStatus.Check(written)).toBe(true);
      }
    }
    expect(JSON.parse(writer.statuses([reply, wrapper], '111'))).toStrictEqual(
      asJson(
        [reply, wrapper].map((v) => serializeStatus(v, { publicUrl: ORIGIN, viewerId: '111' })),
      ),
    );
    expect(writer.statuses([], null)).toBe('[]');
  });

  it('reuses the fixed parts but always writes the current counters, author and viewer flags', () => {
    const writer = createStatusJsonWriter(ORIGIN);
    const first = JSON.parse(writer.status(statusView(), '222')) as Status;
    expect(first).toMatchObject({ favourites_count: 2, favourited: true });
    const later = statusView({
      favouritesCount: 3,
      repliesCount: 1,
      favourited: false,
      account: {
        ...alice,
        displayName: 'Alice Liddell',
        statusesCount: 4,
        lastStatusAt: '2024-05-08',
      },
    });
    const second = JSON.parse(writer.status(later, '222')) as Status;
    expect(second).toMatchObject({ favourites_count: 3, replies_count: 1, favourited: false });
    expect(second.account).toMatchObject({
      display_name: 'Alice Liddell',
      statuses_count: 4,
      last_status_at: '2024-05-08',
    });
    const anonymous = JSON.parse(writer.status(later, null)) as Status;
    expect('favourited' in anonymous).toBe(false);
    expect(writer.cached).toEqual({ statuses: 1, accounts: 1 });
  });

  it('never serves the text cached before an edit', () => {
    const writer = createStatusJsonWriter(ORIGIN);
    const before = JSON.parse(writer.status(statusView(), '222')) as Status;
    expect(before).toMatchObject({ edited_at: null, spoiler_text: '' });
    const edited = statusView({
      text: 'Hi @BOB, edited',
      spoilerText: 'now with a warning',
      sensitive: true,
      tags: [],
      editedAt: new Date('2024-05-07T09:00:00Z'),
    });
    const after = JSON.parse(writer.status(edited, '222')) as Status;
    expect(after).toStrictEqual(
      asJson(serializeStatus(edited, { publicUrl: ORIGIN, viewerId: '222' })),
    );
    expect(after).toMatchObject({
      edited_at: '2024-05-07T09:00:00.000Z',
      spoiler_text: 'now with a warning',
      sensitive: true,
      tags: [],
    });
    expect(after.content).toContain('edited');
  });

  it('holds no more statuses and authors than its capacity', () => {
    const writer = createStatusJsonWriter(ORIGIN, 2);
    writer.statuses([statusView(), reply, wrapper], null);
    expect(writer.cached).toEqual({ statuses: 2, accounts: 2 });
  });
});

describe('other entities', () => {
  it('serializes notifications with a group key, and omits status for follows', () => {
    const follow = serializeNotification(
      { id: '5', type: 'follow', createdAt: new Date(0), account: bob, status: null },
      { publicUrl: ORIGIN, viewerId: '111' },
    );
    expect(follow.group_key).toBe('follow-0'); // id 5: the first 12 hours of 1970
    expect('status' in follow).toBe(false);
    const favourite = serializeNotification(
      { id: '6', type: 'favourite', createdAt: new Date(0), account: bob, status: statusView() },
      { publicUrl: ORIGIN, viewerId: '111' },
    );
    expect(Compile(Notification).Check(follow) && Compile(Notification).Check(favourite)).toBe(
      true,
    );
    // The schema can fail: an unknown type or a missing field is caught.
    expect(Compile(Notification).Check({ ...follow, type: 'admin.sign_up' })).toBe(false);
    const { group_key: _groupKey, ...withoutGroupKey } = follow;
    expect(Compile(Notification).Check(withoutGroupKey)).toBe(false);
  });

  it('serializes relationships and tags with every field', () => {
    const relationship = serializeRelationship({
      id: '2',
      following: true,
      followedBy: false,
      endorsed: true,
      note: 'met at the conference',
      blocking: false,
      blockedBy: true,
      muting: true,
      mutingNotifications: false,
      mutingExpiresAt: new Date('2026-01-02T03:04:05.000Z'),
      requested: false,
      requestedBy: true,
    });
    expect(relationship).toMatchObject({
      following: true,
      showing_reblogs: true,
      followed_by: false,
      requested: false,
      requested_by: true,
      endorsed: true,
      note: 'met at the conference',
      blocked_by: true,
      muting: true,
      muting_notifications: false,
      muting_expires_at: '2026-01-02T03:04:05.000Z',
    });
    expect(Compile(Relationship).Check(relationship)).toBe(true);
    const tag = serializeTag({ id: '7', name: 'café', displayName: 'Café' }, ORIGIN);
    expect(tag).toEqual({
      id: '7',
      name: 'café',
      url: 'https://murmur.example/tags/caf%C3%A9',
      history: [],
    });
    expect(Compile(Tag).Check(tag)).toBe(true);
  });
});

describe('serializePoll', () => {
  const poll: PollView = {
    id: '9301',
    options: ['tea', 'coffee'],
    optionVotes: [2, 1],
    multiple: true,
    hideTotals: true,
    votesCount: 3,
    votersCount: 2,
    expiresAt: new Date('2024-05-07T10:00:00Z'),
    authorId: '111',
    ownVotes: [],
  };
  const before = new Date('2024-05-07T09:00:00Z');
  const after = new Date('2024-05-07T10:00:00Z');

  it('hides the counts per option until the end, except from the author, who counts as having voted', () => {
    expect(serializePoll(poll, '222', before)).toMatchObject({
      expired: false,
      voted: false,
      own_votes: [],
      options: [
        { title: 'tea', votes_count: null },
        { title: 'coffee', votes_count: null },
      ],
    });
    expect(serializePoll(poll, '111', before)).toMatchObject({
      voted: true,
      options: [{ votes_count: 2 }, { votes_count: 1 }],
    });
    expect(serializePoll(poll, '222', after)).toMatchObject({
      expired: true,
      options: [{ votes_count: 2 }, { votes_count: 1 }],
    });
    const anonymous = serializePoll({ ...poll, ownVotes: null }, null, before);
    expect('voted' in anonymous || 'own_votes' in anonymous).toBe(false);
    expect(Compile(Poll).Check(anonymous)).toBe(true);
  });
});
