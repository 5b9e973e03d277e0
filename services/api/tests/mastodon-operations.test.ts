/**
 * The small operations apps call, checked against Mastodon's description: the Profile entity
 * (`GET`/`PATCH /api/v1/profile`), `GET /health`, the (empty) translation languages and oEmbed.
 */
import { type Database } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import { describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import { json, ORIGIN, type TestUser, useServer } from './_mastodon.js';
import { expectMastodonResponse } from './_openapi.js';

let app: ApiInstance;
let database: Database;
let alice: TestUser;

useServer((server) => ({ app, database, alice } = server));

async function call(
  method: 'GET' | 'PATCH',
  url: string,
  options: { user?: TestUser; payload?: object; status?: number } = {},
) {
  const response = await app.inject({
    method,
    url,
    headers: options.user ? options.user.headers : {},
    ...(options.payload ? { payload: options.payload } : {}),
  });
  expect(response.statusCode, response.body).toBe(options.status ?? 200);
  expectMastodonResponse(response);
  return response;
}

describe('the Profile entity', () => {
  it('shows the raw profile and changes what Murmur stores', async () => {
    const before = json(await call('GET', '/api/v1/profile', { user: alice }));
    expect(before).toMatchObject({ id: alice.id, locked: false, fields: [], avatar: null });
    const after = json(
      await call('PATCH', '/api/v1/profile', {
        user: alice,
        payload: { display_name: 'Alice', note: 'I <3 plain text', locked: true, bot: true },
      }),
    );
    // The bio is raw text, not HTML; `bot` does not exist here and stays false.
    expect(after).toMatchObject({
      display_name: 'Alice',
      note: 'I <3 plain text',
      locked: true,
      bot: false,
    });
    const account = json(await call('GET', `/api/v1/accounts/${alice.id}`));
    expect(account).toMatchObject({ display_name: 'Alice', locked: true });
    await call('PATCH', '/api/v1/profile', {
      user: alice,
      payload: { display_name: 'x'.repeat(200) },
      status: 422,
    });
    await call('GET', '/api/v1/profile', { status: 401 });
  });
});

describe('operations', () => {
  it('answers /health with OK and no translation languages', async () => {
    // Mastodon answers plain text (its description says JSON but documents no body).
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.body).toBe('OK');
    expect(json(await call('GET', '/api/v1/instance/translation_languages'))).toEqual({});
  });

  it('embeds a public post with oEmbed, and nothing else', async () => {
    const post = await createStatus(database, {
      accountId: alice.id,
      text: 'Embed me <b>please</b> #oembed',
    });
    const url = `${ORIGIN}/@${alice.username}/${post.id}`;
    const embed = json(await call('GET', `/api/oembed?url=${encodeURIComponent(url)}`));
    expect(embed).toMatchObject({
      type: 'rich',
      version: '1.0',
      author_url: `${ORIGIN}/@${alice.username}`,
      provider_url: `${ORIGIN}/`,
      width: 400,
      height: null,
    });
    expect(embed.html).toContain('Embed me &lt;b&gt;please&lt;/b&gt;');
    expect(embed.html).toContain(`href="${url}"`);

    const secret = await createStatus(database, {
      accountId: alice.id,
      text: 'followers only',
      visibility: 'private',
    });
    for (const other of [
      `${ORIGIN}/@${alice.username}/${secret.id}`,
      `https://elsewhere.example/@${alice.username}/${post.id}`,
      'not a url',
      `${ORIGIN}/@${alice.username}/999999999`,
    ]) {
      const response = await app.inject({
        method: 'GET',
        url: `/api/oembed?url=${encodeURIComponent(other)}`,
      });
      expect(response.statusCode, other).toBe(404);
    }
  });
});
