/**
 * The retention job deletes what has expired (rate-limit counters, website sessions, processed
 * markers past their retention whose outbox row is gone) and keeps everything else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import {
  createWebSession,
  hitRateLimit,
  issueAccessToken,
  registerApplication,
} from '@murmur/db/auth';
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { createLogger } from '@murmur/service-kit';
import { retentionJob } from '../src/retention.js';

let testDb: TestDatabase;
let database: Database;

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = testDb.database;
});

afterAll(async () => {
  await testDb?.destroy();
});

async function count(table: string): Promise<number> {
  const { rows } = await database.pool.query<{ n: string }>(`select count(*) as n from ${table}`);
  return Number(rows[0]!.n);
}

describe('the retention job', () => {
  it('deletes expired counters, sessions and old markers, and keeps the live ones', async () => {
    const hourAgo = new Date(Date.now() - 60 * 60 * 1000);
    await hitRateLimit(database, { key: 'old', limit: 5, windowMs: 60_000, now: hourAgo });
    await hitRateLimit(database, { key: 'live', limit: 5, windowMs: 60 * 60_000 });

    const account = await createAccountFixture(database);
    const { application } = await registerApplication(database, {
      name: 'web',
      redirectUris: ['https://murmur.test/cb'],
      scopes: ['read'],
    });
    const token = async () =>
      (
        await issueAccessToken(database, {
          applicationId: application.id,
          accountId: account.id,
          scopes: ['read'],
        })
      ).token.id;
    const longAgo = new Date(Date.now() - 60 * 24 * 60 * 60 * 1000);
    await createWebSession(database, {
      accountId: account.id,
      accessTokenId: await token(),
      now: longAgo,
    });
    await createWebSession(database, { accountId: account.id, accessTokenId: await token() });

    // Markers: one old whose outbox row is gone, one old whose outbox row is kept, one recent.
    await createStatus(database, { accountId: account.id, text: 'kept in the outbox' });
    const { rows } = await database.pool.query<{ id: string }>(
      `select id from outbox_events where type = 'PostCreated'`,
    );
    await database.pool.query(
      `insert into processed_events (consumer, event_id, processed_at) values
         ('statistics', '0190a000-0000-7000-8000-000000000001', now() - interval '15 days'),
         ('statistics', $1, now() - interval '15 days'),
         ('statistics', '0190a000-0000-7000-8000-000000000002', now() - interval '1 day')`,
      [rows[0]!.id],
    );
    expect([await count('rate_limit_counters'), await count('web_sessions')]).toEqual([2, 2]);

    const logger = createLogger({ service: 'worker', level: 'silent' });
    expect(await retentionJob(database, logger)).toEqual({
      rateLimitCounters: 1,
      webSessions: 1,
      processedEvents: 1,
      webPushDeliveries: 0,
      federationDeliveries: 0,
    });
    expect(await count('rate_limit_counters')).toBe(1);
    expect(await count('web_sessions')).toBe(1);
    const { rows: markers } = await database.pool.query<{ event_id: string }>(
      'select event_id from processed_events order by event_id',
    );
    expect(markers.map((m) => m.event_id).sort()).toEqual(
      ['0190a000-0000-7000-8000-000000000002', rows[0]!.id].sort(),
    );
    // Nothing left to delete: a second run deletes nothing.
    expect(await retentionJob(database, logger)).toEqual({
      rateLimitCounters: 0,
      webSessions: 0,
      processedEvents: 0,
      webPushDeliveries: 0,
      federationDeliveries: 0,
    });
  });
});
