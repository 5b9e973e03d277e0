import { describe, expect, it } from 'vitest';
import {
  authenticate,
  changePassword,
  registerAccount,
  updateProfile,
} from '../src/accounts/index.js';
import { bcryptCostOf } from '../src/passwords.js';
import { useTestDatabase } from '../src/testing/index.js';

const testDb = useTestDatabase();
const cheap = { bcryptCost: 10 };

describe('registerAccount', () => {
  it('gives one account and one UsernameTaken when two sign-ups race for a name in different cases', async () => {
    const results = await Promise.allSettled([
      registerAccount(
        testDb.database,
        { username: 'RaceName', email: 'a@example.test', password: 'long enough pass 1' },
        cheap,
      ),
      registerAccount(
        testDb.database,
        { username: 'racename', email: 'b@example.test', password: 'long enough pass 2' },
        cheap,
      ),
    ]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toMatchObject({ code: 'UsernameTaken', field: 'username' });
  });

  it('rejects bad usernames, emails, short and common passwords with the field named', async () => {
    const base = { username: 'valid_name', email: 'v@example.test', password: 'a fine passphrase' };
    await expect(
      registerAccount(testDb.database, { ...base, username: 'no spaces' }, cheap),
    ).rejects.toMatchObject({
      code: 'InvalidUsername',
      field: 'username',
    });
    await expect(
      registerAccount(testDb.database, { ...base, username: 'x'.repeat(31) }, cheap),
    ).rejects.toMatchObject({
      code: 'InvalidUsername',
    });
    await expect(
      registerAccount(testDb.database, { ...base, email: 'nope' }, cheap),
    ).rejects.toMatchObject({
      code: 'InvalidEmail',
      field: 'email',
    });
    await expect(
      registerAccount(testDb.database, { ...base, password: 'short' }, cheap),
    ).rejects.toMatchObject({
      code: 'InvalidPassword',
      field: 'password',
    });
    await expect(
      registerAccount(testDb.database, { ...base, password: 'password123' }, cheap),
    ).rejects.toMatchObject({
      code: 'InvalidPassword',
    });
  });

  it('refuses an email already registered, ignoring case', async () => {
    await registerAccount(
      testDb.database,
      { username: 'first', email: 'Same@Example.test', password: 'a fine passphrase' },
      cheap,
    );
    await expect(
      registerAccount(
        testDb.database,
        { username: 'second', email: 'same@example.TEST', password: 'a fine passphrase' },
        cheap,
      ),
    ).rejects.toMatchObject({ code: 'EmailTaken', field: 'email' });
  });
});

describe('passwords', () => {
  it('never hashes below cost 10', async () => {
    const account = await registerAccount(
      testDb.database,
      { username: 'cost', email: 'cost@example.test', password: 'a fine passphrase' },
      { bcryptCost: 4 },
    );
    expect('passwordHash' in account).toBe(false); // the hash never leaves the package
    const { rows } = await testDb.database.pool.query<{ password_hash: string }>(
      'select password_hash from accounts where id = $1',
      [account.id],
    );
    expect(bcryptCostOf(rows[0]!.password_hash)).toBeGreaterThanOrEqual(10);
  });

  it('does not truncate: two 80-byte passwords sharing their first 72 bytes are different passwords', async () => {
    const prefix = 'p'.repeat(72);
    await registerAccount(
      testDb.database,
      { username: 'long72', email: 'l72@example.test', password: `${prefix}AAAAAAAA` },
      cheap,
    );
    expect(
      await authenticate(
        testDb.database,
        { login: 'long72', password: `${prefix}AAAAAAAA` },
        cheap,
      ),
    ).not.toBeNull();
    expect(
      await authenticate(
        testDb.database,
        { login: 'long72', password: `${prefix}BBBBBBBB` },
        cheap,
      ),
    ).toBeNull();
  });

  it('accepts 64 emoji (256 bytes) and verifies them exactly', async () => {
    const password = '😀'.repeat(64);
    await registerAccount(
      testDb.database,
      { username: 'emoji', email: 'emoji@example.test', password },
      cheap,
    );
    expect(await authenticate(testDb.database, { login: 'EMOJI', password }, cheap)).not.toBeNull();
    expect(
      await authenticate(testDb.database, { login: 'emoji', password: '😀'.repeat(63) }, cheap),
    ).toBeNull();
  });

  it('signs in by username or email and returns null for unknown accounts', async () => {
    await registerAccount(
      testDb.database,
      { username: 'signin', email: 'signin@example.test', password: 'a fine passphrase' },
      cheap,
    );
    expect(
      await authenticate(
        testDb.database,
        { login: 'signin@EXAMPLE.test', password: 'a fine passphrase' },
        cheap,
      ),
    ).not.toBeNull();
    expect(
      await authenticate(
        testDb.database,
        { login: 'nobody_here', password: 'a fine passphrase' },
        cheap,
      ),
    ).toBeNull();
  });

  it('changes a password only with the current one', async () => {
    const account = await registerAccount(
      testDb.database,
      { username: 'changer', email: 'changer@example.test', password: 'old passphrase' },
      cheap,
    );
    await expect(
      changePassword(
        testDb.database,
        { accountId: account.id, currentPassword: 'wrong', newPassword: 'new passphrase' },
        cheap,
      ),
    ).rejects.toMatchObject({ code: 'InvalidPassword', field: 'current_password' });
    await changePassword(
      testDb.database,
      { accountId: account.id, currentPassword: 'old passphrase', newPassword: 'new passphrase' },
      cheap,
    );
    expect(
      await authenticate(testDb.database, { login: 'changer', password: 'new passphrase' }, cheap),
    ).not.toBeNull();
    expect(
      await authenticate(testDb.database, { login: 'changer', password: 'old passphrase' }, cheap),
    ).toBeNull();
  });
});

describe('updateProfile', () => {
  it('saves display name and bio and rejects ones that are too long', async () => {
    const account = await registerAccount(
      testDb.database,
      { username: 'profile', email: 'p@example.test', password: 'a fine passphrase' },
      cheap,
    );
    const updated = await updateProfile(testDb.database, account.id, {
      displayName: ' Pro File ',
      note: 'Hello\r\nworld',
    });
    expect(updated).toMatchObject({ displayName: 'Pro File', note: 'Hello\nworld' });
    await expect(
      updateProfile(testDb.database, account.id, { displayName: 'x'.repeat(31) }),
    ).rejects.toMatchObject({
      code: 'InvalidField',
      field: 'display_name',
    });
  });
});
