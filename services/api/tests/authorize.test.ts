import { createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeInBrowser,
  codeFrom,
  CookieJar,
  createAccountFixture,
  createTestApp,
  csrfFrom,
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
const REDIRECT = 'https://app.example/cb';
const LOGIN = 'authz_alice';

beforeAll(async () => {
  testDb = await createTestDatabase();
  t = await createTestApp({ testDatabase: testDb });
  await createAccountFixture(t.database, { username: LOGIN });
  client = await registerClient(t.app, { redirect_uris: [REDIRECT, 'http://127.0.0.1:8080/cb'] });
});
afterAll(async () => {
  await t?.close();
  await testDb?.destroy();
});

const baseQuery = () => ({
  response_type: 'code',
  client_id: client.client_id,
  redirect_uri: REDIRECT,
});

function authorizeGet(query: Record<string, string>, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'GET',
    url: `/oauth/authorize?${new URLSearchParams(query)}`,
    headers,
  });
}

function exchange(fields: Record<string, string | undefined>) {
  return t.app.inject({
    method: 'POST',
    url: '/oauth/token',
    payload: {
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT,
      client_id: client.client_id,
      client_secret: client.client_secret,
      ...fields,
    },
  });
}

async function approvedCode(query: Record<string, string> = {}): Promise<string> {
  const { response } = await authorizeInBrowser(t.app, {
    query: { ...baseQuery(), ...query },
    login: LOGIN,
  });
  expect(response.statusCode).toBe(303);
  return codeFrom(response.headers.location as string);
}

describe('R01 exact redirect URI matching', () => {
  it.each([
    ['trailing slash', `${REDIRECT}/`],
    ['extra query', `${REDIRECT}?x=1`],
    ['upper-case host', 'HTTPS://APP.EXAMPLE/cb'],
    ['fragment', `${REDIRECT}#f`],
    ['suffix host', 'https://app.example/cb.evil.com'],
    ['percent-encoded path', 'https://app.example/c%62'],
    ['different port', 'https://app.example:8443/cb'],
    ['other host', 'https://evil.example/cb'],
  ])('refuses a %s with an error page and no redirect', async (_name, redirectUri) => {
    const response = await authorizeGet({
      ...baseQuery(),
      redirect_uri: redirectUri,
      state: 'xyz',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers.location).toBeUndefined();
    expect(response.headers['content-type']).toMatch(/^text\/html/);
  });

  it('refuses an unknown client without redirecting', async () => {
    const response = await authorizeGet({ ...baseQuery(), client_id: 'nope' });
    expect(response.statusCode).toBe(400);
    expect(response.headers.location).toBeUndefined();
  });

  it('redirects to the exact URI with the state echoed, and lets loopback vary the port', async () => {
    const { response } = await authorizeInBrowser(t.app, {
      query: { ...baseQuery(), state: 'x y&z' },
      login: LOGIN,
    });
    expect(response.statusCode).toBe(303);
    const location = response.headers.location as string;
    expect(location.startsWith(`${REDIRECT}?code=`)).toBe(true);
    expect(new URL(location).searchParams.get('state')).toBe('x y&z');

    const loopback = await authorizeInBrowser(t.app, {
      query: { ...baseQuery(), redirect_uri: 'http://127.0.0.1:51234/cb' },
      login: LOGIN,
    });
    expect(loopback.response.headers.location).toMatch(/^http:\/\/127\.0\.0\.1:51234\/cb\?code=/);
  });

  it.each([
    'javascript:alert(1)',
    'data:text/html,x',
    'https://app.example/cb#frag',
    'http://app.example/cb',
  ])('refuses to register %s', async (uri) => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/apps',
      payload: { client_name: 'Bad', redirect_uris: uri },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatch(/^Validation failed: /);
  });

  it('registers several URIs, custom schemes, and refuses unknown scopes', async () => {
    const ok = await registerClient(t.app, {
      redirect_uris: 'com.tapbots.Ivory.10217:/request_token\nhttps://ivory.example/cb',
      scopes: 'read write:statuses profile',
    });
    expect(ok.redirect_uris).toEqual([
      'com.tapbots.Ivory.10217:/request_token',
      'https://ivory.example/cb',
    ]);
    expect(ok.redirect_uri).toBe(
      'com.tapbots.Ivory.10217:/request_token\nhttps://ivory.example/cb',
    );
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/apps',
      payload: { client_name: 'Bad', redirect_uris: REDIRECT, scopes: 'read sudo' },
    });
    expect(bad.statusCode).toBe(422);
    const defaults = await registerClient(t.app, { scopes: undefined as unknown as string });
    expect(defaults.scopes).toEqual(['read']);
  });
});

describe('R02 no open redirect after sign-in', () => {
  it.each([
    'https://evil.test',
    '//evil.test',
    '/\\evil.test',
    '/%2F%2Fevil.test',
    'javascript:alert(1)',
  ])('ignores next=%s', async (next) => {
    const jar = new CookieJar();
    const page = await authorizeGet(baseQuery());
    jar.store(page);
    const response = await t.app.inject({
      method: 'POST',
      url: `/oauth/sign_in?next=${encodeURIComponent(next)}`,
      headers: { ...FORM, cookie: jar.header() },
      payload: form({
        csrf_token: csrfFrom(page.body),
        login: LOGIN,
        password: 'correct horse battery staple',
        next,
        return_to: next,
      }),
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/');
  });
});

describe('R03 PKCE', () => {
  const pair = pkcePair();

  it('accepts the S256 verifier', async () => {
    const code = await approvedCode({
      code_challenge: pair.challenge,
      code_challenge_method: 'S256',
    });
    expect((await exchange({ code, code_verifier: pair.verifier })).statusCode).toBe(200);
  });
  it.each([
    ['a wrong verifier', pkcePair().verifier],
    ['a missing verifier', undefined],
    ['a 42-character verifier', pair.verifier.slice(0, 42)],
    ['a 129-character verifier', 'a'.repeat(129)],
  ])('refuses %s with invalid_grant', async (_name, verifier) => {
    const code = await approvedCode({
      code_challenge: pair.challenge,
      code_challenge_method: 'S256',
    });
    const response = await exchange({ code, code_verifier: verifier });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_grant');
  });
  it('refuses a verifier for a code issued without a challenge (downgrade)', async () => {
    const code = await approvedCode();
    const response = await exchange({ code, code_verifier: pair.verifier });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_grant');
  });
  it.each([
    ['plain', { code_challenge: pair.verifier, code_challenge_method: 'plain' }],
    ['a missing method', { code_challenge: pair.challenge }],
  ])('refuses %s at the authorization endpoint', async (_name, extra) => {
    const response = await authorizeGet({ ...baseQuery(), ...extra });
    expect(response.statusCode).toBe(400);
    expect(response.headers.location).toBeUndefined();
  });

  it('advertises S256 only in the metadata', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/.well-known/oauth-authorization-server',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.json()).toMatchObject({
      issuer: 'http://localhost:3000',
      authorization_endpoint: 'http://localhost:3000/oauth/authorize',
      token_endpoint: 'http://localhost:3000/oauth/token',
      revocation_endpoint: 'http://localhost:3000/oauth/revoke',
      app_registration_endpoint: 'http://localhost:3000/api/v1/apps',
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'client_credentials'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
    expect(response.json().scopes_supported).toEqual(
      expect.arrayContaining(['read', 'write', 'follow', 'push', 'profile', 'read:statuses']),
    );
  });
});

describe('R04 codes are single use and short-lived', () => {
  it('lets exactly one of 20 concurrent redemptions win; a replay revokes the token', async () => {
    const verify = (accessToken: string) =>
      t.app.inject({
        method: 'GET',
        url: '/api/v1/apps/verify_credentials',
        headers: { authorization: `Bearer ${accessToken}` },
      });
    const code = await approvedCode();
    const responses = await Promise.all(Array.from({ length: 20 }, () => exchange({ code })));
    const winners = responses.filter((r) => r.statusCode === 200);
    expect(winners).toHaveLength(1);
    expect(responses.filter((r) => r.statusCode === 400).map((r) => r.json().error)).toEqual(
      Array(19).fill('invalid_grant'),
    );
    // The 19 losers were second uses of the code: the token it produced is already revoked.
    expect((await verify(winners[0]!.json().access_token)).statusCode).toBe(401);

    const single = await approvedCode();
    const first = await exchange({ code: single });
    expect(first.statusCode).toBe(200);
    expect((await verify(first.json().access_token)).statusCode).toBe(200);
    const replay = await exchange({ code: single });
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error).toBe('invalid_grant');
    expect((await verify(first.json().access_token)).statusCode).toBe(401);
  });

  it('expires codes after the configured lifetime', async () => {
    const shortLived = await createTestApp({
      testDatabase: testDb,
      env: { AUTHORIZATION_CODE_TTL_SECONDS: '1' },
    });
    try {
      const { response } = await authorizeInBrowser(shortLived.app, {
        query: baseQuery(),
        login: LOGIN,
      });
      const code = codeFrom(response.headers.location as string);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const expired = await exchange({ code });
      expect(expired.statusCode).toBe(400);
      expect(expired.json().error).toBe('invalid_grant');
    } finally {
      await shortLived.close();
    }
  });
});

describe('R05 token endpoint hygiene', () => {
  it('authenticates clients (post and basic) and answers 401 invalid_client otherwise', async () => {
    const wrong = await exchange({ code: 'x', client_secret: 'wrong' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toBe('invalid_client');
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);

    const code = await approvedCode();
    const basic = Buffer.from(
      `${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`,
    ).toString('base64');
    const response = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { authorization: `Basic ${basic}`, ...FORM },
      payload: form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.pragma).toBe('no-cache');
    expect(response.json()).not.toHaveProperty('expires_in');
    expect(response.json()).not.toHaveProperty('refresh_token');
  });

  it('requires the redirect URI of the authorization request', async () => {
    const code = await approvedCode({ redirect_uri: 'http://127.0.0.1:8080/cb' });
    const response = await exchange({ code, redirect_uri: REDIRECT });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_grant');
  });

  it('refuses the password grant and unknown grants', async () => {
    for (const grant of ['password', 'refresh_token', 'implicit']) {
      const response = await exchange({
        grant_type: grant,
        username: LOGIN,
        password: 'x',
      } as Record<string, string>);
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toBe('unsupported_grant_type');
    }
  });

  it('refuses response_type=token', async () => {
    const response = await authorizeGet({ ...baseQuery(), response_type: 'token' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('unsupported_response_type');
    expect(response.headers.location).toBeUndefined();
  });

  it('issues app tokens with client_credentials within the app scopes', async () => {
    const ok = await exchange({ grant_type: 'client_credentials', scope: 'read write' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().scope).toBe('read write');
    const tooMuch = await exchange({ grant_type: 'client_credentials', scope: 'admin:read' });
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.json().error).toBe('invalid_scope');
  });

  it('has CORS on the token endpoint but not on the authorization endpoint', async () => {
    const origin = { origin: 'https://elk.example' };
    const token = await t.app.inject({
      method: 'OPTIONS',
      url: '/oauth/token',
      headers: { ...origin, 'access-control-request-method': 'POST' },
    });
    expect(token.headers['access-control-allow-origin']).toBe('*');
    expect(token.headers['access-control-allow-credentials']).toBeUndefined();
    const authorize = await authorizeGet(baseQuery(), origin);
    expect(authorize.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a scope the app did not register, at the authorization endpoint', async () => {
    const response = await authorizeGet({ ...baseQuery(), scope: 'read admin:write' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('invalid_scope');
  });
});

describe('R11 consent page', () => {
  it('escapes the app name, needs CSRF, redirects with 303, and sets protective headers', async () => {
    const evil = await registerClient(t.app, {
      client_name: '<img src=x onerror=alert(1)>',
      website: 'https://evil.example/"><script>x</script>',
    });
    const jar = new CookieJar();
    const first = await authorizeInBrowser(t.app, {
      query: { response_type: 'code', client_id: evil.client_id, redirect_uri: REDIRECT },
      login: LOGIN,
      jar,
      decision: 'approve',
    });
    const consent = first.consentPage!;
    expect(consent.statusCode).toBe(200);
    expect(consent.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(consent.body).not.toContain('<img');
    expect(consent.body).not.toContain('<script>');
    expect(consent.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(consent.headers['content-security-policy']).toContain("default-src 'none'");
    expect(consent.headers['x-frame-options']).toBe('DENY');
    expect(consent.headers['referrer-policy']).toBe('no-referrer');
    expect(consent.headers['x-content-type-options']).toBe('nosniff');
    expect(first.response.statusCode).toBe(303);

    const noCsrf = await t.app.inject({
      method: 'POST',
      url: '/oauth/authorize',
      headers: { ...FORM, cookie: jar.header() },
      payload: form({ ...baseQuery(), client_id: evil.client_id, decision: 'approve' }),
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.headers.location).toBeUndefined();

    const foreignOrigin = await t.app.inject({
      method: 'POST',
      url: '/oauth/authorize',
      headers: { ...FORM, cookie: jar.header(), origin: 'https://evil.test' },
      payload: form({
        ...baseQuery(),
        client_id: evil.client_id,
        decision: 'approve',
        csrf_token: csrfFrom(consent.body),
      }),
    });
    expect(foreignOrigin.statusCode).toBe(403);
  });

  it('sends access_denied when the person denies', async () => {
    const { response } = await authorizeInBrowser(t.app, {
      query: { ...baseQuery(), state: 's1' },
      login: LOGIN,
      decision: 'deny',
    });
    expect(response.statusCode).toBe(303);
    const location = new URL(response.headers.location as string);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('s1');
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('skips consent for the first-party website client, which must use PKCE', async () => {
    const { ensureFirstPartyApplication } = await import('@murmur/db/auth');
    await ensureFirstPartyApplication(t.database, {
      clientId: 'murmur-web-test',
      clientSecret: 'web-secret',
      name: 'Murmur',
      redirectUris: ['http://localhost:3000/auth/callback'],
      scopes: ['read', 'write', 'follow', 'profile'],
    });
    const query = {
      response_type: 'code',
      client_id: 'murmur-web-test',
      redirect_uri: 'http://localhost:3000/auth/callback',
    };
    const withoutPkce = await authorizeGet(query);
    expect(withoutPkce.statusCode).toBe(400);
    const { challenge } = pkcePair();
    // Its sign-in form's POST ends, through /oauth/authorize, at the website's callback.
    const signInPage = await authorizeGet({
      ...query,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(signInPage.headers['content-security-policy']).toContain(
      "form-action 'self' http://localhost:3000;",
    );
    const { response, consentPage } = await authorizeInBrowser(t.app, {
      query: {
        ...query,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        scope: 'read write',
      },
      login: LOGIN,
    });
    expect(consentPage).toBeUndefined();
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toMatch(/^http:\/\/localhost:3000\/auth\/callback\?code=/);
  });
});
