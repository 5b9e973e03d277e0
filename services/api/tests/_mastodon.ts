/**
 * Helpers of the Mastodon endpoint tests: the real app on a fresh database, and signed-in users
 * (an account, an application and a bearer token).
 */
import { type Database } from '@murmur/db';
import { issueAccessToken, registerApplication } from '@murmur/db/auth';
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { createLogger } from '@murmur/service-kit';
import type { LightMyRequestResponse } from 'fastify';
import { Compile } from 'typebox/compile';
import type { TSchema } from 'typebox';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildApp } from '../src/app.js';
import { readConfig } from '../src/config.js';
import type { ApiInstance } from '../src/plugins/context.js';
import { expectMastodonResponse } from './_openapi.js';

export const ORIGIN = 'https://murmur.test';

export interface TestServer {
  app: ApiInstance;
  database: Database;
  /** The test database's URL, for other processes (the worker) to use. */
  databaseUrl: string;
  close(): Promise<void>;
}

export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const testDb: TestDatabase = await createTestDatabase();
  const config = readConfig({
    DATABASE_URL: testDb.url,
    PUBLIC_URL: ORIGIN,
    LOG_LEVEL: 'silent',
    BCRYPT_COST: '10',
    ...env,
  });
  const app = await buildApp({
    config,
    database: testDb.database,
    logger: createLogger({ service: 'api-test', level: 'silent' }),
  });
  await app.ready();
  return {
    app,
    database: testDb.database,
    databaseUrl: testDb.url,
    async close() {
      await app.close();
      await testDb.destroy();
    },
  };
}

export interface TestUser {
  id: string;
  username: string;
  token: string;
  headers: { authorization: string };
}

let appCounter = 0;

export interface ServerWithUsers {
  app: ApiInstance;
  database: Database;
  /** Two signed-in people with the usual client scopes. */
  alice: TestUser;
  bob: TestUser;
}

/**
 * Starts the app on a fresh database before the file's tests (and stops it after), with two users;
 * `use` receives them, for the file's variables.
 */
export function useServer(
  use: (server: ServerWithUsers) => void,
  env: Record<string, string> = {},
): void {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startServer(env);
    const alice = await signedInUser(server.database);
    const bob = await signedInUser(server.database);
    use({ app: server.app, database: server.database, alice, bob });
  });
  afterAll(() => server?.close());
}

/** A bearer token of a new application for an existing account. */
export async function tokenFor(
  database: Database,
  accountId: string,
  scopes: string[],
): Promise<string> {
  const { application } = await registerApplication(database, {
    name: `Test client ${++appCounter}`,
    website: 'https://client.example',
    redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
    scopes,
  });
  const { accessToken } = await issueAccessToken(database, {
    applicationId: application.id,
    accountId,
    scopes,
  });
  return accessToken;
}

/** An account with a token for `scopes` (everything clients usually ask for by default). */
export async function signedInUser(
  database: Database,
  options: { username?: string; scopes?: string[] } = {},
): Promise<TestUser> {
  const account = await createAccountFixture(
    database,
    options.username ? { username: options.username } : {},
  );
  const token = await tokenFor(
    database,
    account.id,
    options.scopes ?? ['read', 'write', 'follow', 'push'],
  );
  return {
    id: account.id,
    username: account.username,
    token,
    headers: { authorization: `Bearer ${token}` },
  };
}

/** A signed-in person whose account is locked (follows are requests), set as an app sets it. */
export async function lockedUser(server: Pick<TestServer, 'app' | 'database'>): Promise<TestUser> {
  const user = await signedInUser(server.database);
  const response = await server.app.inject({
    method: 'PATCH',
    url: '/api/v1/accounts/update_credentials',
    headers: user.headers,
    payload: { locked: true },
  });
  expect(response.statusCode).toBe(200);
  expect(response.json()).toMatchObject({ locked: true });
  return user;
}

/** Asserts a JSON response with Mastodon's content type, and returns its body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are checked against the entity schemas
export function json<T = any>(response: LightMyRequestResponse, status = 200): T {
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status });
  expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  return response.json() as T;
}

/**
 * A caller of `app()` (read at each call: the app starts before the file's tests) for the Mastodon
 * endpoint tests: injects a request as `user` (or anonymously), asserts the status, checks the
 * response against Mastodon's description, and returns the parsed body.
 */
export function checkedCaller(app: () => ApiInstance) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are checked against the description
  return async function call<T = any>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    user: TestUser | null,
    options: { status?: number; payload?: object } = {},
  ): Promise<T> {
    const response = await app().inject({
      method,
      url,
      headers: user ? user.headers : {},
      ...(options.payload ? { payload: options.payload } : {}),
    });
    const body = json<T>(response, options.status ?? 200);
    expectMastodonResponse(response);
    return body;
  };
}

/** Asserts that `value` matches `schema`, listing the mismatches when it does not. */
export function expectSchema(schema: TSchema, value: unknown): void {
  const check = Compile(schema);
  const errors = check.Check(value)
    ? []
    : [...check.Errors(value)].map((e) => `${e.instancePath} ${e.message}`);
  expect(errors).toEqual([]);
}

/** The `Link` header's URLs by rel. */
export function links(response: LightMyRequestResponse): Record<string, URL> {
  const header = response.headers.link;
  const result: Record<string, URL> = {};
  if (typeof header !== 'string') return result;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>;\s*rel="(\w+)"/.exec(part.trim());
    if (match) result[match[2]!] = new URL(match[1]!);
  }
  return result;
}

/** The path and query of a Link URL, to inject it. */
export function pathOf(url: URL): string {
  return `${url.pathname}${url.search}`;
}
