/**
 * E-mail confirmation through the API as clients call it: an account signed up with
 * `POST /api/v1/accounts` cannot post, boost or follow until it confirms (403 with Mastodon's
 * message) but can read and resend the e-mail (`POST /api/v1/emails/confirmations`, optionally to a
 * corrected address); after the link it can. With REQUIRE_EMAIL_CONFIRMATION=false nothing waits.
 */
import { createStatus } from '@murmur/db/statuses';
import { issueAccountTokenSecret, confirmEmail } from '@murmur/db/accounts';
import { outboxEvents } from '@murmur/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountFixture, createTestApp, registerClient, type TestApp } from './_helpers.js';
import { expectMastodonResponse } from './_openapi.js';

const MESSAGE = 'Your login is missing a confirmed e-mail address';

async function signUpThroughApi(t: TestApp, username: string) {
  const client = await registerClient(t.app);
  const app = await t.app.inject({
    method: 'POST',
    url: '/oauth/token',
    payload: {
      grant_type: 'client_credentials',
      client_id: client.client_id,
      client_secret: client.client_secret,
      scope: 'read write follow',
    },
  });
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/accounts',
    headers: { authorization: `Bearer ${app.json().access_token}` },
    payload: {
      username,
      email: `${username}@example.test`,
      password: 'a fine passphrase',
      agreement: true,
      locale: 'en',
    },
  });
  expect(response.statusCode).toBe(200);
  const headers = { authorization: `Bearer ${response.json().access_token as string}` };
  const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
    t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const me = (await call('GET', '/api/v1/accounts/verify_credentials')).json() as { id: string };
  return { id: me.id, call };
}

describe('with REQUIRE_EMAIL_CONFIRMATION (the default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  it('refuses posting, boosting and following until the address is confirmed', async () => {
    const { id, call } = await signUpThroughApi(t, 'newcomer');
    const other = await createAccountFixture(t.database);
    const post = await createStatus(t.database, { accountId: other.id, text: 'boost me' });
    for (const [url, payload] of [
      ['/api/v1/statuses', { status: 'hello' }],
      [`/api/v1/statuses/${post.id}/reblog`, undefined],
      [`/api/v1/accounts/${other.id}/follow`, undefined],
    ] as const) {
      const refused = await call('POST', url, payload);
      expect(refused.statusCode, url).toBe(403);
      // Mastodon's answer, though its description documents no 403 on these operations.
      expect(refused.json()).toEqual({ error: MESSAGE });
    }
    // Reading works.
    expect((await call('GET', '/api/v1/timelines/home')).statusCode).toBe(200);

    const [event] = (await outboxEvents(t.database, ['EmailConfirmationRequested'])).filter(
      (e) => e.data.accountId === id,
    );
    const token = (await issueAccountTokenSecret(t.database, event!.data.tokenId))!;
    await confirmEmail(t.database, token);
    const posted = await call('POST', '/api/v1/statuses', { status: 'hello, confirmed' });
    expect(posted.statusCode).toBe(200);
    expect((await call('POST', `/api/v1/accounts/${other.id}/follow`)).statusCode).toBe(200);
  });

  it('resends the e-mail, optionally to a corrected address, only while unconfirmed', async () => {
    const { id, call } = await signUpThroughApi(t, 'typo_person');
    const resent = await call('POST', '/api/v1/emails/confirmations', {
      email: 'corrected@example.test',
    });
    expect(resent.statusCode).toBe(200);
    expect(resent.json()).toEqual({});
    expectMastodonResponse(resent);
    const events = (await outboxEvents(t.database, ['EmailConfirmationRequested'])).filter(
      (e) => e.data.accountId === id,
    );
    expect(events).toHaveLength(2);
    const bad = await call('POST', '/api/v1/emails/confirmations', { email: 'not an address' });
    expect(bad.statusCode).toBe(422);

    const token = (await issueAccountTokenSecret(t.database, events[1]!.data.tokenId))!;
    await confirmEmail(t.database, token);
    const again = await call('POST', '/api/v1/emails/confirmations');
    expect(again.statusCode).toBe(403);
    expect(again.json().error).toBe(
      'This method is only available while the e-mail is awaiting confirmation',
    );
  });

  it('leaves accounts made before (and by fixtures) confirmed', async () => {
    const account = await createAccountFixture(t.database);
    expect(account.emailConfirmedAt).not.toBeNull();
  });
});

describe('with REQUIRE_EMAIL_CONFIRMATION=false', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { REQUIRE_EMAIL_CONFIRMATION: 'false' } });
  });
  afterAll(() => t?.close());

  it('lets a new account post at once and sends no confirmation', async () => {
    const { id, call } = await signUpThroughApi(t, 'trusted');
    expect((await call('POST', '/api/v1/statuses', { status: 'hi' })).statusCode).toBe(200);
    const events = (await outboxEvents(t.database, ['EmailConfirmationRequested'])).filter(
      (e) => e.data.accountId === id,
    );
    expect(events).toEqual([]);
  });
});
