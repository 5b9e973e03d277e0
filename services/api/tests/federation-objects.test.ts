/**
 * Local statuses as ActivityPub objects at their ids, as a Mastodon server fetches them (a pasted
 * URL, a reply naming its parent): public and unlisted ones to anyone, followers-only and direct
 * ones never; a browser is sent to the status page. The outbox lists the Create activities.
 */
import { Note, OrderedCollectionPage } from '@fedify/vocab';
import { describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import { ORIGIN, type TestUser, useServer } from './_mastodon.js';

let app: ApiInstance;
let alice: TestUser;
let bob: TestUser;

useServer((server) => ({ app, alice, bob } = server));

const ACTIVITY_JSON = 'application/activity+json';

async function post(user: TestUser, status: string, visibility = 'public'): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/statuses',
    headers: user.headers,
    payload: { status, visibility },
  });
  expect(response.statusCode).toBe(200);
  return (response.json() as { id: string }).id;
}

const statusPath = (user: TestUser, id: string) => `/users/${user.username}/statuses/${id}`;

describe('a status at its id', () => {
  it('is a Note for public and unlisted statuses', async () => {
    for (const visibility of ['public', 'unlisted']) {
      const id = await post(alice, `hello #fediverse ${visibility}`, visibility);
      const response = await app.inject({
        url: statusPath(alice, id),
        headers: { accept: ACTIVITY_JSON },
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain(ACTIVITY_JSON);
      const note = await Note.fromJsonLd(response.json());
      expect(note.id?.href).toBe(`${ORIGIN}${statusPath(alice, id)}`);
      expect(note.attributionId?.href).toBe(`${ORIGIN}/users/${alice.username}`);
      expect(note.url?.toString()).toBe(`${ORIGIN}/@${alice.username}/${id}`);
      expect(String(note.content)).toContain(`hello`);
    }
  });

  it('is not served for followers-only and direct statuses, other authors or unknown ids', async () => {
    const privately = await post(alice, 'friends only', 'private');
    const direct = await post(alice, `@${bob.username} just us`, 'direct');
    const publicId = await post(alice, 'public one');
    for (const path of [
      statusPath(alice, privately),
      statusPath(alice, direct),
      statusPath(bob, publicId),
      statusPath(alice, '123'),
      `/users/${alice.username}/statuses/not-a-number`,
    ]) {
      const response = await app.inject({ url: path, headers: { accept: ACTIVITY_JSON } });
      expect({ path, status: response.statusCode }).toEqual({ path, status: 404 });
    }
  });

  it('sends a browser to the status page', async () => {
    const id = await post(alice, 'for people');
    const response = await app.inject({
      url: statusPath(alice, id),
      headers: { accept: 'text/html' },
    });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe(`${ORIGIN}/@${alice.username}/${id}`);
  });
});

describe('the outbox', () => {
  it('counts the statuses and pages their Create activities, newest first, public ones only', async () => {
    const outbox = await app.inject({
      url: `/users/${bob.username}/outbox`,
      headers: { accept: ACTIVITY_JSON },
    });
    expect(outbox.statusCode).toBe(200);
    const collection = outbox.json() as { totalItems: number; first: string };
    const older = await post(bob, 'older');
    await post(bob, 'hidden', 'private');
    const newer = await post(bob, 'newer');
    const first = await app.inject({
      url: new URL(collection.first).pathname + new URL(collection.first).search,
      headers: { accept: ACTIVITY_JSON },
    });
    expect(first.statusCode).toBe(200);
    const page = await OrderedCollectionPage.fromJsonLd(first.json());
    const objects: string[] = [];
    for await (const item of page.getItems()) {
      expect(item.constructor.name).toBe('Create');
      objects.push((item as unknown as { objectId: URL }).objectId.href);
    }
    expect(objects).toEqual([
      `${ORIGIN}${statusPath(bob, newer)}`,
      `${ORIGIN}${statusPath(bob, older)}`,
    ]);
  });
});
