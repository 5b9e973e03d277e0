/** Shared test setup: an app on its own database, a cookie jar, and the OAuth flow a client runs. */
import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Database } from '@murmur/db';
import { freePort } from '@murmur/devkit/net';
import {
  createAccountFixture,
  createTestDatabase,
  FIXTURE_PASSWORD,
  type TestDatabase,
} from '@murmur/db/testing';
import { createLogger } from '@murmur/service-kit';
import { buildApp, type BuildAppOptions } from '../src/app.js';
import { readConfig, type ApiConfig } from '../src/config.js';
import type { ApiInstance } from '../src/plugins/context.js';

export { FIXTURE_PASSWORD, createAccountFixture };

export interface TestApp {
  app: ApiInstance;
  database: Database;
  config: ApiConfig;
  /** Every log line written so far (when `captureLogs` or `logLevel` was set). */
  logs: string[];
  close(): Promise<void>;
}

export async function createTestApp(
  options: {
    env?: Record<string, string>;
    captureLogs?: boolean;
    /** Capture only lines of this level and above (`captureLogs` captures everything). */
    logLevel?: 'warn' | 'error';
    testDatabase?: TestDatabase;
  } & Partial<Pick<BuildAppOptions, 'rateLimits' | 'authenticator' | 'clock' | 'extraRoutes'>> = {},
): Promise<TestApp> {
  const testDb = options.testDatabase ?? (await createTestDatabase());
  const config = readConfig({
    BCRYPT_COST: '10',
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    ...options.env,
  });
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  const logger = createLogger({
    service: 'api',
    level: options.logLevel ?? (options.captureLogs ? 'debug' : 'silent'),
    destination,
  });
  const app = await buildApp({
    config,
    database: testDb.database,
    logger,
    rateLimits: options.rateLimits,
    authenticator: options.authenticator,
    clock: options.clock,
    extraRoutes: options.extraRoutes,
  });
  await app.ready();
  return {
    app,
    database: testDb.database,
    config,
    logs,
    async close() {
      await app.close();
      if (!options.testDatabase) await testDb.destroy();
    },
  };
}

/** The app listening on a free loopback port whose address is its PUBLIC_URL, for real HTTP clients. */
export async function createListeningTestApp(
  options: Partial<Pick<BuildAppOptions, 'clock'>> = {},
): Promise<{ t: TestApp; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t = await createTestApp({ env: { PUBLIC_URL: url }, clock: options.clock });
  await t.app.listen({ port, host: '127.0.0.1' });
  return { t, url };
}

/** Keeps cookies between `inject()` calls, like a browser. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: { cookies: { name: string; value: string }[] }): void {
    for (const cookie of response.cookies) this.cookies.set(cookie.name, cookie.value);
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }
}

export function csrfFrom(page: string): string {
  const match = /name="csrf_token" value="([^"]+)"/.exec(page);
  if (!match) throw new Error(`no CSRF token in page:\n${page.slice(0, 500)}`);
  return match[1]!;
}

export function form(fields: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields))
    if (value !== undefined) params.append(key, value);
  return params.toString();
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface RegisteredClient {
  id: string;
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  [key: string]: unknown;
}

export async function registerClient(
  app: ApiInstance,
  body: {
    client_name?: string;
    redirect_uris?: string | string[];
    scopes?: string;
    website?: string;
  } = {},
): Promise<RegisteredClient> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/apps',
    payload: {
      client_name: 'Test client',
      redirect_uris: 'https://app.example/cb',
      scopes: 'read write follow',
      ...body,
    },
  });
  if (response.statusCode !== 200) throw new Error(`app registration failed: ${response.body}`);
  return response.json();
}

// One browser per person and app, so that later flows reuse the sign-in cookie (and skip bcrypt).
const browsers = new WeakMap<ApiInstance, Map<string, CookieJar>>();

function browserOf(app: ApiInstance, login: string): CookieJar {
  const jars = browsers.get(app) ?? new Map<string, CookieJar>();
  browsers.set(app, jars);
  const jar = jars.get(login) ?? new CookieJar();
  jars.set(login, jar);
  return jar;
}

/**
 * Runs the browser part of the flow: authorize → sign in (unless this person's browser is still
 * signed in) → consent → approve. Returns the final response (a 303 to the redirect URI, or the OOB
 * page) and the cookie jar.
 */
export async function authorizeInBrowser(
  app: ApiInstance,
  input: {
    query: Record<string, string>;
    login: string;
    password?: string;
    decision?: 'approve' | 'deny';
    jar?: CookieJar;
  },
) {
  const jar = input.jar ?? browserOf(app, input.login);
  const authorizeUrl = `/oauth/authorize?${new URLSearchParams(input.query)}`;
  let page = await app.inject({
    method: 'GET',
    url: authorizeUrl,
    headers: { cookie: jar.header() },
  });
  jar.store(page);
  if (page.statusCode === 303) return { response: page, jar }; // signed in already, first-party client
  if (page.statusCode !== 200)
    throw new Error(`authorize failed: ${page.statusCode} ${page.body.slice(0, 300)}`);
  if (page.body.includes('action="/oauth/sign_in"')) {
    const fields = hiddenFieldsOf(page.body);
    const signIn = await app.inject({
      method: 'POST',
      url: '/oauth/sign_in',
      headers: { ...FORM, cookie: jar.header() },
      payload: form({
        ...fields,
        login: input.login,
        password: input.password ?? FIXTURE_PASSWORD,
      }),
    });
    jar.store(signIn);
    if (signIn.statusCode !== 303)
      throw new Error(`sign-in failed: ${signIn.statusCode} ${signIn.body.slice(0, 300)}`);
    page = await app.inject({
      method: 'GET',
      url: signIn.headers.location as string,
      headers: { cookie: jar.header() },
    });
    jar.store(page);
  }
  if (page.statusCode === 303) return { response: page, jar };
  const fields = hiddenFieldsOf(page.body);
  const response = await app.inject({
    method: 'POST',
    url: '/oauth/authorize',
    headers: { ...FORM, cookie: jar.header() },
    payload: form({ ...fields, decision: input.decision ?? 'approve' }),
  });
  jar.store(response);
  return { response, jar, consentPage: page };
}

/** The hidden inputs of a form page (CSRF token and the carried authorization request). */
function hiddenFieldsOf(page: string): Record<string, string> {
  const hidden = [...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\s*\/?>/g)];
  return Object.fromEntries(hidden.map((m) => [m[1]!, decodeEntities(m[2]!)]));
}

function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function codeFrom(location: string): string {
  const code = new URL(location).searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  return code;
}

/** A complete authorization-code flow for a fixture account; returns the access token. */
export async function userToken(
  app: ApiInstance,
  client: RegisteredClient,
  login: string,
  scope = 'read write follow',
): Promise<string> {
  const { response } = await authorizeInBrowser(app, {
    query: {
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: client.redirect_uris[0]!,
      scope,
    },
    login,
  });
  const token = await exchangeCode(app, client, codeFrom(response.headers.location as string));
  if (token.statusCode !== 200) throw new Error(`token failed: ${token.body}`);
  return token.json().access_token;
}

/** `POST /oauth/token` with an authorization code, as the client that registered `redirect_uris[0]`. */
export function exchangeCode(
  app: ApiInstance,
  client: RegisteredClient,
  code: string,
  extra: Record<string, string | undefined> = {},
) {
  return app.inject({
    method: 'POST',
    url: '/oauth/token',
    payload: {
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirect_uris[0],
      client_id: client.client_id,
      client_secret: client.client_secret,
      ...extra,
    },
  });
}
