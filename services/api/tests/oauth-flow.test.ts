import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeInBrowser,
  codeFrom,
  createAccountFixture,
  createTestApp,
  exchangeCode,
  pkcePair,
  registerClient,
  type TestApp,
} from './_helpers.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

describe('the flow a Mastodon app runs', () => {
  it('registers, authorizes with PKCE, exchanges the code and calls the API', async () => {
    const account = await createAccountFixture(t.database, { username: 'e2e_alice' });
    const registered = await t.app.inject({
      method: 'POST',
      url: '/api/v1/apps',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        client_name: 'Flow client',
        redirect_uris: 'https://flow.example/cb',
        scopes: 'read write follow push',
        website: 'https://flow.example',
      }).toString(),
    });
    expect(registered.statusCode).toBe(200);
    expect(registered.headers['content-type']).toBe('application/json; charset=utf-8');
    const client = registered.json();
    expect(client).toMatchObject({
      name: 'Flow client',
      website: 'https://flow.example',
      scopes: ['read', 'write', 'follow', 'push'],
      redirect_uri: 'https://flow.example/cb',
      redirect_uris: ['https://flow.example/cb'],
      client_secret_expires_at: 0,
      vapid_key: '',
    });

    const { verifier, challenge } = pkcePair();
    const { response, consentPage } = await authorizeInBrowser(t.app, {
      query: {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: 'https://flow.example/cb',
        scope: 'read write',
        state: 'xyz',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
      login: 'e2e_alice',
    });
    expect(consentPage?.body).toContain('Flow client');
    expect(response.statusCode).toBe(303);
    const location = new URL(response.headers.location as string);
    expect(`${location.origin}${location.pathname}`).toBe('https://flow.example/cb');
    expect(location.searchParams.get('state')).toBe('xyz');

    const token = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: {
        grant_type: 'authorization_code',
        code: codeFrom(response.headers.location as string),
        redirect_uri: 'https://flow.example/cb',
        client_id: client.client_id,
        client_secret: client.client_secret,
        code_verifier: verifier,
      },
    });
    expect(token.statusCode).toBe(200);
    const body = token.json();
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      scope: 'read write',
      created_at: expect.any(Number),
    });
    expect(token.headers['cache-control']).toBe('no-store');

    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/accounts/verify_credentials',
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: account.id, username: 'e2e_alice' });
    const appInfo = await t.app.inject({
      method: 'GET',
      url: '/api/v1/apps/verify_credentials',
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(appInfo.statusCode).toBe(200);
    expect(appInfo.json()).toMatchObject({
      name: 'Flow client',
      scopes: ['read', 'write', 'follow', 'push'],
    });
    expect(appInfo.json()).not.toHaveProperty('client_secret');
  });

  it('shows the code on a page for the out-of-band redirect', async () => {
    await createAccountFixture(t.database, { username: 'e2e_oob' });
    const client = await registerClient(t.app, { redirect_uris: 'urn:ietf:wg:oauth:2.0:oob' });
    const { response } = await authorizeInBrowser(t.app, {
      query: {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: 'urn:ietf:wg:oauth:2.0:oob',
      },
      login: 'e2e_oob',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const code = /<code class="oob">([^<]+)<\/code>/.exec(response.body)?.[1];
    expect(code).toBeTruthy();
    const token = await exchangeCode(t.app, client, code!);
    expect(token.statusCode).toBe(200);
  });
});
