/**
 * A person deletes their own account: with the right password only; then it signs in no more, its
 * tokens and sessions are gone, its profile is empty, it is suspended and marked deleted, its
 * follows end both ways with their events, `AccountDeleted` is written, and its name stays taken.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DomainError, type Database } from '../src/index.js';
import {
  authenticate,
  deleteOwnAccount,
  purgeDeletedAccountsStatuses,
  updateProfile,
} from '../src/accounts/index.js';
import { takeAccountAction } from '../src/moderation/index.js';
import { createStatus } from '../src/statuses/index.js';
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

    for (const text of ['one', 'two', 'three']) {
      await createStatus(database, { accountId: erin.id, text });
    }
    const bystander = await createStatus(database, { accountId: fan.id, text: 'still here' });

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

    // Its statuses go later, in bounded batches (the worker's due-work), and only its own.
    const live = async () => {
      const [counted] = await queryRows<{ n: number; count: number; bystander: boolean }>(
        database.primary,
        sql`select count(*)::int as n,
            (select statuses_count from accounts where id = ${erin.id}) as count,
            (select deleted_at is null from statuses where id = ${bystander.id}) as bystander
          from statuses where account_id = ${erin.id} and deleted_at is null`,
      );
      return counted!;
    };
    expect((await live()).n).toBe(3);
    expect(await purgeDeletedAccountsStatuses(database, { limit: 2 })).toBe(2);
    expect(await purgeDeletedAccountsStatuses(database, { limit: 2 })).toBe(1);
    expect(await purgeDeletedAccountsStatuses(database, { limit: 2 })).toBe(0);
    expect(await live()).toEqual({ n: 0, count: 0, bystander: true });

    // A moderator cannot bring it back.
    await expect(
      takeAccountAction(database, { moderatorId: null, accountId: erin.id, type: 'unsuspend' }),
    ).rejects.toThrow('This account was deleted by its owner');

    // Twice (a second tab) does nothing more; the name stays taken.
    await expect(
      deleteOwnAccount(database, { accountId: erin.id, password: FIXTURE_PASSWORD }),
    ).rejects.toThrow('Record not found');
    await expect(createAccountFixture(database, { username: erin.username })).rejects.toThrow();
  });
});
