/**
 * Editing a status's attachments, as Mastodon allows: `media_ids` adds, removes and reorders them,
 * `media_attributes` re-describes them, and the history shows each revision's attachments. Through
 * the API (every body checked against Mastodon's description) and with masto.js over HTTP.
 */
import { type Database } from '@murmur/db';
import { createMediaUpload, markMediaProcessed } from '@murmur/db/media';
import { createRestAPIClient } from 'masto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import { createListeningTestApp, type TestApp } from './_helpers.js';
import { checkedCaller, signedInUser, type TestUser } from './_mastodon.js';

let t: TestApp;
let url: string;
let app: ApiInstance;
let database: Database;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  ({ t, url } = await createListeningTestApp());
  ({ app, database } = t);
  alice = await signedInUser(database);
  bob = await signedInUser(database);
});
afterAll(() => t?.close());

const call = checkedCaller(() => app);

/** An upload as the worker leaves it (processed, unless `pending`), without running the worker. */
async function upload(
  accountId: string,
  description: string,
  options: { pending?: boolean } = {},
): Promise<string> {
  const media = await createMediaUpload(database, {
    accountId,
    incomingKey: `incoming/${description.replace(/\W+/g, '-')}-${Math.random()}`,
    description,
  });
  if (!options.pending) {
    const file = { width: 640, height: 480, size: '640x480', aspect: 4 / 3 };
    await markMediaProcessed(database, {
      mediaId: media.id,
      originalKey: `original/${media.id}.jpg`,
      smallKey: `small/${media.id}.jpg`,
      meta: { original: file, small: file },
      blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
    });
  }
  return media.id;
}

type Described = { id: string; description: string | null };
const described = (media: Described[]) => media.map((m) => [m.id, m.description]);

describe('editing the attachments of a status', () => {
  it('reorders, removes, adds and re-describes them; the history shows each revision’s', async () => {
    const a = await upload(alice.id, 'first photo');
    const b = await upload(alice.id, 'second photo');
    const c = await upload(alice.id, 'third photo');
    const posted = await call('POST', '/api/v1/statuses', alice, {
      payload: { status: 'Photos', media_ids: [a, b] },
    });
    // Read once, so the per-process cache holds the status as posted.
    await call('GET', `/api/v1/statuses/${posted.id}`, bob);

    const reordered = await call('PUT', `/api/v1/statuses/${posted.id}`, alice, {
      payload: { status: 'Photos', media_ids: [b, a] },
    });
    expect(reordered.media_attachments.map((m: Described) => m.id)).toEqual([b, a]);
    expect(reordered.edited_at).toEqual(expect.any(String));

    const changed = await call('PUT', `/api/v1/statuses/${posted.id}`, alice, {
      payload: {
        status: 'Photos',
        media_ids: [b, c],
        media_attributes: [
          { id: b, description: 'second photo, better described', focus: '0.5,-0.25' },
          { id: c, description: 'third photo' },
        ],
      },
    });
    expect(described(changed.media_attachments)).toEqual([
      [b, 'second photo, better described'],
      [c, 'third photo'],
    ]);
    expect(changed.media_attachments[0].meta.focus).toEqual({ x: 0.5, y: -0.25 });

    const seen = await call('GET', `/api/v1/statuses/${posted.id}`, bob);
    expect(described(seen.media_attachments)).toEqual(described(changed.media_attachments));

    const history = await call('GET', `/api/v1/statuses/${posted.id}/history`, bob);
    expect(
      history.map((h: { media_attachments: Described[] }) => described(h.media_attachments)),
    ).toEqual([
      [
        [a, 'first photo'],
        [b, 'second photo'],
      ],
      [
        [b, 'second photo'],
        [a, 'first photo'],
      ],
      [
        [b, 'second photo, better described'],
        [c, 'third photo'],
      ],
    ]);

    // The removed photo is the author's unattached upload again: it can go in another post.
    const again = await call('POST', '/api/v1/statuses', alice, {
      payload: { status: 'Again', media_ids: [a] },
    });
    expect(again.media_attachments.map((m: Described) => m.id)).toEqual([a]);
  });

  it('re-describes an attachment with media_attributes alone; the same ones sent back change nothing', async () => {
    const a = await upload(alice.id, 'a harbour');
    const posted = await call('POST', '/api/v1/statuses', alice, {
      payload: { status: 'Harbour', media_ids: [a] },
    });
    const same = await call('PUT', `/api/v1/statuses/${posted.id}`, alice, {
      payload: {
        status: 'Harbour',
        media_ids: [a],
        media_attributes: [{ id: a, description: 'a harbour' }],
      },
    });
    expect(same.edited_at).toBeNull();

    const edited = await call('PUT', `/api/v1/statuses/${posted.id}`, alice, {
      payload: { media_attributes: [{ id: a, description: 'a harbour at dawn' }] },
    });
    expect(edited.edited_at).toEqual(expect.any(String));
    expect(described(edited.media_attachments)).toEqual([[a, 'a harbour at dawn']]);
    const history = await call('GET', `/api/v1/statuses/${posted.id}/history`, null);
    expect(
      history.map((h: { media_attachments: Described[] }) => h.media_attachments[0]!.description),
    ).toEqual(['a harbour', 'a harbour at dawn']);
  });

  it('refuses someone else’s, pending and already posted uploads, more than 4, and media with a poll', async () => {
    const mine = await upload(alice.id, 'mine');
    const posted = await call('POST', '/api/v1/statuses', alice, {
      payload: { status: 'Kept', media_ids: [mine] },
    });
    const path = `/api/v1/statuses/${posted.id}`;

    const theirs = await upload(bob.id, 'bob’s');
    const refusedTheirs = await call('PUT', path, alice, {
      status: 422,
      payload: { status: 'Kept', media_ids: [mine, theirs] },
    });
    expect(refusedTheirs.error).toMatch(/not found among your uploads/);

    const pending = await upload(alice.id, 'pending', { pending: true });
    const refusedPending = await call('PUT', path, alice, {
      status: 422,
      payload: { media_ids: [mine, pending] },
    });
    expect(refusedPending.error).toMatch(/still being processed/);

    const elsewhere = await upload(alice.id, 'elsewhere');
    await call('POST', '/api/v1/statuses', alice, {
      payload: { status: 'Other', media_ids: [elsewhere] },
    });
    const refusedPosted = await call('PUT', path, alice, {
      status: 422,
      payload: { media_ids: [mine, elsewhere] },
    });
    expect(refusedPosted.error).toMatch(/already in a post/);

    const more = [];
    for (let n = 0; n < 4; n++) more.push(await upload(alice.id, `more ${n}`));
    const refusedFive = await call('PUT', path, alice, {
      status: 422,
      payload: { media_ids: [mine, ...more] },
    });
    expect(refusedFive.error).toMatch(/at most 4/);

    const withPoll = await call('POST', '/api/v1/statuses', alice, {
      payload: { status: 'Vote', poll: { options: ['yes', 'no'], expires_in: 600 } },
    });
    const refusedPoll = await call('PUT', `/api/v1/statuses/${withPoll.id}`, alice, {
      status: 422,
      payload: { media_ids: [more[0]] },
    });
    expect(refusedPoll.error).toMatch(/both attachments and a poll/);

    // Nothing of the refused edits happened.
    const after = await call('GET', path, alice);
    expect(after.media_attachments.map((m: Described) => m.id)).toEqual([mine]);
    expect(after.edited_at).toBeNull();
    const free = await call('POST', '/api/v1/statuses', alice, {
      payload: { status: 'Still free', media_ids: [more[0]] },
    });
    expect(free.media_attachments).toHaveLength(1);
  });
});

describe('masto.js', () => {
  it('edits a status’s attachments and their descriptions', async () => {
    const client = createRestAPIClient({ url, accessToken: alice.token });
    const a = await upload(alice.id, 'a fox');
    const b = await upload(alice.id, 'a heron');
    const status = await client.v1.statuses.create({ status: 'Animals', mediaIds: [a] });

    const edited = await client.v1.statuses.$select(status.id).update({
      status: 'Animals, two of them',
      mediaIds: [b, a],
      mediaAttributes: [{ id: a, description: 'a fox asleep in the snow' }],
    });
    expect(edited.mediaAttachments.map((m) => [m.id, m.description])).toEqual([
      [b, 'a heron'],
      [a, 'a fox asleep in the snow'],
    ]);
    const history = await client.v1.statuses.$select(status.id).history.list();
    expect(history.map((h) => h.mediaAttachments.map((m) => m.description))).toEqual([
      ['a fox'],
      ['a heron', 'a fox asleep in the snow'],
    ]);
  });
});
