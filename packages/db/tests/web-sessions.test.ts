import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { type Database } from '../src/index.js';
import { changePassword, type LocalAccount } from '../src/accounts/index.js';
import {
  createWebSession,
  deleteExpiredWebSessions,
  deleteWebSession,
  issueAccessToken,
  loadWebSession,
  registerApplication,
  revokeAccessTokenById,
  type OAuthApplication,
} from '../src/auth/index.js';
import { createAccountFixture, FIXTURE_PASSWORD, useTestDatabase } from '../src/testing/index.js';

const testDb = useTestDatabase();
let database: Database;
let account: LocalAccount;
let app: OAuthApplication;

const TIMEOUTS = { idleTimeoutMs: 60 * 60_000, absoluteTimeoutMs: 24 * 60 * 60_000 };

async function newSession(now = new Date()) {
  const { token } = await issueAccessToken(database, {
    applicationId: app.id,
    accountId: account.id,
    scopes: ['read', 'write'],
  });
  const created = await createWebSession(database, {
    accountId: account.id,
    accessTokenId: token.id,
    now,
    timeouts: TIMEOUTS,
  });
  return { ...created, token };
}

beforeAll(async () => {
  database = testDb.database;
  account = await createAccountFixture(database);
  ({ application: app } = await registerApplication(database, {
    name: 'web',
    redirectUris: ['http://localhost:3000/auth/callback'],
    scopes: ['read', 'write'],
    firstParty: true,
  }));
});

describe('web sessions', () => {
  it('stores only the hash of a 256-bit id, and loads the account with it', async () => {
    const { sessionId } = await newSession();
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await database.primary.execute(sql`select id_hash from web_sessions`);
    expect(JSON.stringify(stored.rows)).not.toContain(sessionId);
    const loaded = await loadWebSession(database, sessionId, { timeouts: TIMEOUTS });
    expect(loaded?.account.username).toBe(account.username);
    expect(loaded?.session.csrfSecret.length).toBeGreaterThanOrEqual(43);
    expect(await loadWebSession(database, `${sessionId}x`)).toBeNull();
  });

  it('ids never repeat', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add((await newSession()).sessionId);
    expect(ids.size).toBe(20);
  });

  it('ends after the idle timeout, and is kept alive by use', async () => {
    const start = new Date('2030-01-01T00:00:00Z');
    const { sessionId } = await newSession(start);
    const later = (ms: number) => new Date(start.getTime() + ms);
    expect(
      await loadWebSession(database, sessionId, { now: later(50 * 60_000), timeouts: TIMEOUTS }),
    ).not.toBeNull();
    // Used at +50 min, so +100 min is only 50 idle minutes.
    expect(
      await loadWebSession(database, sessionId, { now: later(100 * 60_000), timeouts: TIMEOUTS }),
    ).not.toBeNull();
    expect(
      await loadWebSession(database, sessionId, { now: later(161 * 60_000), timeouts: TIMEOUTS }),
    ).toBeNull();
    // Deleted, not merely refused.
    expect(
      await loadWebSession(database, sessionId, { now: later(101 * 60_000), timeouts: TIMEOUTS }),
    ).toBeNull();
  });

  it('ends after the absolute timeout even when used', async () => {
    const start = new Date('2030-02-01T00:00:00Z');
    const { sessionId } = await newSession(start);
    for (let hour = 0.5; hour < 24; hour += 0.5) {
      const now = new Date(start.getTime() + hour * 3600_000);
      expect(await loadWebSession(database, sessionId, { now, timeouts: TIMEOUTS })).not.toBeNull();
    }
    const after = new Date(start.getTime() + 24 * 3600_000);
    expect(
      await loadWebSession(database, sessionId, { now: after, timeouts: TIMEOUTS }),
    ).toBeNull();
  });

  it('ends when its access token is revoked elsewhere', async () => {
    const { sessionId, token } = await newSession();
    await revokeAccessTokenById(database, token.id);
    expect(await loadWebSession(database, sessionId, { timeouts: TIMEOUTS })).toBeNull();
  });

  it('sign-out deletes the session and returns its token id', async () => {
    const { sessionId, token } = await newSession();
    expect(await deleteWebSession(database, sessionId)).toBe(token.id);
    expect(await loadWebSession(database, sessionId, { timeouts: TIMEOUTS })).toBeNull();
    expect(await deleteWebSession(database, sessionId)).toBeNull();
  });

  it('a password change ends every other session', async () => {
    const mine = await newSession();
    const other = await newSession();
    await changePassword(database, {
      accountId: account.id,
      currentPassword: FIXTURE_PASSWORD,
      newPassword: 'another long passphrase 42',
      keepAccessTokenId: mine.token.id,
    });
    expect(await loadWebSession(database, mine.sessionId, { timeouts: TIMEOUTS })).not.toBeNull();
    expect(await loadWebSession(database, other.sessionId, { timeouts: TIMEOUTS })).toBeNull();
  });

  it('cleans up expired sessions', async () => {
    const old = await newSession(new Date('2000-01-01T00:00:00Z'));
    expect(await deleteExpiredWebSessions(database, { timeouts: TIMEOUTS })).toBeGreaterThanOrEqual(
      1,
    );
    expect(await loadWebSession(database, old.sessionId, { timeouts: TIMEOUTS })).toBeNull();
  });
});
