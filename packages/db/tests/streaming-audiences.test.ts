/**
 * The audience statement asked about several events at once (as the streaming API does for the
 * events waiting in its queue) answers for each exactly what it answers alone: visibility per
 * viewer, follows, blocks and mutes, deleted rows only when asked for.
 */
import { expect, it } from 'vitest';
import { issueAccessToken, registerApplication } from '../src/auth/index.js';
import { followAccount } from '../src/follows/index.js';
import { blockAccount, muteAccount } from '../src/safety/index.js';
import { createStatus, deleteStatus } from '../src/statuses/index.js';
import {
  streamingAudience,
  streamingAudiences,
  type AudienceRequest,
  type StreamingAudience,
} from '../src/streaming/index.js';
import { createAccountFixture, useTestDatabase } from '../src/testing/index.js';

const testDb = useTestDatabase();
const db = () => testDb.database;

/** Who may read, who follows, and what each would be shown, in a stable order. */
function summary(audience: StreamingAudience) {
  return {
    anonymous: audience.anonymous?.id ?? null,
    viewers: audience.viewers
      .map((viewer) => ({
        viewerId: viewer.viewerId,
        mayRead: viewer.mayRead,
        followsAccount: viewer.followsAccount,
        shown: viewer.status?.id ?? null,
      }))
      .sort((a, b) => a.viewerId!.localeCompare(b.viewerId!)),
  };
}

it('answers for several statuses and viewers in one call what each call answers alone', async () => {
  const [alice, bob, carol, dave, mallory] = await Promise.all(
    Array.from({ length: 5 }, () => createAccountFixture(db())),
  );
  await followAccount(db(), { accountId: bob!.id, targetAccountId: alice!.id });
  await followAccount(db(), { accountId: dave!.id, targetAccountId: alice!.id });
  await muteAccount(db(), { accountId: dave!.id, targetAccountId: carol!.id });
  await blockAccount(db(), { accountId: carol!.id, targetAccountId: mallory!.id });
  const { application } = await registerApplication(db(), {
    name: 'stream',
    website: null,
    redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
    scopes: ['read'],
  });
  const tokenOf = new Map<string, string>();
  for (const account of [alice!, bob!, carol!, dave!, mallory!]) {
    const { token } = await issueAccessToken(db(), {
      applicationId: application.id,
      accountId: account.id,
      scopes: ['read'],
    });
    tokenOf.set(account.id, token.id);
  }
  const everyone = [...tokenOf.values()];
  const followersOnly = await createStatus(db(), {
    accountId: alice!.id,
    text: 'for followers',
    visibility: 'private',
  });
  const publicPost = await createStatus(db(), { accountId: carol!.id, text: 'for all' });
  const deleted = await createStatus(db(), { accountId: alice!.id, text: 'soon gone' });
  await deleteStatus(db(), { accountId: alice!.id, statusId: deleted.id });

  const requests: AudienceRequest[] = [
    { statusId: followersOnly.id, tokenIds: everyone, followedAccountId: alice!.id },
    { statusId: publicPost.id, tokenIds: everyone, followedAccountId: carol!.id },
    { statusId: deleted.id, tokenIds: everyone, followedAccountId: alice!.id },
    {
      statusId: deleted.id,
      tokenIds: [tokenOf.get(bob!.id)!],
      followedAccountId: alice!.id,
      includeDeleted: true,
    },
    // Hostile or stale input answers nobody, without failing the others.
    { statusId: 'nonsense', tokenIds: everyone, followedAccountId: alice!.id },
  ];
  const together = await streamingAudiences(db().primary, requests);
  const alone = await Promise.all(
    requests.map((request) => streamingAudience(db().primary, request)),
  );
  expect(together.map(summary)).toEqual(alone.map(summary));

  const [privateAudience, publicAudience, deletedAudience, deletedForDelete, nonsense] =
    together.map(summary);
  // Followers-only: the author and her followers read it; Carol and Mallory do not.
  expect(privateAudience!.anonymous).toBeNull();
  expect(
    privateAudience!.viewers.filter((viewer) => viewer.shown !== null).map((v) => v.viewerId),
  ).toEqual([alice!.id, bob!.id, dave!.id].sort((a, b) => a.localeCompare(b)));
  // Public: everyone reads it, but Dave muted Carol and Mallory is blocked by her.
  expect(publicAudience!.anonymous).toBe(publicPost.id);
  expect(
    publicAudience!.viewers.filter((viewer) => viewer.shown !== null).map((v) => v.viewerId),
  ).toEqual([alice!.id, bob!.id, carol!.id].sort((a, b) => a.localeCompare(b)));
  expect(
    publicAudience!.viewers.find((viewer) => viewer.viewerId === carol!.id)!.followsAccount,
  ).toBe(false);
  // Deleted: nobody, unless a delete is being addressed.
  expect(deletedAudience!.viewers.every((viewer) => !viewer.mayRead)).toBe(true);
  expect(deletedForDelete!.viewers).toEqual([
    { viewerId: bob!.id, mayRead: true, followsAccount: true, shown: null },
  ]);
  expect(nonsense).toEqual({ anonymous: null, viewers: [] });
});
