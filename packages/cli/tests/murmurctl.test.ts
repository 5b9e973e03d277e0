/**
 * `pnpm murmurctl` as the operator runs it: a child process at the repository root, with the
 * services' DATABASE_URL, checked through what the database then says.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Database } from '@murmur/db';
import { authenticate, findAccountByUsername } from '@murmur/db/accounts';
import { authenticateAccessToken, issueAccessToken, registerApplication } from '@murmur/db/auth';
import { listAuditLog, listInstanceRules } from '@murmur/db/moderation';
import { createAccountFixture, useTestDatabase } from '@murmur/db/testing';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const testDb = useTestDatabase();
let database: Database;

beforeAll(() => {
  database = testDb.database;
});

async function murmurctl(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      'pnpm',
      ['--silent', 'murmurctl', ...args],
      {
        cwd: root,
        env: { ...process.env, DATABASE_URL: testDb.url, BCRYPT_COST: '10' },
        timeout: 60_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('pnpm murmurctl', () => {
  it('creates an account with a role and a password printed once that signs in', async () => {
    const result = await murmurctl(
      'accounts',
      'create',
      'mod_ctl',
      '--email',
      'mod@example.test',
      '--role',
      'moderator',
    );
    expect(result.code).toBe(0);
    const password = /^Password: (\S+)$/m.exec(result.stdout)?.[1];
    expect(password).toBeDefined();
    const account = await authenticate(database, { login: 'mod_ctl', password: password! });
    expect(account?.role).toBe('moderator');
  }, 90_000);

  it('grants roles, and refuses unknown roles and accounts with exit codes 2 and 1', async () => {
    const alice = await createAccountFixture(database);
    expect((await murmurctl('accounts', 'role', alice.username, 'admin')).code).toBe(0);
    expect((await findAccountByUsername(database.primary, alice.username))?.role).toBe('admin');
    const log = await listAuditLog(database.primary, { limit: 1 });
    expect(log[0]).toMatchObject({ action: 'change_role', targetId: alice.id, moderator: null });

    const badRole = await murmurctl('accounts', 'role', alice.username, 'emperor');
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('"emperor" is not a role');
    const nobody = await murmurctl('accounts', 'role', 'nobody_here', 'user');
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('No account named "nobody_here"');
    expect((await murmurctl('frobnicate')).code).toBe(2);
  }, 90_000);

  it('suspends (the token stops at once) and unsuspends', async () => {
    const bob = await createAccountFixture(database);
    const { application } = await registerApplication(database, {
      name: 'app',
      redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
      scopes: ['read'],
    });
    const { accessToken } = await issueAccessToken(database, {
      applicationId: application.id,
      accountId: bob.id,
      scopes: ['read'],
    });
    const suspended = await murmurctl('accounts', 'suspend', bob.username, '--note', 'spam wave');
    expect(suspended.code).toBe(0);
    expect(await authenticateAccessToken(database, accessToken)).toBeNull();
    expect((await murmurctl('accounts', 'unsuspend', bob.username)).code).toBe(0);
    expect(await authenticateAccessToken(database, accessToken)).not.toBeNull();
  }, 90_000);

  it('manages the instance rules', async () => {
    expect(
      (await murmurctl('rules', 'add', 'Be excellent to each other', '--hint', 'No insults')).code,
    ).toBe(0);
    const [rule] = await listInstanceRules(database.primary);
    expect(rule).toMatchObject({ text: 'Be excellent to each other', hint: 'No insults' });
    expect((await murmurctl('rules', 'list')).stdout).toContain('Be excellent to each other');
    expect((await murmurctl('rules', 'remove', rule!.id)).code).toBe(0);
    expect(await listInstanceRules(database.primary)).toEqual([]);
    expect((await murmurctl('rules', 'remove', rule!.id)).code).toBe(1);
  }, 120_000);
});
