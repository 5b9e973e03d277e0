/**
 * "Forgot your password?" on the authorization server's sign-in page: the same answer for any
 * address, throttled per address and per IP; the link's form sets a new password with the sign-up
 * policy, works once, and ends every token of the account. (The e-mail itself is the worker's: here
 * the worker's step that makes the token is called directly.)
 */
import { authenticateAccessToken } from '@murmur/db/auth';
import { issueAccountTokenSecret, type LocalAccount } from '@murmur/db/accounts';
import { outboxEvents } from '@murmur/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenFor } from './_mastodon.js';
import {
  CookieJar,
  createAccountFixture,
  createTestApp,
  csrfFrom,
  form,
  FORM,
  registerClient,
  type TestApp,
} from './_helpers.js';

let t: TestApp;
let rita: LocalAccount;

beforeAll(async () => {
  t = await createTestApp({
    captureLogs: true,
    rateLimits: {
      // Windows of a day: the limiter counts in fixed windows, and a test that crossed a window's
      // end (every minute with 60 s windows) would see its counts start again.
      accountEmailsPerAddress: { limit: 3, windowMs: 24 * 60 * 60_000 },
      accountEmailsPerIp: { limit: 8, windowMs: 24 * 60 * 60_000 },
    },
  });
  rita = await createAccountFixture(t.database, { email: 'rita@example.test' });
});
afterAll(() => t?.close());

/** A browser: opens a page, keeps cookies, posts its form. */
async function browser(url: string, remoteAddress = '127.0.0.1') {
  const jar = new CookieJar();
  const page = await t.app.inject({ method: 'GET', url, remoteAddress });
  jar.store(page);
  return {
    page,
    post: (action: string, fields: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: action,
        remoteAddress,
        headers: { ...FORM, cookie: jar.header() },
        payload: form({ csrf_token: csrfFrom(page.body), ...fields }),
      }),
  };
}

async function askForLink(email: string, remoteAddress?: string) {
  const { post } = await browser('/oauth/password/new', remoteAddress);
  return post('/oauth/password', { email });
}

async function newestResetToken(): Promise<string> {
  const events = await outboxEvents(t.database, ['PasswordResetRequested']);
  return (await issueAccountTokenSecret(t.database, events.at(-1)!.data.tokenId))!;
}

describe('forgot your password', () => {
  it('is linked from the sign-in page, carrying the authorization request', async () => {
    const client = await registerClient(t.app);
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: 'https://app.example/cb',
    });
    const signIn = await t.app.inject({ method: 'GET', url: `/oauth/authorize?${query}` });
    const href = /href="([^"]+)">Forgot your password\?</
      .exec(signIn.body)![1]!
      .replaceAll('&amp;', '&');
    expect(href).toContain('/oauth/password/new?');
    const forgot = await t.app.inject({ method: 'GET', url: href });
    expect(forgot.statusCode).toBe(200);
    expect(forgot.body).toContain(`name="client_id" value="${client.client_id}"`);
  });

  it('answers the same for a registered and an unknown address, and writes the event only for the first', async () => {
    const before = (await outboxEvents(t.database, ['PasswordResetRequested'])).length;
    const known = await askForLink('RITA@example.test', '10.0.0.1');
    const unknown = await askForLink('nobody@example.test', '10.0.0.2');
    expect(known.statusCode).toBe(200);
    expect(unknown.statusCode).toBe(200);
    const text = (body: string) => body.replace(/value="[^"]*"/g, '');
    expect(text(known.body)).toBe(text(unknown.body));
    expect(known.body).toContain('If an account uses this address');
    const events = await outboxEvents(t.database, ['PasswordResetRequested']);
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)!.data.accountId).toBe(rita.id);
  });

  it('throttles per address (registered or not) and per IP', async () => {
    for (const address of ['throttled@example.test', rita.email]) {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await askForLink(address, `10.1.${i}.1`)).statusCode);
      }
      // rita asked once already in the test above.
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    }
    const fromOneIp: number[] = [];
    for (let i = 0; i < 9; i++) {
      fromOneIp.push((await askForLink(`someone${i}@example.test`, '10.9.9.9')).statusCode);
    }
    expect(fromOneIp.slice(0, 8).every((s) => s === 200)).toBe(true);
    expect(fromOneIp[8]).toBe(429);
  });

  it('sets a new password once with the link; every token of the account is refused afterwards', async () => {
    const account = await createAccountFixture(t.database, { email: 'sam@example.test' });
    const oldToken = await tokenFor(t.database, account.id, ['read']);
    await askForLink('sam@example.test', '10.2.0.1');
    const token = await newestResetToken();

    const bad = await browser('/oauth/password/edit?token=not-the-right-token-at-all');
    expect(bad.page.statusCode).toBe(404);
    expect(bad.page.body).toContain('Ask for a new link');

    const edit = await browser(`/oauth/password/edit?token=${token}`);
    expect(edit.page.statusCode).toBe(200);
    const mismatch = await edit.post('/oauth/password/edit', {
      token,
      password: 'a new passphrase',
      password_confirmation: 'another one',
    });
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.body).toContain('not the same');
    const tooShort = await edit.post('/oauth/password/edit', {
      token,
      password: 'short',
      password_confirmation: 'short',
    });
    expect(tooShort.statusCode).toBe(422);
    expect(tooShort.body).toContain('field-error');

    const done = await edit.post('/oauth/password/edit', {
      token,
      password: 'a new passphrase',
      password_confirmation: 'a new passphrase',
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Your password was changed');
    expect(await authenticateAccessToken(t.database, oldToken)).toBeNull();
    const refused = await t.app.inject({
      method: 'GET',
      url: '/api/v1/accounts/verify_credentials',
      headers: { authorization: `Bearer ${oldToken}` },
    });
    expect(refused.statusCode).toBe(401);

    const again = await edit.post('/oauth/password/edit', {
      token,
      password: 'third passphrase',
      password_confirmation: 'third passphrase',
    });
    expect(again.statusCode).toBe(404);
    // The token never reaches the logs.
    expect(t.logs.join('\n')).not.toContain(token);
  });
});
