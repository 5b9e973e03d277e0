/**
 * The rules of the everyday operations that the API tests do not reach: the featured-hashtag limit,
 * hashtag names, a hashtag created by many at once, and what an event carries.
 */
import { describe, expect, it } from 'vitest';
import { DomainError } from '../src/index.js';
import { featureTag, followTag, hashtagName, MAX_FEATURED_TAGS } from '../src/tags/index.js';
import { setAccountNote } from '../src/follows/index.js';
import { createAccountFixture, outboxEvents, useTestDatabase } from '../src/testing/index.js';

const testDb = useTestDatabase();

describe('hashtagName', () => {
  it('normalizes what posts would recognise as a hashtag, and refuses anything else', () => {
    expect(hashtagName('#Café')).toEqual({ name: 'café', displayName: 'Café' });
    expect(hashtagName('ｃａｆé')).toEqual({ name: 'café', displayName: 'ｃａｆé' });
    for (const bad of ['', '#', 'two words', 'rust-lang', '123', 'x'.repeat(101)]) {
      expect(hashtagName(bad)).toBeNull();
    }
  });
});

describe('featureTag', () => {
  it(`features at most ${MAX_FEATURED_TAGS} hashtags, the same one once, with its event`, async () => {
    const account = await createAccountFixture(testDb.database);
    for (let i = 0; i < MAX_FEATURED_TAGS; i++) {
      await featureTag(testDb.database, {
        accountId: account.id,
        name: `tag${i}`,
        requestId: 'r1',
      });
    }
    const again = await featureTag(testDb.database, { accountId: account.id, name: 'TAG0' });
    expect(again.featuredTagId).toMatch(/^\d+$/);
    await expect(
      featureTag(testDb.database, { accountId: account.id, name: 'onetoomany' }),
    ).rejects.toThrow(DomainError);
    const events = await outboxEvents(testDb.database, ['TagFeatured']);
    const mine = events.filter((e) => e.data.accountId === account.id);
    expect(mine).toHaveLength(MAX_FEATURED_TAGS);
    expect(mine[0]!).toMatchObject({ requestId: 'r1', data: { tag: 'tag0' } });
  });
});

describe('followTag', () => {
  it('creates a new hashtag once when many follow it at the same moment', async () => {
    const accounts = await Promise.all(
      Array.from({ length: 8 }, () => createAccountFixture(testDb.database)),
    );
    const followed = await Promise.all(
      accounts.map((a) => followTag(testDb.database, { accountId: a.id, name: 'RaceTag' })),
    );
    expect(new Set(followed.map((f) => f.tagId)).size).toBe(1);
    expect(followed[0]!.name).toBe('racetag');
  });
});

describe('setAccountNote', () => {
  it('refuses a note over 2000 characters and an unknown account', async () => {
    const [author, target] = await Promise.all([
      createAccountFixture(testDb.database),
      createAccountFixture(testDb.database),
    ]);
    await expect(
      setAccountNote(testDb.database, {
        accountId: author.id,
        targetAccountId: target.id,
        comment: '🐘'.repeat(2001),
      }),
    ).rejects.toMatchObject({ code: 'InvalidField' });
    await setAccountNote(testDb.database, {
      accountId: author.id,
      targetAccountId: target.id,
      comment: '🐘'.repeat(2000),
    });
    await expect(
      setAccountNote(testDb.database, { accountId: author.id, targetAccountId: '1', comment: 'x' }),
    ).rejects.toMatchObject({ code: 'AccountNotFound' });
  });
});
