import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadWebSession, pkceS256Challenge } from '@murmur/db/auth';
import { type LocalAccount } from '@murmur/db/accounts';
import { createAccountFixture } from '@murmur/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueWebToken, startHarness, type Harness } from './_helpers.js';

/** A stand-in for the API's token endpoint that records what the website sent. */
interface TokenRequest {
  authorization: string | undefined;
  body: URLSearchParams;
}

let tokenServer: Server;
let tokenRequests: TokenRequest[] = [];
let nextAccessToken = '';
let plain: Harness;
let secure: Harness;
let account: LocalAccount;

function cookiesOf(setCookie: string | string[] | undefined): string[] {
  return setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
}

/** Runs sign-in → (authorization server) → callback; returns the callback response. */
async function signInThroughCallback(harness: Harness, existingCookie?: string) {
  const start = await harness.app.inject({ method: 'GET', url: '/auth/sign_in' });
  const location = new URL(start.headers.location as string);
  const state = location.searchParams.get('state')!;
  const cookies = cookiesOf(start.headers['set-cookie']).map((c) => c.split(';')[0]!);
  nextAccessToken = (await issueWebToken(harness, account)).accessToken;
  const callback = await harness.app.inject({
    method: 'GET',
    url: `/auth/callback?code=the-code&state=${encodeURIComponent(state)}`,
    headers: { cookie: [...cookies, ...(existingCookie ? [existingCookie] : [])].join('; ') },
  });
  return { start, location, callback };
}

beforeAll(async () => {
  tokenServer = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      tokenRequests.push({
        authorization: req.headers.authorization,
        body: new URLSearchParams(raw),
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          access_token: nextAccessToken,
          token_type: 'Bearer',
          scope: 'read write follow profile',
          created_at: 0,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
  const apiInternalUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}`;
  plain = await startHarness({
    API_INTERNAL_URL: apiInternalUrl,
    PUBLIC_URL: 'http://murmur.localhost:3000',
  });
  secure = await startHarness({
    API_INTERNAL_URL: apiInternalUrl,
    PUBLIC_URL: 'https://murmur.example',
  });
  account = await createAccountFixture(plain.database, { username: 'signer' });
  await createAccountFixture(secure.database, { id: account.id, username: 'signer' });
});

afterAll(async () => {
  await plain?.close();
  await secure?.close();
  await new Promise((resolve) => tokenServer?.close(resolve));
});

describe('sign-in through the OAuth server', () => {
  it('redirects to the public authorize endpoint with PKCE S256 and the website client', async () => {
    const response = await plain.app.inject({ method: 'GET', url: '/auth/sign_in' });
    expect(response.statusCode).toBe(302);
    const location = new URL(response.headers.location as string);
    expect(`${location.origin}${location.pathname}`).toBe(
      'http://murmur.localhost:3000/oauth/authorize',
    );
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'murmur-web',
      redirect_uri: 'http://murmur.localhost:3000/auth/callback',
      scope: 'read write follow profile',
      code_challenge_method: 'S256',
    });
    expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('state')!.length).toBeGreaterThanOrEqual(16);
  });

  it('sign-up goes to the sign-up page with the same authorization parameters', async () => {
    const response = await plain.app.inject({ method: 'GET', url: '/auth/sign_up' });
    const location = new URL(response.headers.location as string);
    expect(location.pathname).toBe('/oauth/sign_up');
    expect(location.searchParams.get('client_id')).toBe('murmur-web');
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('exchanges the code server-side with the verifier and client credentials, then starts a session', async () => {
    tokenRequests = [];
    const { location, callback } = await signInThroughCallback(plain);
    expect(callback.statusCode).toBe(303);
    expect(callback.headers.location).toBe('/');
    const [sent] = tokenRequests;
    expect(sent!.body.get('grant_type')).toBe('authorization_code');
    expect(sent!.body.get('code')).toBe('the-code');
    expect(sent!.body.get('redirect_uri')).toBe('http://murmur.localhost:3000/auth/callback');
    expect(pkceS256Challenge(sent!.body.get('code_verifier')!)).toBe(
      location.searchParams.get('code_challenge'),
    );
    expect(sent!.authorization).toBe(
      `Basic ${Buffer.from(`murmur-web:${plain.config.webClientSecret}`).toString('base64')}`,
    );

    const sessionCookie = cookiesOf(callback.headers['set-cookie']).find((c) =>
      c.startsWith('murmur_session='),
    )!;
    const attributes = sessionCookie.split(';').map((part) => part.trim().toLowerCase());
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=lax');
    expect(attributes).toContain('path=/');
    expect(attributes.some((a) => a.startsWith('domain='))).toBe(false);
    const id = sessionCookie.split(';')[0]!.split('=')[1]!;
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const home = await plain.app.inject({
      method: 'GET',
      url: '/home',
      headers: { cookie: `murmur_session=${id}` },
    });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('@signer');
  });

  it('a new sign-in replaces the old session id (the old one is dead)', async () => {
    const first = await signInThroughCallback(plain);
    const firstId = cookiesOf(first.callback.headers['set-cookie'])
      .find((c) => c.startsWith('murmur_session='))!
      .split(';')[0]!;
    const second = await signInThroughCallback(plain, firstId);
    const secondId = cookiesOf(second.callback.headers['set-cookie'])
      .find((c) => c.startsWith('murmur_session='))!
      .split(';')[0]!;
    expect(secondId).not.toBe(firstId);
    expect(await loadWebSession(plain.database, firstId.split('=')[1]!)).toBeNull();
    expect(await loadWebSession(plain.database, secondId.split('=')[1]!)).not.toBeNull();
  });

  it('over https the cookie is __Host- prefixed and Secure, and HSTS is sent', async () => {
    const { callback } = await signInThroughCallback(secure);
    const sessionCookie = cookiesOf(callback.headers['set-cookie']).find((c) =>
      c.startsWith('__Host-murmur_session='),
    );
    expect(sessionCookie).toBeDefined();
    expect(sessionCookie!.toLowerCase()).toContain('secure');
    expect(sessionCookie!.toLowerCase()).toContain('path=/');
    expect(callback.headers['strict-transport-security']).toBe(
      'max-age=31536000; includeSubDomains',
    );
  });

  it('a callback with a wrong state or an error is refused without a session', async () => {
    const start = await plain.app.inject({ method: 'GET', url: '/auth/sign_in' });
    const cookies = cookiesOf(start.headers['set-cookie'])
      .map((c) => c.split(';')[0]!)
      .join('; ');
    const wrong = await plain.app.inject({
      method: 'GET',
      url: '/auth/callback?code=x&state=forged',
      headers: { cookie: cookies },
    });
    expect(wrong.statusCode).toBe(400);
    expect(
      cookiesOf(wrong.headers['set-cookie']).some(
        (c) => c.startsWith('murmur_session=') && !c.startsWith('murmur_session=;'),
      ),
    ).toBe(false);
    const denied = await plain.app.inject({
      method: 'GET',
      url: '/auth/callback?error=access_denied',
    });
    expect(denied.statusCode).toBe(400);
    expect(denied.body).toContain('Sign-in was cancelled');
  });
});
