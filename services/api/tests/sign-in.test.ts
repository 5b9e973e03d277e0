import { authenticate } from '@murmur/db/accounts';
import { createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PasswordAuthenticator } from '../src/app.js';
import {
  authorizeInBrowser,
  codeFrom,
  CookieJar,
  createAccountFixture,
  createTestApp,
  csrfFrom,
  exchangeCode,
  form,
  FORM,
  pkcePair,
  registerClient,
  type RegisteredClient,
  type TestApp,
} from './_helpers.js';

let testDb: TestDatabase;
let t: TestApp;
let client: RegisteredClient;
let bcryptCalls = 0;
const countingAuthenticator: PasswordAuthenticator = (...args) => {
  bcryptCalls++;
  return authenticate(...args);
};

beforeAll(async () => {
  testDb = await createTestDatabase();
  t = await createTestApp({ testDatabase: testDb, authenticator: countingAuthenticator });
  await createAccountFixture(t.database, { username: 'sign_alice', email: 'alice@example.test' });
  client = await registerClient(t.app);
});
afterAll(async () => {
  await t?.close();
  await testDb?.destroy();
});

const authorizeQuery = () => ({
  response_type: 'code',
  client_id: client.client_id,
  redirect_uri: 'https://app.example/cb',
});

/** Opens the sign-in page and returns a function that posts the form from the same browser. */
async function signInForm(app = t.app, remoteAddress?: string) {
  const jar = new CookieJar();
  const page = await app.inject({
    method: 'GET',
    url: `/oauth/authorize?${new URLSearchParams(authorizeQuery())}`,
    remoteAddress,
  });
  jar.store(page);
  const csrf = csrfFrom(page.body);
  return (login: string, password: string, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/oauth/sign_in',
      remoteAddress,
      headers: { ...FORM, cookie: jar.header(), ...headers },
      payload: form({ ...authorizeQuery(), csrf_token: csrf, login, password }),
    });
}

async function signUp(app: TestApp['app'], fields: Record<string, string>) {
  const jar = new CookieJar();
  const page = await app.inject({
    method: 'GET',
    url: `/oauth/sign_up?${new URLSearchParams(authorizeQuery())}`,
  });
  jar.store(page);
  expect(page.statusCode).toBe(200);
  return app.inject({
    method: 'POST',
    url: '/oauth/sign_up',
    headers: { ...FORM, cookie: jar.header() },
    payload: form({ ...authorizeQuery(), csrf_token: csrfFrom(page.body), ...fields }),
  });
}

describe('sign-in page', () => {
  it('signs in with username or e-mail and keeps the typed login on failure (not the password)', async () => {
    const post = await signInForm();
    const failed = await post('sign_alice', 'wrong password here');
    expect(failed.statusCode).toBe(401);
    expect(failed.body).toContain('Wrong username/email or password');
    expect(failed.body).toContain('value="sign_alice"');
    expect(failed.body).not.toContain('wrong password here');
    const byEmail = await post('ALICE@example.test', 'correct horse battery staple');
    expect(byEmail.statusCode).toBe(303);
    expect(byEmail.headers.location).toMatch(/^\/oauth\/authorize\?/);
    const cookie = byEmail.cookies.find((c) => c.name === 'murmur_oauth_sign_in');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie!.maxAge).toBeLessThanOrEqual(600);
  });

  it('uses __Host- cookies with Secure on https', async () => {
    const secure = await createTestApp({
      testDatabase: testDb,
      env: { PUBLIC_URL: 'https://murmur.example' },
    });
    try {
      const page = await secure.app.inject({
        method: 'GET',
        url: `/oauth/authorize?${new URLSearchParams(authorizeQuery())}`,
      });
      const csrfCookie = page.cookies.find((c) => c.name === '__Host-murmur_oauth_csrf');
      expect(csrfCookie).toMatchObject({ secure: true, httpOnly: true, path: '/' });
      expect(page.headers['strict-transport-security']).toMatch(/max-age=31536000/);
    } finally {
      await secure.close();
    }
  });

  it('R19: answers an unknown account exactly like a wrong password', async () => {
    const post = await signInForm();
    const unknown = await post('nobody_here', 'some password 1');
    const wrong = await post('sign_alice', 'some password 1');
    expect(unknown.statusCode).toBe(wrong.statusCode);
    expect(unknown.body.replace('nobody_here', 'X')).toBe(wrong.body.replace('sign_alice', 'X'));
  });

  it('refuses a form without its CSRF token', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/oauth/sign_in',
      headers: FORM,
      payload: form({
        ...authorizeQuery(),
        login: 'sign_alice',
        password: 'correct horse battery staple',
      }),
    });
    expect(response.statusCode).toBe(403);
  });
});

describe('R13 credential throttling', () => {
  it('answers the 26th attempt from one IP with 429 before any bcrypt work', async () => {
    // A fake password check that counts its calls (each stands for one bcrypt comparison).
    const fake: PasswordAuthenticator = async () => {
      bcryptCalls++;
      return null;
    };
    const limited = await createTestApp({ testDatabase: testDb, authenticator: fake });
    try {
      const post = await signInForm(limited.app, '198.51.100.7');
      const before = bcryptCalls;
      for (let i = 0; i < 25; i++)
        expect((await post(`someone_${i}`, 'wrong password')).statusCode).toBe(401);
      expect(bcryptCalls - before).toBe(25);
      const blocked = await post('sign_alice', 'correct horse battery staple');
      expect(blocked.statusCode).toBe(429);
      expect(bcryptCalls - before).toBe(25);
      expect(blocked.headers['x-ratelimit-limit']).toBe('25');
      expect(blocked.headers['x-ratelimit-remaining']).toBe('0');
      expect(blocked.headers['retry-after']).toBeDefined();
    } finally {
      await limited.close();
    }
  });

  it('throttles per account across spoofed X-Forwarded-For from an untrusted peer, until the window passes', async () => {
    let now = new Date('2031-01-01T00:00:00.000Z').getTime();
    const limited = await createTestApp({
      testDatabase: testDb,
      clock: () => new Date(now),
      rateLimits: {
        signInPerIp: { limit: 1000, windowMs: 60_000 },
        signInPerLogin: { limit: 3, windowMs: 60_000 },
      },
    });
    try {
      const post = await signInForm(limited.app, '203.0.113.9');
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        statuses.push(
          (await post('sign_alice', 'wrong password', { 'x-forwarded-for': `10.0.0.${i}` }))
            .statusCode,
        );
      }
      expect(statuses).toEqual([401, 401, 401, 429]);
      now += 60_000;
      expect((await post('sign_alice', 'correct horse battery staple')).statusCode).toBe(303);
    } finally {
      await limited.close();
    }
  });

  it('keys the IP limit on the peer, not on X-Forwarded-For from an untrusted peer', async () => {
    const limited = await createTestApp({
      testDatabase: testDb,
      rateLimits: { signInPerIp: { limit: 2, windowMs: 60_000 } },
    });
    try {
      const post = await signInForm(limited.app, '203.0.113.77');
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        statuses.push(
          (await post(`spoof_${i}`, 'wrong password', { 'x-forwarded-for': `192.0.2.${i}` }))
            .statusCode,
        );
      }
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('R12 passwords', () => {
  it('hashes with cost ≥ 10, verifies long passwords exactly, and keeps multi-byte passwords whole', async () => {
    const prefix = 'p'.repeat(72);
    const created = await signUp(t.app, {
      username: 'long_pw',
      email: 'long@example.test',
      password: `${prefix}AAAAAAAA`,
    });
    expect(created.statusCode).toBe(303);
    // The hash is the database's alone (no account the services get carries it).
    const { rows } = await t.database.pool.query<{ password_hash: string }>(
      `select password_hash from accounts where username = 'long_pw'`,
    );
    expect(Number(rows[0]!.password_hash.split('$')[2])).toBeGreaterThanOrEqual(10);

    expect((await (await signInForm())('long_pw', `${prefix}BBBBBBBB`)).statusCode).toBe(401);
    expect((await (await signInForm())('long_pw', `${prefix}AAAAAAAA`)).statusCode).toBe(303);

    const emoji = '😀'.repeat(64); // 256 bytes
    expect(
      (await signUp(t.app, { username: 'emoji_pw', email: 'emoji@example.test', password: emoji }))
        .statusCode,
    ).toBe(303);
    expect((await (await signInForm())('emoji_pw', emoji)).statusCode).toBe(303);
    expect((await (await signInForm())('emoji_pw', '😀'.repeat(63))).statusCode).toBe(401);
  });

  it('rejects a common password with 422 and keeps what was typed (not the password)', async () => {
    const response = await signUp(t.app, {
      username: 'weak_pw',
      email: 'weak@example.test',
      password: 'password123',
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('too common');
    expect(response.body).toContain('value="weak_pw"');
    expect(response.body).toContain('value="weak@example.test"');
    expect(response.body).not.toContain('password123');
  });
});

describe('sign-up page', () => {
  it('shows errors next to the fields and continues the OAuth flow after success', async () => {
    const taken = await signUp(t.app, {
      username: 'sign_alice',
      email: 'new@example.test',
      password: 'a fine passphrase',
    });
    expect(taken.statusCode).toBe(422);
    expect(taken.body).toMatch(/id="username-error">Username is already taken/);

    const created = await signUp(t.app, {
      username: 'fresh_user',
      email: 'fresh@example.test',
      password: 'a fine passphrase',
    });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toMatch(/^\/oauth\/authorize\?.*client_id=/);
  });

  it('is closed when registrations are closed', async () => {
    const closed = await createTestApp({
      testDatabase: testDb,
      env: { REGISTRATIONS_OPEN: 'false' },
    });
    try {
      const page = await closed.app.inject({ method: 'GET', url: '/oauth/sign_up' });
      expect(page.statusCode).toBe(403);
    } finally {
      await closed.close();
    }
  });
});

describe('POST /api/v1/accounts', () => {
  const postAccount = (token: string, payload: Record<string, unknown>, remoteAddress?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      remoteAddress,
      headers: { authorization: `Bearer ${token}` },
      payload,
    });

  async function appToken(scope: string) {
    const response = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: {
        grant_type: 'client_credentials',
        client_id: client.client_id,
        client_secret: client.client_secret,
        scope,
      },
    });
    return response.json().access_token as string;
  }

  it('registers with an app token and answers a user token with the app token scopes', async () => {
    const token = await appToken('read write');
    const response = await postAccount(token, {
      username: 'api_user',
      email: 'api@example.test',
      password: 'a fine passphrase',
      agreement: true,
      locale: 'en',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ token_type: 'Bearer', scope: 'read write' });
    const verify = await t.app.inject({
      method: 'GET',
      url: '/api/v1/apps/verify_credentials',
      headers: { authorization: `Bearer ${response.json().access_token}` },
    });
    expect(verify.statusCode).toBe(200);
  });

  it('answers Mastodon-style 422 details', async () => {
    const token = await appToken('write');
    const response = await postAccount(token, {
      username: 'sign_alice',
      email: 'dup@example.test',
      password: 'a fine passphrase',
      agreement: 'true',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      error: expect.stringMatching(/^Validation failed: /),
      details: { username: [{ error: 'ERR_TAKEN', description: expect.any(String) }] },
    });
    const blank = await postAccount(token, {
      username: '',
      email: 'x@example.test',
      password: 'password123',
    });
    expect(blank.json().details).toMatchObject({
      username: [{ error: 'ERR_BLANK' }],
      agreement: [{ error: 'ERR_ACCEPTED' }],
    });
  });

  it('needs write:accounts, and is throttled to 5 per 30 minutes per IP', async () => {
    const readOnly = await appToken('read');
    const denied = await postAccount(readOnly, {});
    expect(denied.statusCode).toBe(403);

    const token = await appToken('write:accounts');
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      const response = await postAccount(
        token,
        {
          username: `throttle_${i}`,
          email: `t${i}@example.test`,
          password: 'password123',
          agreement: true,
        },
        '192.0.2.200',
      );
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([422, 422, 422, 422, 422, 429]);
  });
});

describe('R21 no credentials in the logs', () => {
  it('logs a whole OAuth flow without any password, secret, code, verifier or token', async () => {
    const logged = await createTestApp({ testDatabase: testDb, captureLogs: true });
    try {
      const password = 'canary-password-7f3a9c';
      await signUp(logged.app, { username: 'canary', email: 'canary@example.test', password });
      const c = await registerClient(logged.app);
      const { verifier, challenge } = pkcePair();
      const { response } = await authorizeInBrowser(logged.app, {
        query: {
          ...authorizeQuery(),
          client_id: c.client_id,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        },
        login: 'canary',
        password,
      });
      const code = codeFrom(response.headers.location as string);
      const token = await exchangeCode(logged.app, c, code, { code_verifier: verifier });
      const accessToken = token.json().access_token as string;
      await logged.app.inject({
        method: 'GET',
        url: `/api/v1/apps/verify_credentials?access_token=${accessToken}`,
      });
      await logged.app.inject({
        method: 'GET',
        url: '/api/v1/apps/verify_credentials',
        headers: { authorization: `Bearer ${accessToken}` },
      });
      await logged.app.inject({
        method: 'POST',
        url: '/oauth/revoke',
        payload: { client_id: c.client_id, client_secret: c.client_secret, token: accessToken },
      });
      const output = logged.logs.join('');
      expect(output).toContain('auth.sign_in'); // sign-in events are logged
      expect(output).toContain('oauth.token');
      for (const canary of [password, c.client_secret, code, verifier, accessToken]) {
        expect(output).not.toContain(canary);
      }
    } finally {
      await logged.close();
    }
  });
});
