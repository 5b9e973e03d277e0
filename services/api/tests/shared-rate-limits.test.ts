/**
 * The general rate limits hold across API processes: two app instances on one database share one
 * limit per token (before, each process counted its own, so N replicas gave N times the limit).
 */
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './_helpers.js';
import { tokenFor } from './_mastodon.js';

let testDb: TestDatabase;
let first: TestApp;
let second: TestApp;

const LIMIT = 6;

async function twoProcesses(syncIntervalMs: number): Promise<void> {
  const rateLimits = { perToken: { limit: LIMIT, windowMs: 60 * 60_000 }, syncIntervalMs };
  first = await createTestApp({ testDatabase: testDb, rateLimits });
  second = await createTestApp({ testDatabase: testDb, rateLimits });
}

async function closeBoth(): Promise<void> {
  await first?.close();
  await second?.close();
}

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  await testDb?.destroy();
});

async function newToken(): Promise<string> {
  const account = await createAccountFixture(testDb.database);
  return tokenFor(testDb.database, account.id, ['read']);
}

function verify(app: TestApp, token: string) {
  return app.app.inject({
    method: 'GET',
    url: '/api/v1/accounts/verify_credentials',
    headers: { authorization: `Bearer ${token}` },
  });
}

describe('general rate limits across two API processes', () => {
  it('admit one limit in total, not one per process', async () => {
    await twoProcesses(60 * 60_000); // synced by hand below
    try {
      const token = await newToken();
      const statuses: number[] = [];
      for (let request = 0; request < 2 * LIMIT; request++) {
        const app = request % 2 === 0 ? first : second;
        statuses.push((await verify(app, token)).statusCode);
        // A sync interval passes: each process has added its hits and learned the totals.
        for (let round = 0; round < 2; round++) {
          await first.app.syncRateLimits();
          await second.app.syncRateLimits();
        }
      }
      expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
      expect(statuses.slice(LIMIT)).toEqual(Array(LIMIT).fill(429));
      // Both processes refuse the token now.
      expect((await verify(first, token)).statusCode).toBe(429);
      expect((await verify(second, token)).statusCode).toBe(429);
    } finally {
      await closeBoth();
    }
  });

  it('share their counts by themselves within the sync interval', async () => {
    await twoProcesses(50);
    try {
      const token = await newToken();
      const statuses: number[] = [];
      for (let request = 0; request < 2 * LIMIT; request++) {
        statuses.push((await verify(request % 2 === 0 ? first : second, token)).statusCode);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
    } finally {
      await closeBoth();
    }
  });
});
