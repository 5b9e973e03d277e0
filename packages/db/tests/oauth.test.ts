import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { type Database } from '../src/index.js';
import {
  authenticateAccessToken,
  createAuthorizationCode,
  ensureFirstPartyApplication,
  hitRateLimit,
  issueAccessToken,
  listAuthorizedApplications,
  pkceS256Challenge,
  redeemAuthorizationCode,
  registerApplication,
  revokeAccessToken,
  revokeApplicationForAccount,
  verifyClientCredentials,
  type OAuthApplication,
} from '../src/auth/index.js';
import { type LocalAccount } from '../src/accounts/index.js';
import { oauthAccessTokens } from '../src/schema/index.js';
import { createAccountFixture, useTestDatabase } from '../src/testing/index.js';

const testDb = useTestDatabase();
let database: Database;
let account: LocalAccount;
let app: OAuthApplication;
let clientSecret: string;
const REDIRECT = 'https://app.example/cb';

beforeAll(async () => {
  database = testDb.database;
  account = await createAccountFixture(database);
  ({ application: app, clientSecret } = await registerApplication(database, {
    name: 'Test app',
    redirectUris: [REDIRECT],
    scopes: ['read', 'write'],
  }));
});

function codeFor(
  options: { challenge?: string | null; ttlMs?: number; applicationId?: string } = {},
) {
  const challenge = options.challenge ?? null;
  return createAuthorizationCode(database, {
    applicationId: options.applicationId ?? app.id,
    accountId: account.id,
    redirectUri: REDIRECT,
    scopes: ['read'],
    codeChallenge: challenge,
    codeChallengeMethod: challenge === null ? null : 'S256',
    ttlMs: options.ttlMs ?? 60_000,
  });
}

function redeem(code: string, codeVerifier: string | null = null, redirectUri = REDIRECT) {
  return redeemAuthorizationCode(database, {
    code,
    applicationId: app.id,
    redirectUri,
    codeVerifier,
  });
}

describe('client registration', () => {
  it('issues long random credentials and verifies the secret', async () => {
    expect(app.clientId.length).toBeGreaterThanOrEqual(22);
    expect(clientSecret.length).toBeGreaterThanOrEqual(43);
    expect((await verifyClientCredentials(database.primary, app.clientId, clientSecret))?.id).toBe(
      app.id,
    );
    expect(
      await verifyClientCredentials(database.primary, app.clientId, clientSecret + 'x'),
    ).toBeNull();
    expect(await verifyClientCredentials(database.primary, 'nobody', clientSecret)).toBeNull();
  });

  it('upserts the first-party client idempotently and rotates its secret', async () => {
    const input = {
      clientId: 'web',
      clientSecret: 's1',
      name: 'Web',
      redirectUris: ['http://localhost/cb'],
      scopes: ['read'],
    };
    const first = await ensureFirstPartyApplication(database, input);
    const second = await ensureFirstPartyApplication(database, {
      ...input,
      clientSecret: 's2',
      scopes: ['read', 'write'],
    });
    expect(second.id).toBe(first.id);
    expect(second.firstParty).toBe(true);
    expect(second.scopes).toEqual(['read', 'write']);
    expect(await verifyClientCredentials(database.primary, 'web', 's1')).toBeNull();
    expect(await verifyClientCredentials(database.primary, 'web', 's2')).not.toBeNull();
  });
});

describe('authorization codes', () => {
  it('redeems exactly once under 20 concurrent redemptions', async () => {
    const code = await codeFor();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => redeem(code)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'InvalidGrant' });
    }
    // The losers were second uses of the code, so the winner's token is revoked as for a replay.
    const winner = won[0] as PromiseFulfilledResult<{ accessToken: string }>;
    expect(await authenticateAccessToken(database, winner.value.accessToken)).toBeNull();
  });

  it('revokes the issued token when a code is replayed', async () => {
    const code = await codeFor();
    const { accessToken } = await redeem(code);
    expect(await authenticateAccessToken(database, accessToken)).not.toBeNull();
    await expect(redeem(code)).rejects.toMatchObject({ code: 'InvalidGrant' });
    expect(await authenticateAccessToken(database, accessToken)).toBeNull();
  });

  it('refuses an expired code', async () => {
    const code = await codeFor({ ttlMs: 1 });
    await new Promise((r) => setTimeout(r, 20));
    await expect(redeem(code)).rejects.toMatchObject({ code: 'InvalidGrant' });
  });

  it('refuses another redirect URI, another client and an unknown code', async () => {
    await expect(redeem(await codeFor(), null, REDIRECT + '/')).rejects.toMatchObject({
      code: 'InvalidGrant',
    });
    const other = await registerApplication(database, {
      name: 'Other',
      redirectUris: [REDIRECT],
      scopes: ['read'],
    });
    const code = await codeFor({ applicationId: other.application.id });
    await expect(redeem(code)).rejects.toMatchObject({ code: 'InvalidGrant' });
    await expect(redeem('no-such-code')).rejects.toMatchObject({ code: 'InvalidGrant' });
  });

  describe('PKCE', () => {
    const verifier = randomBytes(32).toString('base64url'); // 43 characters
    const challenge = pkceS256Challenge(verifier);

    it('accepts the matching S256 verifier', async () => {
      const { token } = await redeem(await codeFor({ challenge }), verifier);
      expect(token.accountId).toBe(account.id);
      expect(token.scopes).toEqual(['read']);
    });
    it.each([
      ['a wrong verifier', 'x'.repeat(43)],
      ['a missing verifier', null],
      ['a 42-character verifier', verifier.slice(0, 42)],
      ['a 129-character verifier', 'a'.repeat(129)],
    ])('refuses %s', async (_name, presented) => {
      await expect(redeem(await codeFor({ challenge }), presented)).rejects.toMatchObject({
        code: 'InvalidGrant',
      });
    });
    it('refuses a verifier for a code issued without a challenge (downgrade)', async () => {
      await expect(redeem(await codeFor(), verifier)).rejects.toMatchObject({
        code: 'InvalidGrant',
      });
    });
    it('refuses to store a plain challenge or a challenge without method', async () => {
      const base = {
        applicationId: app.id,
        accountId: account.id,
        redirectUri: REDIRECT,
        scopes: ['read'],
        ttlMs: 1000,
      };
      await expect(
        createAuthorizationCode(database, {
          ...base,
          codeChallenge: verifier,
          codeChallengeMethod: 'plain' as 'S256',
        }),
      ).rejects.toMatchObject({ code: 'InvalidGrant' });
      await expect(
        createAuthorizationCode(database, {
          ...base,
          codeChallenge: challenge,
          codeChallengeMethod: null,
        }),
      ).rejects.toMatchObject({ code: 'InvalidGrant' });
    });
  });
});

describe('access tokens', () => {
  it('records last use, revokes per client, and lists authorized applications', async () => {
    const { accessToken, token } = await issueAccessToken(database, {
      applicationId: app.id,
      accountId: account.id,
      scopes: ['read', 'write'],
    });
    expect(accessToken.length).toBeGreaterThanOrEqual(43);
    const first = await authenticateAccessToken(database, accessToken);
    expect(first?.account?.id).toBe(account.id);
    expect(first?.lastUsedAt).toBeInstanceOf(Date);
    // What routes get: no password hash, no e-mail.
    expect(Object.keys(first!.account!).sort()).toEqual(['id', 'username']);
    expect(JSON.stringify(first)).not.toContain(account.email);

    const listed = await listAuthorizedApplications(database.primary, account.id);
    const entry = listed.find((l) => l.application.id === app.id);
    expect(entry?.scopes).toEqual(expect.arrayContaining(['read', 'write']));
    expect(entry).not.toHaveProperty('clientSecretHash');

    const other = await registerApplication(database, {
      name: 'Other',
      redirectUris: [REDIRECT],
      scopes: ['read'],
    });
    expect(
      await revokeAccessToken(database, {
        token: accessToken,
        applicationId: other.application.id,
      }),
    ).toBe('other_client');
    expect(await authenticateAccessToken(database, accessToken)).not.toBeNull();
    expect(await revokeAccessToken(database, { token: accessToken, applicationId: app.id })).toBe(
      'revoked',
    );
    expect(await authenticateAccessToken(database, accessToken)).toBeNull();
    expect(await revokeAccessToken(database, { token: 'unknown', applicationId: app.id })).toBe(
      'not_found',
    );
    expect(token.id).toBeTruthy();
  });

  it('revokes every token an account gave an application', async () => {
    const a = await issueAccessToken(database, {
      applicationId: app.id,
      accountId: account.id,
      scopes: ['read'],
    });
    await issueAccessToken(database, {
      applicationId: app.id,
      accountId: account.id,
      scopes: ['read'],
    });
    expect(
      await revokeApplicationForAccount(database, { accountId: account.id, applicationId: app.id }),
    ).toBeGreaterThanOrEqual(2);
    expect(await authenticateAccessToken(database, a.accessToken)).toBeNull();
    const remaining = await database.primary
      .select()
      .from(oauthAccessTokens)
      .where(
        sql`${oauthAccessTokens.accountId} = ${account.id} and ${oauthAccessTokens.revokedAt} is null and ${oauthAccessTokens.applicationId} = ${app.id}`,
      );
    expect(remaining).toHaveLength(0);
  });
});

it('never stores a raw secret, code or token', async () => {
  const { application, clientSecret: secret } = await registerApplication(database, {
    name: 'Dump check',
    redirectUris: [REDIRECT],
    scopes: ['read'],
  });
  const code = await createAuthorizationCode(database, {
    applicationId: application.id,
    accountId: account.id,
    redirectUri: REDIRECT,
    scopes: ['read'],
    codeChallenge: null,
    codeChallengeMethod: null,
    ttlMs: 60_000,
  });
  const { accessToken } = await redeemAuthorizationCode(database, {
    code,
    applicationId: application.id,
    redirectUri: REDIRECT,
    codeVerifier: null,
  });
  // Every text-like column of every table, like grepping a pg_dump.
  const columns = await database.primary.execute<{ table_name: string; column_name: string }>(sql`
    select table_name, column_name from information_schema.columns
    where table_schema = 'public' and data_type in ('text', 'character varying', 'ARRAY', 'jsonb')`);
  let scanned = 0;
  for (const { table_name, column_name } of columns.rows) {
    const result = await database.primary.execute<{ hits: number }>(sql`
      select count(*)::int as hits from ${sql.identifier(table_name)}
      where ${sql.identifier(column_name)}::text like ${'%' + secret + '%'}
         or ${sql.identifier(column_name)}::text like ${'%' + code + '%'}
         or ${sql.identifier(column_name)}::text like ${'%' + accessToken + '%'}`);
    expect(result.rows[0]!.hits, `${table_name}.${column_name}`).toBe(0);
    scanned++;
  }
  expect(scanned).toBeGreaterThan(10);
});

describe('hitRateLimit', () => {
  it('allows `limit` hits per window, counts across callers, and resets with the next window', async () => {
    const key = `test:${randomBytes(4).toString('hex')}`;
    const now = new Date('2030-01-01T00:00:00.000Z');
    const hits = await Promise.all(
      Array.from({ length: 5 }, () =>
        hitRateLimit(database, { key, limit: 3, windowMs: 60_000, now }),
      ),
    );
    expect(hits.filter((h) => h.allowed)).toHaveLength(3);
    expect(Math.min(...hits.map((h) => h.remaining))).toBe(0);
    expect(hits[0]!.resetAt.toISOString()).toBe('2030-01-01T00:01:00.000Z');
    const next = await hitRateLimit(database, {
      key,
      limit: 3,
      windowMs: 60_000,
      now: new Date(now.getTime() + 60_000),
    });
    expect(next).toMatchObject({ allowed: true, remaining: 2 });
  });
});
