/**
 * Edits of statuses other servers send (`Update` of a `Note`, as Mastodon 4.x sends them): each
 * one is a revision, as a local edit is, so `GET /api/v1/statuses/:id/history` shows the original
 * and every version in the server's sanitized HTML (validated against Mastodon's OpenAPI
 * description, and read through masto.js), and StatusEdited feeds the `status.update` streams.
 */
import { deliverNotifications, outboxEvents } from '@murmur/db/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNoteFixture, useInboxHarness } from './_inbox.js';
import { signedInUser, type TestUser } from './_mastodon.js';
import { expectMastodonResponse } from './_openapi.js';

const harness = useInboxHarness();
let alice: TestUser;

beforeAll(async () => {
  alice = await signedInUser(harness.server.database);
});

/** Mallory's note mentioning alice, as Mastodon's Create; `update` makes its Updates. */
function note() {
  const { activity: create, noteUri } = createNoteFixture(harness, alice);
  let updates = 0;
  const update = (content: string, updated: Date, extra: Record<string, unknown> = {}) => {
    const activity = structuredClone(create);
    activity.id = `${noteUri}#updates/${++updates}`;
    activity.type = 'Update';
    const object = activity.object as Record<string, unknown>;
    Object.assign(object, { content, updated: updated.toISOString(), ...extra });
    delete object.contentMap;
    return activity;
  };
  return { create, noteUri, update };
}

/** The status of the note, as alice's mention notification names it. */
async function statusIdOf(noteUri: string) {
  await deliverNotifications(harness.server.database);
  const notifications = await harness.server.app.inject({
    url: '/api/v1/notifications?types[]=mention',
    headers: alice.headers,
  });
  return (notifications.json() as { status: { id: string; uri: string } }[]).find(
    (n) => n.status.uri === noteUri,
  )?.status.id;
}

async function history(statusId: string) {
  const response = await harness.server.app.inject({
    url: `/api/v1/statuses/${statusId}/history`,
    headers: alice.headers,
  });
  expect(response.statusCode).toBe(200);
  expectMastodonResponse(response);
  return response.json() as { content: string; spoiler_text: string; created_at: string }[];
}

describe('edits of a remote status', () => {
  let statusId: string;
  const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

  beforeAll(async () => {
    const { create, noteUri, update } = note();
    await harness.deliverAndApply(create);
    statusId = (await statusIdOf(noteUri))!;
    expect(statusId).toBeDefined();
    await harness.deliverAndApply(update('<p>second <em>version</em></p>', minutesAgo(3)));
    await harness.deliverAndApply(
      update('<p>third version<script>alert(1)</script></p>', minutesAgo(2), {
        summary: 'now with a warning',
        sensitive: true,
      }),
    );
    // What Mastodon sends when only a poll's counts changed: the same content again.
    await harness.deliverAndApply(
      update('<p>third version<script>alert(1)</script></p>', minutesAgo(1), {
        summary: 'now with a warning',
        sensitive: true,
      }),
    );
    // An Update older than what is stored (delivered late) changes nothing.
    await harness.deliverAndApply(update('<p>stale</p>', minutesAgo(10)));
  });

  it('has a history: the original, then each version, in its sanitized HTML', async () => {
    const entries = await history(statusId);
    expect(entries).toHaveLength(3);
    expect(entries[0]!.content).toContain('from afar');
    expect(entries[1]).toMatchObject({
      content: '<p>second <em>version</em></p>',
      spoiler_text: '',
    });
    expect(entries[2]).toMatchObject({
      content: '<p>third version</p>',
      spoiler_text: 'now with a warning',
    });
    expect(entries.map((e) => e.content).join()).not.toMatch(/script|stale/);
  });

  it('reads through masto.js, and each edit is a StatusEdited for the streams', async () => {
    const { createRestAPIClient } = await import('masto');
    const address = await harness.server.app.listen({ host: '127.0.0.1', port: 0 });
    const client = createRestAPIClient({ url: address, accessToken: alice.token });
    const versions = await client.v1.statuses.$select(statusId).history.list();
    expect(versions.map((v) => v.spoilerText)).toEqual(['', '', 'now with a warning']);
    const status = await client.v1.statuses.$select(statusId).fetch();
    expect(status.editedAt).not.toBeNull();
    const edited = (await outboxEvents(harness.server.database, ['StatusEdited'])).filter(
      (event) => event.data.statusId === statusId,
    );
    expect(edited).toHaveLength(2);
  });
});
