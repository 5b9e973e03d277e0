/**
 * Announcements as apps read them: the operator publishes one, people see it with its formatted text,
 * react with an emoji and mark it read; bodies checked against Mastodon's description; masto.js does
 * the same unmodified over HTTP.
 */
import { type Database } from '@murmur/db';
import { publishAnnouncement, withdrawAnnouncement } from '@murmur/db/announcements';
import { createRestAPIClient } from 'masto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import { createAccountFixture, createListeningTestApp, type TestApp } from './_helpers.js';
import { json, signedInUser, tokenFor, type TestUser, useServer } from './_mastodon.js';
import { expectMastodonResponse } from './_openapi.js';

let app: ApiInstance;
let database: Database;
let alice: TestUser;
let bob: TestUser;

useServer((server) => ({ app, database, alice, bob } = server));

async function call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, user: TestUser) {
  const response = await app.inject({ method, url, headers: user.headers });
  return { response, body: response.body ? (response.json() as T) : (undefined as T) };
}

describe('/api/v1/announcements', () => {
  it('lists what is active, with reactions and read marks per person', async () => {
    const { id } = await publishAnnouncement(database, {
      text: `Welcome! Say hello to @${alice.username} #welcome https://example.org/help`,
    });
    const encoded = encodeURIComponent('👋');
    for (const user of [alice, bob]) {
      const reacted = await call('PUT', `/api/v1/announcements/${id}/reactions/${encoded}`, user);
      expect(reacted.response.statusCode).toBe(200);
    }
    expect(
      (await call('POST', `/api/v1/announcements/${id}/dismiss`, bob)).response.statusCode,
    ).toBe(200);

    const listed = await app.inject({ url: '/api/v1/announcements', headers: bob.headers });
    const [entity] = json<Record<string, unknown>[]>(listed);
    expectMastodonResponse(listed);
    expect(entity).toMatchObject({
      id,
      read: true,
      mentions: [{ id: alice.id, username: alice.username, acct: alice.username }],
      tags: [{ name: 'welcome' }],
      reactions: [{ name: '👋', count: 2, me: true }],
      all_day: false,
      starts_at: null,
      ends_at: null,
    });
    expect(entity!.content).toContain('<a href="https://example.org/help"');
    expect(entity!.content).toContain('class="u-url mention"');

    const forAlice = json<{ read: boolean }[]>(
      await app.inject({ url: '/api/v1/announcements', headers: alice.headers }),
    );
    expect(forAlice[0]!.read).toBe(false);

    await withdrawAnnouncement(database, id);
  });

  it('answers clearly for what cannot be: unknown ids, not an emoji, no token', async () => {
    const carol = await signedInUser(database);
    const { id } = await publishAnnouncement(database, { text: 'Reactions please' });
    const notEmoji = await call<{ error: string }>(
      'PUT',
      `/api/v1/announcements/${id}/reactions/bongoCat`,
      carol,
    );
    expect(notEmoji.response.statusCode).toBe(422);
    expect(notEmoji.body.error).toMatch(/emoji/);
    const unknown = await call('POST', '/api/v1/announcements/12345/dismiss', carol);
    expect(unknown.response.statusCode).toBe(404);
    const anonymous = await app.inject({ url: '/api/v1/announcements' });
    expect(anonymous.statusCode).toBe(401);
    await withdrawAnnouncement(database, id);
  });
});

describe('masto.js', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    ({ t, url } = await createListeningTestApp());
  });
  afterAll(() => t?.close());

  it('lists announcements, reacts, takes the reaction back and dismisses', async () => {
    const account = await createAccountFixture(t.database);
    const accessToken = await tokenFor(t.database, account.id, ['read', 'write']);
    const client = createRestAPIClient({ url, accessToken });
    const { id } = await publishAnnouncement(t.database, { text: 'Server upgrade at noon' });

    const [listed] = await client.v1.announcements.list();
    expect(listed).toMatchObject({ id, read: false, reactions: [] });
    await client.v1.announcements.$select(id).reactions.$select('🚀').update();
    expect((await client.v1.announcements.list())[0]!.reactions).toEqual([
      { name: '🚀', count: 1, me: true },
    ]);
    await client.v1.announcements.$select(id).reactions.$select('🚀').remove();
    await client.v1.announcements.$select(id).dismiss();
    expect((await client.v1.announcements.list())[0]).toMatchObject({ read: true, reactions: [] });
  });
});
