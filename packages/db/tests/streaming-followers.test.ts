/**
 * Which connected viewers follow an author (the home streams a post reaches): the same answer
 * whichever side the statement walks, the author's followers or the viewers.
 */
import { describe, expect, it } from 'vitest';
import { followAccount } from '../src/follows/index.js';
import { followersAmong, type ConnectedAccounts } from '../src/streaming/index.js';
import { createAccountFixture, useTestDatabase } from '../src/testing/index.js';

const testDb = useTestDatabase();
const db = () => testDb.database;

function connected(ids: string[]): ConnectedAccounts {
  const set = new Set(ids);
  return {
    size: set.size,
    has: (id) => set.has(id),
    arrayLiteral: () => `{${[...set].join(',')}}`,
  };
}

describe('followersAmong', () => {
  it('finds the followers among the viewers, with fewer or more followers than viewers', async () => {
    const [author, a, b, c, d] = await Promise.all(
      Array.from({ length: 5 }, () => createAccountFixture(db())),
    );
    for (const follower of [a!, b!, c!]) {
      await followAccount(db(), { accountId: follower.id, targetAccountId: author!.id });
    }
    // Three followers, four viewers: the followers are read and matched in memory.
    expect(
      await followersAmong(db().primary, author!.id, connected([a!.id, b!.id, d!.id, c!.id])),
    ).toEqual(new Set([a!.id, b!.id, c!.id]));
    // Three followers, two viewers: the viewers are asked about.
    expect(await followersAmong(db().primary, author!.id, connected([a!.id, d!.id]))).toEqual(
      new Set([a!.id]),
    );
    expect(await followersAmong(db().primary, author!.id, connected([]))).toEqual(new Set());
  });
});
