/**
 * Which connected viewers follow an author (the home streams a post reaches): the same answer
 * whichever side the statement walks, the author's followers or the viewers.
 */
import { describe, expect, it } from 'vitest';
import { followAccount } from '../src/follows/index.js';
import {
  followersAmong,
  followersAmongMany,
  type ConnectedAccounts,
} from '../src/streaming/index.js';
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

  it('answers for several authors in one call, each walked on its smaller side', async () => {
    const [quiet, popular, a, b, c, d] = await Promise.all(
      Array.from({ length: 6 }, () => createAccountFixture(db())),
    );
    await followAccount(db(), { accountId: a!.id, targetAccountId: quiet!.id });
    for (const follower of [a!, b!, c!, d!]) {
      await followAccount(db(), { accountId: follower.id, targetAccountId: popular!.id });
    }
    // Two viewers: the quiet author's one follower is read, the popular one's four are not.
    const viewers = connected([a!.id, c!.id]);
    const found = await followersAmongMany(
      db().primary,
      [quiet!.id, popular!.id, b!.id, 'nonsense'],
      viewers,
    );
    expect(found.get(quiet!.id)).toEqual(new Set([a!.id]));
    expect(found.get(popular!.id)).toEqual(new Set([a!.id, c!.id]));
    expect(found.get(b!.id)).toEqual(new Set());
    expect(found.has('nonsense')).toBe(false);
    for (const author of [quiet!, popular!]) {
      expect(await followersAmong(db().primary, author.id, viewers)).toEqual(found.get(author.id));
    }
  });
});
