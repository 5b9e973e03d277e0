/**
 * A person deletes their own account: with the right password only; then it signs in no more, its
 * tokens and sessions are gone, its profile is empty, it is suspended and marked deleted, its
 * follows end both ways with their events, `AccountDeleted` is written, and its name stays taken.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DomainError, type Database } from '../src/index.js';
import { authenticate, deleteOwnAccount, updateProfile } from '../src/accounts/index.js';
import {
  authenticateAccessToken,
  ensureFirstPartyApplication,
  issueAccessToken,
} from '../src/auth/index.js';
import { followAccount } from '../src/follows/index.js';
import { queryRows } from '../src/client.js';
import { createAccountFixture, FIXTURE_PASSWORD, useTestDatabase } from '../src/testing/index.js';

const testDb = useTestDatabase();
let database: Database;

beforeAll(() => {
  database = testDb.database;
});

async function eventsOf(type: string, accountId: string) {
  return queryRows<{ payload: { data: Record<string, string> } }>(
    database.primary,
    sql`select payload from outbox_events where type = ${type}
      and (payload->'data'->>'accountId' = ${accountId}
        or payload->'data'->>'targetAccountId' = ${accountId})`,
  );
}

describe('deleting your own account', () => {
  it('refuses a wrong password and changes nothing', async () => {
    const dora = await createAccountFixture(database);
    const refused = await deleteOwnAccount(database, {
      accountId: dora.id,
      password: 'nope',
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('InvalidPassword');
    expect(
      await authenticate(database, { login: dora.username, password: FIXTURE_PASSWORD }),
    ).not.toBeNull();
    expect(await eventsOf('AccountDeleted', dora.id)).toEqual([]);
  });

  it('ends sign-in, tokens, profile and follows in one go, and writes AccountDeleted', async () => {
    const erin = await createAccountFixture(database);
    const fan = await createAccountFixture(database);
    const idol = await createAccountFixture(database);
    await updateProfile(database, erin.id, { displayName: 'Erin', note: 'Hello there' });
    await followAccount(database, { accountId: fan.id, targetAccountId: erin.id });
    await followAccount(database, { accountId: erin.id, targetAccountId: idol.id });
    const application = await ensureFirstPartyApplication(database, {
      clientId: 'deletion-test',
      clientSecret: 'deletion-test-secret',
      name: 'Test',
      redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
      scopes: ['read'],
    });
    const { accessToken } = await issueAccessToken(database, {
      applicationId: application.id,
      accountId: erin.id,
      scopes: ['read'],
    });

    await deleteOwnAccount(database, { accountId: erin.id, password: FIXTURE_PASSWORD });

    expect(
      await authenticate(database, { login: erin.username, password: FIXTURE_PASSWORD }),
    ).toBeNull();
    expect(await authenticateAccessToken(database, accessToken)).toBeNull();
    const [row] = await queryRows<Record<string, unknown>>(
      database.primary,
      sql`select display_name, note, suspended_at is not null as suspended,
          deleted_at is not null as deleted, username,
          (select followers_count from accounts where id = ${idol.id}) as "idolFollowers",
          (select following_count from accounts where id = ${fan.id}) as "fanFollowing",
          (select count(*)::int from follows where account_id = ${erin.id}
            or target_account_id = ${erin.id}) as follows
        from accounts where id = ${erin.id}`,
    );
    expect(row).toMatchObject({
      display_name: '',
      note: '',
      suspended: true,
      deleted: true,
      username: erin.username,
      idolFollowers: 0,
      fanFollowing: 0,
      follows: 0,
    });
    expect(await eventsOf('AccountDeleted', erin.id)).toHaveLength(1);
    expect(await eventsOf('AccountUnfollowed', erin.id)).toHaveLength(2);

    // Twice (a second tab) does nothing more; the name stays taken.
    await expect(
      deleteOwnAccount(database, { accountId: erin.id, password: FIXTURE_PASSWORD }),
    ).rejects.toThrow('Record not found');
    await expect(createAccountFixture(database, { username: erin.username })).rejects.toThrow();
  });
});
