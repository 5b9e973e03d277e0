import { execFileSync } from 'node:child_process';
import { listAuthorizedApplications } from '@murmur/db/auth';
import { createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import {
  authorizeInBrowser,
  codeFrom,
  createAccountFixture,
  createTestApp,
  exchangeCode,
  registerClient,
  userToken,
  type RegisteredClient,
  type TestApp,
} from './_helpers.js';

let testDb: TestDatabase;
let t: TestApp;
let client: RegisteredClient;
let aliceId: string;

// Probe routes for the plugins: one per auth mode, and a scoped write.
async function probeRoutes(app: ApiInstance) {
  const reply = {
    response: { 200: Type.Object({ accountId: Type.Union([Type.String(), Type.Null()]) }) },
  };
  const handler = async (request: { auth: { accountId: string | null } | null }) => ({
    accountId: request.auth?.accountId ?? null,
  });
  app.get(
    '/api/v1/test/home',
    { config: { auth: 'user', scopes: ['read:statuses'] }, schema: reply },
    handler,
  );
  app.post(
    '/api/v1/test/statuses',
    { config: { auth: 'user', scopes: ['write:statuses'] }, schema: reply },
    handler,
  );
  app.get('/api/v1/test/public', { config: { auth: 'optional' }, schema: reply }, handler);
  app.get(
    '/api/v1/test/me',
    { config: { auth: 'user', scopes: ['read:accounts', 'profile'] }, schema: reply },
    handler,
  );
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  t = await createTestApp({ testDatabase: testDb, extraRoutes: probeRoutes });
  aliceId = (await createAccountFixture(t.database, { username: 'tok_alice' })).id;
  client = await registerClient(t.app, { scopes: 'read write follow profile' });
});
afterAll(async () => {
  await t?.close();
  await testDb?.destroy();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function clientCredentialsToken(scope: string, c = client): Promise<string> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/oauth/token',
    payload: {
      grant_type: 'client_credentials',
      client_id: c.client_id,
      client_secret: c.client_secret,
      scope,
    },
  });
  expect(response.statusCode).toBe(200);
  return response.json().access_token;
}

describe('R06 credentials are stored only as hashes', () => {
  it('leaves no raw secret, code or token in a dump of the database', async () => {
    const { response } = await authorizeInBrowser(t.app, {
      query: {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: client.redirect_uris[0]!,
      },
      login: 'tok_alice',
    });
    const code = codeFrom(response.headers.location as string);
    const token = await exchangeCode(t.app, client, code);
    const accessToken = token.json().access_token as string;
    expect(accessToken.length).toBeGreaterThanOrEqual(43); // ≥ 256 bits
    const dump = execFileSync('pg_dump', ['--data-only', testDb.url], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(dump).toContain(client.client_id); // the dump is real
    for (const secret of [client.client_secret, code, accessToken])
      expect(dump).not.toContain(secret);
  });
});

describe('R07 bearer transport', () => {
  it('reads tokens from the Authorization header only', async () => {
    const token = await userToken(t.app, client, 'tok_alice');
    const ok = await t.app.inject({
      method: 'GET',
      url: '/api/v1/test/home',
      headers: bearer(token),
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ accountId: aliceId });

    const viaQuery = await t.app.inject({
      method: 'GET',
      url: `/api/v1/test/home?access_token=${token}`,
    });
    expect(viaQuery.statusCode).toBe(401);
    expect(viaQuery.json()).toEqual({ error: 'This API requires an authenticated user' });
    expect(viaQuery.headers['www-authenticate']).toMatch(/^Bearer/);

    const viaCookie = await t.app.inject({
      method: 'POST',
      url: '/api/v1/test/statuses',
      headers: { cookie: `access_token=${token}; murmur_session=${token}` },
    });
    expect(viaCookie.statusCode).toBe(401);
  });

  it('answers invalid tokens with 401 invalid_token, also on optional routes', async () => {
    for (const url of ['/api/v1/test/home', '/api/v1/test/public']) {
      const response = await t.app.inject({ method: 'GET', url, headers: bearer('not-a-token') });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ error: 'The access token is invalid' });
      expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
    }
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/test/public' });
    expect(anonymous.json()).toEqual({ accountId: null });
  });
});

describe('R08 scopes', () => {
  it('declares auth (and scopes when a token is required) on every /api/ route', () => {
    const api = t.app.routeInventory.filter(
      (r) =>
        r.url.startsWith('/api/') &&
        !r.url.startsWith('/api/docs') &&
        r.url !== '/api/openapi.json',
    );
    expect(api.length).toBeGreaterThan(3);
    const undeclared = api.filter(
      (r) =>
        r.auth === undefined ||
        ((r.auth === 'user' || r.auth === 'app') && !Array.isArray(r.scopes)),
    );
    expect(undeclared.map((r) => `${r.method} ${r.url}`)).toEqual([]);
  });

  it('refuses to build an app with an undeclared /api/ route', async () => {
    await expect(
      createTestApp({
        testDatabase: testDb,
        extraRoutes: async (app) => {
          app.get('/api/v1/test/undeclared', async () => ({}));
        },
      }),
    ).rejects.toThrow(/must declare config.auth/);
  });

  it.each([
    ['read:statuses', 'GET', '/api/v1/test/home', 200],
    ['read', 'GET', '/api/v1/test/home', 200],
    ['write', 'GET', '/api/v1/test/home', 403],
    ['read:statuses', 'POST', '/api/v1/test/statuses', 403],
    ['write:statuses', 'POST', '/api/v1/test/statuses', 200],
    ['write', 'POST', '/api/v1/test/statuses', 200],
    ['follow', 'POST', '/api/v1/test/statuses', 403],
    ['profile', 'GET', '/api/v1/test/me', 200],
    ['read:accounts', 'GET', '/api/v1/test/me', 200],
    ['profile', 'GET', '/api/v1/test/home', 403],
  ] as const)('a token with %s on %s %s → %i', async (scope, method, url, status) => {
    const token = await userToken(t.app, client, 'tok_alice', scope);
    const response = await t.app.inject({ method, url, headers: bearer(token) });
    expect(response.statusCode).toBe(status);
    if (status === 403)
      expect(response.json()).toEqual({ error: 'This action is outside the authorized scopes' });
  });

  it('refuses app-only tokens on user routes, and accepts them on app routes', async () => {
    const appToken = await clientCredentialsToken('read');
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/v1/test/home',
      headers: bearer(appToken),
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({ error: 'This method requires an authenticated user' });
    const verify = await t.app.inject({
      method: 'GET',
      url: '/api/v1/apps/verify_credentials',
      headers: bearer(appToken),
    });
    expect(verify.statusCode).toBe(200);
  });
});

describe('R09 revocation', () => {
  const revoke = (c: RegisteredClient, token: string, secret = c.client_secret) =>
    t.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      payload: { client_id: c.client_id, client_secret: secret, token },
    });

  it('revokes immediately, is idempotent, and refuses other clients', async () => {
    const token = await userToken(t.app, client, 'tok_alice');
    const other = await registerClient(t.app, { client_name: 'Other' });

    const foreign = await revoke(other, token);
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().error).toBe('unauthorized_client');
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/test/home', headers: bearer(token) }))
        .statusCode,
    ).toBe(200);

    const badSecret = await revoke(client, token, 'wrong');
    expect(badSecret.statusCode).toBe(401);
    expect(badSecret.json().error).toBe('invalid_client');

    for (let i = 0; i < 2; i++) {
      const response = await revoke(client, token);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({});
    }
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/test/home', headers: bearer(token) }))
        .statusCode,
    ).toBe(401);
    expect((await revoke(client, 'unknown-token')).statusCode).toBe(200);
  });
});

describe('R10 token lifetime', () => {
  it('issues non-expiring tokens without refresh tokens and records their last use', async () => {
    const bob = await createAccountFixture(t.database, { username: 'tok_bob' });
    const token = await userToken(t.app, client, 'tok_bob');
    const [before] = await listAuthorizedApplications(t.database.primary, bob.id);
    expect(before?.lastUsedAt).toBeNull();
    await t.app.inject({ method: 'GET', url: '/api/v1/test/home', headers: bearer(token) });
    const [after] = await listAuthorizedApplications(t.database.primary, bob.id);
    expect(after?.lastUsedAt).toBeInstanceOf(Date);
    expect(after!.lastUsedAt!.getTime()).toBeGreaterThanOrEqual(after!.createdAt.getTime());
  });
});

describe('rate limits on the API', () => {
  it('sends X-RateLimit headers and 429 after the per-token limit', async () => {
    const limited = await createTestApp({
      testDatabase: testDb,
      extraRoutes: probeRoutes,
      rateLimits: {
        perToken: { limit: 3, windowMs: 60_000 },
        unauthenticatedPerIp: { limit: 2, windowMs: 60_000 },
      },
    });
    try {
      const token = await userToken(limited.app, client, 'tok_alice');
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 4; i++) {
        last = await limited.app.inject({
          method: 'GET',
          url: '/api/v1/test/home',
          headers: bearer(token),
        });
        statuses.push(last.statusCode);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(last!.json()).toEqual({ error: 'Too many requests' });
      expect(last!.headers['x-ratelimit-limit']).toBe('3');
      expect(last!.headers['x-ratelimit-remaining']).toBe('0');
      expect(new Date(last!.headers['x-ratelimit-reset'] as string).toISOString()).toBe(
        last!.headers['x-ratelimit-reset'],
      );

      const anonymous = [];
      for (let i = 0; i < 3; i++) {
        anonymous.push(
          (await limited.app.inject({ method: 'GET', url: '/api/v1/test/public' })).statusCode,
        );
      }
      expect(anonymous).toEqual([200, 200, 429]);
    } finally {
      await limited.close();
    }
  });
});
