/**
 * The audience statement asked about several events at once (as the streaming API does for the
 * events waiting in its queue) answers for each exactly what it answers alone: visibility per
 * viewer, follows, blocks and mutes, deleted rows only when asked for.
 */
import { expect, it } from 'vitest';
import { issueAccessToken, registerApplication } from '../src/auth/index.js';
import { followAccount } from '../src/follows/index.js';
import { blockAccount, muteAccount } from '../src/safety/index.js';
import {
  bookmarkStatus,
  createStatus,
  deleteStatus,
  favouriteStatus,
  reblogStatus,
} from '../src/statuses/index.js';
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

/** A `read` token for each account, as token id → account id. */
async function readTokens(accounts: { id: string }[]): Promise<Map<string, string>> {
  const { application } = await registerApplication(db(), {
    name: 'stream',
    website: null,
    redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
    scopes: ['read'],
  });
  const accountOf = new Map<string, string>();
  for (const account of accounts) {
    const { token } = await issueAccessToken(db(), {
      applicationId: application.id,
      accountId: account.id,
      scopes: ['read'],
    });
    accountOf.set(token.id, account.id);
  }
  return accountOf;
}

it('answers for several statuses and viewers in one call what each call answers alone', async () => {
  const [alice, bob, carol, dave, mallory] = await Promise.all(
    Array.from({ length: 5 }, () => createAccountFixture(db())),
  );
  await followAccount(db(), { accountId: bob!.id, targetAccountId: alice!.id });
  await followAccount(db(), { accountId: dave!.id, targetAccountId: alice!.id });
  await muteAccount(db(), { accountId: dave!.id, targetAccountId: carol!.id });
  await blockAccount(db(), { accountId: carol!.id, targetAccountId: mallory!.id });
  const tokenOf = new Map(
    [...(await readTokens([alice!, bob!, carol!, dave!, mallory!]))].map(([token, account]) => [
      account,
      token,
    ]),
  );
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

it("gives each viewer its own flags, on a status and on the post a boost carries, and no one else's", async () => {
  // The statement asks for a viewer's flags only when the status has interactions (or the viewer
  // bookmarked it): this pins that the guard lets every kind of flag through, for the boosted
  // post too, and keeps the others' views flagless.
  const [author, booster, fan, saver, plain] = await Promise.all(
    Array.from({ length: 5 }, () => createAccountFixture(db())),
  );
  const tokenOf = await readTokens([author!, booster!, fan!, saver!, plain!]);
  const original = await createStatus(db(), { accountId: author!.id, text: 'worth keeping' });
  const quiet = await createStatus(db(), { accountId: author!.id, text: 'nobody noticed' });
  await favouriteStatus(db(), { accountId: fan!.id, statusId: original.id });
  await bookmarkStatus(db(), { accountId: saver!.id, statusId: original.id });
  await bookmarkStatus(db(), { accountId: saver!.id, statusId: quiet.id });
  const boost = await reblogStatus(db(), { accountId: booster!.id, statusId: original.id });
  const tokenIds = [...tokenOf.keys()];
  const [ofOriginal, ofBoost, ofQuiet] = await streamingAudiences(db().primary, [
    { statusId: original.id, tokenIds, followedAccountId: author!.id },
    { statusId: boost.id, tokenIds, followedAccountId: booster!.id },
    { statusId: quiet.id, tokenIds, followedAccountId: author!.id },
  ]);
  const flagsOf = (audience: StreamingAudience, through: 'status' | 'reblog') =>
    Object.fromEntries(
      audience.viewers.map((viewer) => {
        const status = through === 'status' ? viewer.status : viewer.status?.reblog;
        return [
          tokenOf.get(viewer.tokenId),
          `${status?.favourited}/${status?.reblogged}/${status?.bookmarked}`,
        ];
      }),
    );
  const expected = {
    [author!.id]: 'false/false/false',
    [booster!.id]: 'false/true/false',
    [fan!.id]: 'true/false/false',
    [saver!.id]: 'false/false/true',
    [plain!.id]: 'false/false/false',
  };
  expect(flagsOf(ofOriginal!, 'status')).toEqual(expected);
  expect(flagsOf(ofBoost!, 'reblog')).toEqual(expected);
  expect(flagsOf(ofQuiet!, 'status')).toEqual({
    ...Object.fromEntries(Object.keys(expected).map((id) => [id, 'false/false/false'])),
    [saver!.id]: 'false/false/true',
  });
});
