/**
 * The API rides through a PostgreSQL restart (issue 17): requests made while the database is down
 * answer 503 with Retry-After at once — never a 500, never a hang — and the API serves again by itself
 * when the database is back. Against a PostgreSQL cluster of this file's own, restarted mid-load.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueAccessToken, registerApplication } from '@murmur/db/auth';
import { createDatabaseOnServer, type TestDatabase } from '@murmur/db/testing';
import { PrivatePostgres } from '@murmur/devkit/postgres';
import { loadThroughOutage, timedFetch } from '@murmur/devkit/outage';
import { createAccountFixture, createTestApp, type TestApp } from './_helpers.js';

let pg: PrivatePostgres;
let testDb: TestDatabase;
let api: TestApp;
let origin: string;
let token: string;

beforeAll(async () => {
  pg = await PrivatePostgres.start();
  // The pool settings of services/api/src/server.ts (createDatabase's defaults).
  testDb = await createDatabaseOnServer(pg.url(), { poolSize: 10 });
  // The load is as fast as the API answers; Mastodon's per-token limit is not what is tested here.
  const unlimited = { limit: 1_000_000_000, windowMs: 60_000 };
  api = await createTestApp({
    testDatabase: testDb,
    rateLimits: { perToken: unlimited, perAccount: unlimited },
  });
  origin = await api.app.listen({ host: '127.0.0.1', port: 0 });
  const account = await createAccountFixture(testDb.database);
  const { application } = await registerApplication(testDb.database, {
    name: 'restart test',
    redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
    scopes: ['read', 'write'],
  });
  ({ accessToken: token } = await issueAccessToken(testDb.database, {
    applicationId: application.id,
    accountId: account.id,
    scopes: ['read', 'write'],
  }));
}, 60_000);

afterAll(async () => {
  await api?.close();
  await testDb?.destroy();
  await pg?.dispose();
});

it('answers 503 quickly while PostgreSQL restarts, and recovers by itself', async () => {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  let n = 0;
  const figures = await loadThroughOutage({
    loops: 3,
    step: async (record) => {
      const body = JSON.stringify({ status: `load ${n++}` });
      record(
        await timedFetch('post', `${origin}/api/v1/statuses`, { method: 'POST', headers, body }),
      );
      record(await timedFetch('home', `${origin}/api/v1/timelines/home`, { headers }));
    },
    outage: () => pg.restart(2_000),
  });
  expect(figures.statuses).toEqual([200, 503]);
  expect(figures.unavailableDuringOutage).toBeGreaterThan(0);
  const failed = figures.answers.filter((a) => a.status !== 200);
  expect(failed.every((a) => a.retryAfter !== null)).toBe(true);
  // Fail fast: no request waits for the database to come back.
  expect(figures.slowestMs).toBeLessThan(2_500);
  expect(figures.recovered).toBe(true);
  expect(figures.recoveryMs).toBeLessThan(2_000);
}, 60_000);
