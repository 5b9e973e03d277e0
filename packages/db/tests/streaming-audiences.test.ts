/**
 * The audience statement asked about several events at once (as the streaming API does for the
 * events waiting in its queue) answers for each exactly what it answers alone: visibility per
 * viewer, follows, blocks and mutes, deleted rows only when asked for. It reads the rules from the
 * status's side (`visibleToGiven`, `accountsExcluding`); these tests hold it to what the REST reads
 * (`visibleTo`, `excludedAccountIds`) answer for each viewer.
 */
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { issueAccessToken, registerApplication } from '../src/auth/index.js';
import { queryRows } from '../src/client.js';
import { receiveRemoteStatus, upsertRemoteAccount } from '../src/federation/index.js';
import { followAccount } from '../src/follows/index.js';
import { visibleTo } from '../src/operations/visibility.js';
import { notExcludedFor } from '../src/queries/exclusions.js';
import { blockAccount, blockDomain, createFilter, muteAccount } from '../src/safety/index.js';
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
import {
  createAccountFixture,
  remoteAccountFixture,
  remoteStatusFixture,
  useTestDatabase,
} from '../src/testing/index.js';

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

/** A `read` token for each account (null: an app token), as token id → account id. */
async function readTokens(
  accounts: ({ id: string } | null)[],
): Promise<Map<string, string | null>> {
  const { application } = await registerApplication(db(), {
    name: 'stream',
    website: null,
    redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
    scopes: ['read'],
  });
  const accountOf = new Map<string, string | null>();
  for (const account of accounts) {
    const { token } = await issueAccessToken(db(), {
      applicationId: application.id,
      accountId: account?.id ?? null,
      scopes: ['read'],
    });
    accountOf.set(token.id, account?.id ?? null);
  }
  return accountOf;
}

/** What the REST reads answer to `viewerId` for the status: may it read it, would a timeline show it. */
async function restAnswer(statusId: string, viewerId: string | null) {
  const [row] = await queryRows<{ mayRead: boolean; shown: boolean }>(
    db().primary,
    sql`select exists(select 1 from statuses where statuses.id = ${statusId}
        and statuses.deleted_at is null and ${visibleTo(viewerId)}) as "mayRead",
      (select ${notExcludedFor('s', viewerId, { mutes: true })} from statuses s
        where s.id = ${statusId}) as "shown"`,
  );
  return { mayRead: row!.mayRead, shown: row!.mayRead && row!.shown };
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
      account!,
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
  // A bookmark is the only interaction with `quiet`: it still reaches the one who made it.
  expect(flagsOf(ofQuiet!, 'status')).toEqual({
    ...Object.fromEntries(Object.keys(expected).map((id) => [id, 'false/false/false'])),
    [saver!.id]: 'false/false/true',
  });
});

it('agrees with the REST rules for every viewer: blocks either way, mutes in force or expired, domain blocks, boosts of an excluded author, mentions, followers, an app token', async () => {
  const accounts = await Promise.all(Array.from({ length: 12 }, () => createAccountFixture(db())));
  const [author, booster, follower, mentioned, blocksAuthor, blockedByAuthor] = accounts;
  const [mutesAuthor, muteExpired, muteUntilLater, blocksRemoteServer, blocksBooster, plain] =
    accounts.slice(6);
  const remote = await upsertRemoteAccount(db(), remoteAccountFixture({ domain: 'far.example' }));
  await followAccount(db(), { accountId: follower!.id, targetAccountId: author!.id });
  await blockAccount(db(), { accountId: blocksAuthor!.id, targetAccountId: author!.id });
  await blockAccount(db(), { accountId: author!.id, targetAccountId: blockedByAuthor!.id });
  await muteAccount(db(), { accountId: mutesAuthor!.id, targetAccountId: author!.id });
  const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
  await muteAccount(db(), {
    accountId: muteExpired!.id,
    targetAccountId: author!.id,
    durationSeconds: 3600,
    now: twoDaysAgo,
  });
  await muteAccount(db(), {
    accountId: muteUntilLater!.id,
    targetAccountId: author!.id,
    durationSeconds: 3600,
  });
  await blockDomain(db(), {
    accountId: blocksRemoteServer!.id,
    domain: 'far.example',
    localDomain: 'murmur.test',
  });
  await blockAccount(db(), { accountId: blocksBooster!.id, targetAccountId: booster!.id });

  const publicPost = await createStatus(db(), { accountId: author!.id, text: 'for all' });
  const privatePost = await createStatus(db(), {
    accountId: author!.id,
    text: `for followers and @${mentioned!.username}`,
    visibility: 'private',
  });
  const directPost = await createStatus(db(), {
    accountId: author!.id,
    text: `just for @${mentioned!.username} and @${blockedByAuthor!.username}`,
    visibility: 'direct',
  });
  const boost = await reblogStatus(db(), { accountId: booster!.id, statusId: publicPost.id });
  const { id: remotePost } = await receiveRemoteStatus(
    db(),
    remoteStatusFixture({ accountId: remote }),
  );
  const remoteBoost = await reblogStatus(db(), { accountId: booster!.id, statusId: remotePost });
  const statusIds = [
    publicPost.id,
    privatePost.id,
    directPost.id,
    boost.id,
    remotePost,
    remoteBoost.id,
  ];

  const accountOf = await readTokens([...accounts, null]);
  const tokenIds = [...accountOf.keys()];
  const audiences = await streamingAudiences(
    db().primary,
    statusIds.map((statusId) => ({ statusId, tokenIds, followedAccountId: author!.id })),
  );
  const name = new Map<string | null, string>(
    Object.entries({
      author,
      booster,
      follower,
      mentioned,
      blocksAuthor,
      blockedByAuthor,
      mutesAuthor,
      muteExpired,
      muteUntilLater,
      blocksRemoteServer,
      blocksBooster,
      plain,
    }).map(([key, account]) => [account!.id, key]),
  );
  name.set(null, 'app');
  const notShown: Record<string, string[]> = {};
  for (const [index, audience] of audiences.entries()) {
    expect(audience!.viewers).toHaveLength(tokenIds.length);
    for (const viewer of audience!.viewers) {
      const viewerId = accountOf.get(viewer.tokenId)!;
      const rest = await restAnswer(statusIds[index]!, viewerId);
      expect({ viewer: name.get(viewerId), status: index, mayRead: viewer.mayRead }).toEqual({
        viewer: name.get(viewerId),
        status: index,
        mayRead: rest.mayRead,
      });
      expect({ viewer: name.get(viewerId), status: index, shown: viewer.status !== null }).toEqual({
        viewer: name.get(viewerId),
        status: index,
        shown: rest.shown,
      });
      if (viewer.status === null) (notShown[index] ??= []).push(name.get(viewerId)!);
    }
  }
  // And what those rules are, so that the two cannot agree on a wrong answer.
  const hiddenFromAuthorsExcluders = [
    'blockedByAuthor',
    'blocksAuthor',
    'muteUntilLater',
    'mutesAuthor',
  ];
  expect(notShown[0]!.sort()).toEqual(hiddenFromAuthorsExcluders);
  expect(notShown[1]!.sort()).toEqual(
    [
      ...hiddenFromAuthorsExcluders,
      'app',
      'blocksBooster',
      'blocksRemoteServer',
      'booster',
      'muteExpired',
      'plain',
    ].sort(),
  );
  // Direct: the author and the mentioned; not a mentioned account the author blocks.
  expect(
    audiences[2]!.viewers
      .filter((v) => v.status !== null)
      .map((v) => name.get(accountOf.get(v.tokenId)!))
      .sort(),
  ).toEqual(['author', 'mentioned']);
  // A boost of the author's post: hidden from the author's excluders and the booster's blocker.
  expect(notShown[3]!.sort()).toEqual([...hiddenFromAuthorsExcluders, 'blocksBooster'].sort());
  expect(notShown[4]!.sort()).toEqual(['blocksRemoteServer']);
  expect(notShown[5]!.sort()).toEqual(['blocksBooster', 'blocksRemoteServer']);
});

it("applies each viewer's own filters, and only theirs", async () => {
  const [author, hider, warned, plain] = await Promise.all(
    Array.from({ length: 4 }, () => createAccountFixture(db())),
  );
  await createFilter(db(), {
    accountId: hider!.id,
    title: 'no spoilers',
    context: ['home'],
    action: 'hide',
    keywords: [{ keyword: 'finale' }],
  });
  await createFilter(db(), {
    accountId: warned!.id,
    title: 'careful',
    context: ['public'],
    action: 'warn',
    keywords: [{ keyword: 'finale' }],
  });
  const accountOf = await readTokens([hider!, warned!, plain!]);
  const post = await createStatus(db(), { accountId: author!.id, text: 'the finale was great' });
  const [audience] = await streamingAudiences(db().primary, [
    { statusId: post.id, tokenIds: [...accountOf.keys()], followedAccountId: author!.id },
  ]);
  const of = (account: { id: string }) =>
    audience!.viewers.find((viewer) => accountOf.get(viewer.tokenId) === account.id)!;
  expect(of(hider!).hiddenIn).toEqual({ home: true, public: false });
  expect(of(warned!).hiddenIn).toEqual({ home: false, public: false });
  expect(of(warned!).statusIn.public!.filtered!.map((match) => match.title)).toEqual(['careful']);
  expect(of(warned!).statusIn.home!.filtered).toEqual([]);
  expect(of(plain!).hiddenIn).toEqual({ home: false, public: false });
  expect(of(plain!).statusIn.public!.filtered).toEqual([]);
});
