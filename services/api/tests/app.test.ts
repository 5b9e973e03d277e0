import { ConfigurationError } from '@murmur/service-kit';
import { createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_API_COOKIE_SECRET, readConfig } from '../src/config.js';
import type { ApiInstance } from '../src/plugins/context.js';
import { createTestApp, type TestApp } from './_helpers.js';

let testDb: TestDatabase;
let t: TestApp;

// An echo route to observe body parsing, and one that fails unexpectedly.
async function probeRoutes(app: ApiInstance) {
  const Echo = Type.Object({
    status: Type.Optional(Type.String()),
    media_ids: Type.Optional(Type.Array(Type.String())),
    limit: Type.Optional(Type.String()),
    poll: Type.Optional(
      Type.Object({
        options: Type.Optional(Type.Array(Type.String())),
        expires_in: Type.Optional(Type.String()),
      }),
    ),
  });
  app.post(
    '/api/v1/test/echo',
    { config: { auth: 'none' }, schema: { body: Echo, querystring: Echo } },
    async (request) => ({
      body: request.body ?? null,
      query: request.query,
    }),
  );
  app.get('/api/v1/test/boom', { config: { auth: 'none' } }, async () => {
    throw new Error('secret internal detail');
  });
  app.get(
    '/api/v1/test/limit',
    {
      config: { auth: 'none' },
      schema: { querystring: Type.Object({ limit: Type.Optional(Type.Integer({ maximum: 40 })) }) },
    },
    async (request) => ({ limit: request.query.limit ?? null }),
  );
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  t = await createTestApp({ testDatabase: testDb, extraRoutes: probeRoutes });
});
afterAll(async () => {
  await t?.close();
  await testDb?.destroy();
});

describe('configuration', () => {
  it('has working defaults', () => {
    const config = readConfig({});
    expect(config).toMatchObject({
      API_PORT: 3001,
      BCRYPT_COST: 12,
      MAX_STATUS_CHARACTERS: 500,
      WEB_CLIENT_ID: 'murmur-web',
      publicOrigin: 'http://localhost:3000',
      webRedirectUri: 'http://localhost:3000/auth/callback',
      trustProxy: 'loopback',
      secure: false,
    });
  });

  it('names every missing or malformed variable', () => {
    let error: unknown;
    try {
      readConfig({
        API_PORT: 'eighty',
        BCRYPT_COST: '4',
        PUBLIC_URL: 'ftp://x',
        REGISTRATIONS_OPEN: 'maybe',
        WEB_REDIRECT_PATH: 'callback',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    for (const name of ['API_PORT', 'BCRYPT_COST', 'PUBLIC_URL', 'REGISTRATIONS_OPEN'])
      expect(message).toContain(name);
  });

  it('refuses the development secrets in production', () => {
    expect(() => readConfig({ NODE_ENV: 'production' })).toThrow(
      /WEB_CLIENT_SECRET[\s\S]*API_COOKIE_SECRET/,
    );
    const ok = readConfig({
      NODE_ENV: 'production',
      WEB_CLIENT_SECRET: 'a'.repeat(40),
      API_COOKIE_SECRET: 'b'.repeat(40),
      PUSH_ENABLED: 'false',
      TRUST_PROXY: 'none',
      PUBLIC_URL: 'https://murmur.example/',
    });
    expect(ok.API_COOKIE_SECRET).not.toBe(DEV_API_COOKIE_SECRET);
    expect(ok).toMatchObject({
      trustProxy: false,
      secure: true,
      publicOrigin: 'https://murmur.example',
    });
    expect(() => readConfig({ API_COOKIE_SECRET: 'short' })).toThrow(
      /API_COOKIE_SECRET must be at least 32/,
    );
  });
});

describe('request bodies', () => {
  const echo = (headers: Record<string, string>, payload: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/test/echo', headers, payload });

  it('reads JSON, forms with Rails arrays and nested keys, and multipart fields alike', async () => {
    const expected = {
      status: 'hi',
      media_ids: ['1', '2'],
      poll: { options: ['a', 'b'], expires_in: '60' },
    };
    const json = await echo({ 'content-type': 'application/json' }, JSON.stringify(expected));
    expect(json.json().body).toEqual(expected);

    const formBody =
      'status=hi&media_ids[]=1&media_ids[]=2&poll[options][]=a&poll[options][]=b&poll[expires_in]=60';
    const formResponse = await echo(
      { 'content-type': 'application/x-www-form-urlencoded' },
      formBody,
    );
    expect(formResponse.json().body).toEqual(expected);

    const boundary = '----murmur';
    const parts = [
      ['status', 'hi'],
      ['media_ids[]', '1'],
      ['media_ids[]', '2'],
      ['poll[options][]', 'a'],
      ['poll[options][]', 'b'],
      ['poll[expires_in]', '60'],
    ]
      .map(
        ([name, value]) =>
          `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      )
      .join('');
    const multipart = await echo(
      { 'content-type': `multipart/form-data; boundary=${boundary}` },
      `${parts}--${boundary}--\r\n`,
    );
    expect(multipart.statusCode).toBe(200);
    expect(multipart.json().body).toEqual(expected);
  });

  it('treats blank values as absent and accepts an empty JSON body', async () => {
    const blank = await t.app.inject({ method: 'GET', url: '/api/v1/test/limit?limit=' });
    expect(blank.statusCode).toBe(200);
    expect(blank.json()).toEqual({ limit: null });
    const coerced = await t.app.inject({ method: 'GET', url: '/api/v1/test/limit?limit=20' });
    expect(coerced.json()).toEqual({ limit: 20 });
    const empty = await echo({ 'content-type': 'application/json' }, '');
    expect(empty.statusCode).toBe(200);
    const query = await t.app.inject({
      method: 'POST',
      url: '/api/v1/test/echo?media_ids[]=7&status=',
    });
    expect(query.json().query).toEqual({ media_ids: ['7'] });
  });

  it('answers invalid input with 422 on the API and 400 invalid_request on OAuth endpoints', async () => {
    const invalid = await t.app.inject({ method: 'GET', url: '/api/v1/test/limit?limit=500' });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().error).toMatch(/^Validation failed: /);
    const malformed = await echo({ 'content-type': 'application/json' }, '{"status":');
    expect(malformed.statusCode).toBe(400);
    const proto = await echo({ 'content-type': 'application/json' }, '{"__proto__":{"x":1}}');
    expect(proto.statusCode).toBe(400);
    const oauth = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: ['a', 'b'] },
    });
    expect(oauth.statusCode).toBe(400);
    expect(oauth.json().error).toBe('invalid_request');
  });
});

describe('responses', () => {
  it('answers unknown routes with a JSON 404 and unexpected errors with a generic 500', async () => {
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'Record not found' });
    expect(missing.headers['content-type']).toBe('application/json; charset=utf-8');
    const boom = await t.app.inject({ method: 'GET', url: '/api/v1/test/boom' });
    expect(boom.statusCode).toBe(500);
    expect(boom.body).not.toContain('secret internal detail');
  });

  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    const given = await t.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const injected = await t.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad\nid' },
    });
    expect(injected.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets security headers and open CORS on the API, without credentials', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/v1/nothing',
      headers: { origin: 'https://elk.example' },
    });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });

  it('reports health and readiness', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({
      status: 'ok',
    });
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('serves Prometheus metrics with request latency by route pattern', async () => {
    await t.app.inject({ method: 'GET', url: '/api/v1/test/limit?limit=3' });
    await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.body).toContain('# TYPE http_request_duration_seconds histogram');
    expect(metrics.body).toMatch(
      /http_request_duration_seconds_count\{service="api",method="GET",route="\/api\/v1\/test\/limit",status_code="200"\} \d+/,
    );
    expect(metrics.body).toContain('route="(unmatched)",status_code="404"');
    expect(metrics.body).not.toContain('nothing-here');
    expect(metrics.body).toContain('process_resident_memory_bytes');
  });

  it('answers 503 when the database is unreachable', async () => {
    const { createDatabase } = await import('@murmur/db');
    const unreachable = createDatabase({
      url: 'postgres://postgres@127.0.0.1:1/none',
      connectionTimeoutMs: 500,
    });
    const down = await createTestApp({ testDatabase: { ...testDb, database: unreachable } });
    try {
      expect((await down.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
      const api = await down.app.inject({
        method: 'GET',
        url: '/api/v1/apps/verify_credentials',
        headers: { authorization: 'Bearer x' },
      });
      expect(api.statusCode).toBe(503);
      expect(api.json()).toEqual({ error: 'Service temporarily unavailable' });
    } finally {
      await down.app.close();
      await unreachable.close();
    }
  });

  it('publishes an OpenAPI document and a docs page', async () => {
    const doc = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(doc.statusCode).toBe(200);
    const paths = Object.keys(doc.json().paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/api/v1/apps', '/oauth/token', '/oauth/revoke']),
    );
    expect(paths).not.toContain('/oauth/authorize');
    const page = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
  });
});
