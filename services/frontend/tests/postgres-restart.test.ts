/**
 * The website rides through a PostgreSQL restart (issue 17): pages asked for while the database is
 * down answer 503 with Retry-After at once — never a 500, never a hang — and the site serves again by
 * itself when the database is back. Against a PostgreSQL cluster of this file's own.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStatus } from '@murmur/db/statuses';
import { createAccountFixture, createDatabaseOnServer } from '@murmur/db/testing';
import { loadThroughOutage, timedFetch } from '@murmur/devkit/outage';
import { PrivatePostgres } from '@murmur/devkit/postgres';
import { startHarness, type Harness } from './_helpers.js';

let pg: PrivatePostgres;
let harness: Harness;
let origin: string;
let username: string;

beforeAll(async () => {
  pg = await PrivatePostgres.start();
  harness = await startHarness({}, await createDatabaseOnServer(pg.url(), { poolSize: 10 }));
  origin = await harness.app.listen({ host: '127.0.0.1', port: 0 });
  const account = await createAccountFixture(harness.database);
  username = account.username;
  await createStatus(harness.database, { accountId: account.id, text: 'still here' });
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await pg?.dispose();
});

it('answers 503 quickly while PostgreSQL restarts, and recovers by itself', async () => {
  const figures = await loadThroughOutage({
    loops: 2,
    step: async (record) => {
      record(await timedFetch('public timeline', `${origin}/`));
      record(await timedFetch('profile', `${origin}/@${username}`));
    },
    outage: () => pg.restart(2_000),
  });
  expect(figures.statuses).toEqual([200, 503]);
  expect(figures.unavailableDuringOutage).toBeGreaterThan(0);
  expect(figures.answers.filter((a) => a.status === 503).every((a) => a.retryAfter)).toBe(true);
  expect(figures.slowestMs).toBeLessThan(2_500);
  expect(figures.recovered).toBe(true);
  expect(figures.recoveryMs).toBeLessThan(2_000);
}, 60_000);
