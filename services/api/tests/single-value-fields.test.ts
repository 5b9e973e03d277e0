/**
 * A field that takes one value, sent as a list (`{"notifications": ["1"]}`, `whole_word[]=x`), is a
 * 422 that names the field, never a 500. Before, Ajv's array coercion let a one-element list through
 * a `boolean or string` schema as the string while the handler received the list, and
 * `parseBoolean` failed on it: the 500 the OpenAPI fuzz test once met on
 * `POST /api/v1/accounts/:id/mute`. Fields that take a list keep taking one element, or one value.
 */
import { describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import { FORM } from './_helpers.js';
import { json, type TestUser, useServer } from './_mastodon.js';

let app: ApiInstance;
let alice: TestUser;
let bob: TestUser;

useServer((server) => ({ app, alice, bob } = server));

function post(url: string, body: unknown) {
  return app.inject({ method: 'POST', url, headers: alice.headers, payload: body as object });
}

describe('a one-value field sent as a list', () => {
  it('is a 422 naming the field on mute, follow, statuses and lists', async () => {
    const filter = json(
      await post('/api/v2/filters', {
        title: 'Spoilers',
        context: ['home'],
        keywords_attributes: [{ keyword: 'finale' }],
      }),
    );
    const cases: [string, Record<string, unknown>, string][] = [
      [`/api/v1/accounts/${bob.id}/mute`, { notifications: ['1'] }, 'notifications'],
      [`/api/v1/accounts/${bob.id}/mute`, { duration: ['soon'] }, 'duration'],
      [`/api/v1/accounts/${bob.id}/follow`, { reblogs: ['nope'] }, 'reblogs'],
      ['/api/v1/statuses', { status: 'hi', sensitive: ['yes'] }, 'sensitive'],
      ['/api/v1/lists', { title: 'Friends', exclusive: ['yes'] }, 'exclusive'],
      [`/api/v2/filters/${filter.id}/keywords`, { keyword: 'x', whole_word: ['x'] }, 'whole_word'],
    ];
    for (const [url, body, field] of cases) {
      const response = await post(url, body);
      expect({ url, body, status: response.statusCode }).toEqual({ url, body, status: 422 });
      expect(json(response, 422).error).toContain(`body/${field} must be`);
    }
  });

  it('is a 422 in a form too (`whole_word[]=x`)', async () => {
    const filter = json(
      await post('/api/v2/filters', { title: 'Forms', context: ['home'], keywords_attributes: [] }),
    );
    const response = await app.inject({
      method: 'POST',
      url: `/api/v2/filters/${filter.id}/keywords`,
      headers: { ...alice.headers, ...FORM },
      payload: 'keyword=spoiler&whole_word[]=x',
    });
    expect(json(response, 422).error).toContain('body/whole_word must be');
  });

  // The request of the CI failure, as far as its report showed it (the id of no account, a query
  // list, a tiny double and a 20,000-character key), with the field that made it a 500.
  it('is a 422 in the shape the fuzz test sent to an unknown account', async () => {
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/accounts/%E0%A4%9E/mute?x[]=${'é'.repeat(200)}&x[]=-1`,
      headers: { ...alice.headers, 'content-type': 'application/json' },
      payload: JSON.stringify({
        '0': [5e-324, { ['x'.repeat(20_000)]: [-0, 1e308] }, null],
        notifications: ['__proto__'],
      }),
    });
    expect(json(response, 422).error).toBe(
      'Validation failed: body/notifications must be boolean, string or null',
    );
  });

  it('nested one level deeper in a list field is a 422 too', async () => {
    const response = await post('/api/v1/statuses', { status: 'hi', media_ids: [['1']] });
    expect(json(response, 422).error).toContain('body/media_ids');
  });
});

describe('fields that take one value or a list', () => {
  it('still take the one value, a list and a one-element list', async () => {
    const mute = json(
      await app.inject({
        method: 'POST',
        url: `/api/v1/accounts/${bob.id}/mute`,
        headers: { ...alice.headers, ...FORM },
        payload: 'notifications=false&duration=3600',
      }),
    );
    expect(mute).toMatchObject({ muting: true, muting_notifications: false });
    for (const context of ['home', ['home'], ['home', 'public']]) {
      const filter = json(await post('/api/v2/filters', { title: 'Either', context }));
      expect(filter.context).toEqual(Array.isArray(context) ? context : [context]);
    }
    const notifications = await app.inject({
      url: '/api/v1/notifications?types[]=mention',
      headers: alice.headers,
    });
    expect(notifications.statusCode).toBe(200);
  });
});
