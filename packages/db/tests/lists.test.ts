/**
 * Lists: private to their owner, members only among the accounts the owner follows, a timeline
 * filled by the same fan-out as the home feed, Mastodon's replies policies, and exclusive lists
 * whose members' posts leave the home timeline.
 */
import { describe, expect, it } from 'vitest';
import { createDatabase, isDomainError } from '../src/index.js';
import {
  addListAccounts,
  createList,
  deleteList,
  listMembers,
  listsHoldingAccount,
  listsOf,
  listTimeline,
  removeListAccounts,
  updateList,
} from '../src/feeds/index.js';
import { createStatus, deleteStatus, reblogStatus } from '../src/statuses/index.js';
import { followAccount, unfollowAccount } from '../src/follows/index.js';
import { homeTimeline } from '../src/timelines/index.js';
import { muteAccount } from '../src/safety/index.js';
import {
  applyPendingFeedEvents,
  createAccountFixture,
  preparedPlans,
  useTestDatabase,
} from '../src/testing/index.js';

const testDb = useTestDatabase();
const db = () => testDb.database;

const accounts = (n: number) =>
  Promise.all(Array.from({ length: n }, () => createAccountFixture(db())));

const follow = (accountId: string, targetAccountId: string) =>
  followAccount(db(), { accountId, targetAccountId });

const listIds = async (ownerId: string, listId: string) =>
  (await listTimeline(db().primary, ownerId, listId, { limit: 20 })).map((s) => s.id);

const homeIds = async (readerId: string) =>
  (await homeTimeline(db(), readerId, { limit: 20 })).map((s) => s.id);

async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (isDomainError(error)) return error.code;
    throw error;
  }
}

describe('lists', () => {
  it('are created, renamed and deleted by their owner only, with valid titles', async () => {
    const [owner, other] = await accounts(2);
    const list = await createList(db(), { accountId: owner!.id, title: '  Friends ' });
    expect(list).toMatchObject({ title: 'Friends', repliesPolicy: 'list', exclusive: false });
    expect(await errorCode(createList(db(), { accountId: owner!.id, title: '   ' }))).toBe(
      'InvalidField',
    );
    expect(
      await errorCode(createList(db(), { accountId: owner!.id, title: 'x', repliesPolicy: 'all' })),
    ).toBe('InvalidField');
    const renamed = await updateList(db(), {
      accountId: owner!.id,
      listId: list.id,
      title: 'Close friends',
      exclusive: true,
    });
    expect(renamed).toMatchObject({
      title: 'Close friends',
      repliesPolicy: 'list',
      exclusive: true,
    });
    // Someone else's list does not exist for them.
    expect(
      await errorCode(updateList(db(), { accountId: other!.id, listId: list.id, title: 'mine' })),
    ).toBe('ListNotFound');
    expect(await errorCode(deleteList(db(), { accountId: other!.id, listId: list.id }))).toBe(
      'ListNotFound',
    );
    expect((await listsOf(db().primary, owner!.id)).map((l) => l.title)).toEqual(['Close friends']);
    await deleteList(db(), { accountId: owner!.id, listId: list.id });
    expect(await listsOf(db().primary, owner!.id)).toEqual([]);
  });

  it('hold only accounts the owner follows, each once; an unfollow takes them out', async () => {
    const [owner, friend, stranger] = await accounts(3);
    await follow(owner!.id, friend!.id);
    const list = await createList(db(), { accountId: owner!.id, title: 'Friends' });
    const add = (ids: string[]) =>
      addListAccounts(db(), { accountId: owner!.id, listId: list.id, accountIds: ids });
    expect(await errorCode(add([stranger!.id]))).toBe('AccountNotFound');
    await add([friend!.id]);
    expect(await errorCode(add([friend!.id]))).toBe('InvalidField');
    const members = await listMembers(db().primary, owner!.id, list.id, { limit: 40 });
    expect(members.accounts.map((a) => a.id)).toEqual([friend!.id]);
    expect(
      (await listsHoldingAccount(db().primary, owner!.id, friend!.id)).map((l) => l.id),
    ).toEqual([list.id]);
    await unfollowAccount(db(), { accountId: owner!.id, targetAccountId: friend!.id });
    expect((await listMembers(db().primary, owner!.id, list.id, { limit: 40 })).accounts).toEqual(
      [],
    );
  });

  it('a list timeline shows a new member’s recent posts at once and later posts through the fan-out', async () => {
    const [owner, member, other] = await accounts(3);
    await follow(owner!.id, member!.id);
    await follow(owner!.id, other!.id);
    const before = await createStatus(db(), { accountId: member!.id, text: 'before' });
    const list = await createList(db(), { accountId: owner!.id, title: 'One' });
    await addListAccounts(db(), {
      accountId: owner!.id,
      listId: list.id,
      accountIds: [member!.id],
    });
    expect(await listIds(owner!.id, list.id)).toEqual([before.id]);
    const later = await createStatus(db(), { accountId: member!.id, text: 'later' });
    await createStatus(db(), { accountId: other!.id, text: 'not a member' });
    await applyPendingFeedEvents(db());
    expect(await listIds(owner!.id, list.id)).toEqual([later.id, before.id]);
    await deleteStatus(db(), { accountId: member!.id, statusId: later.id });
    await applyPendingFeedEvents(db());
    expect(await listIds(owner!.id, list.id)).toEqual([before.id]);
    // Only its owner reads it.
    expect(await errorCode(listTimeline(db().primary, other!.id, list.id, { limit: 20 }))).toBe(
      'ListNotFound',
    );
    await removeListAccounts(db(), {
      accountId: owner!.id,
      listId: list.id,
      accountIds: [member!.id],
    });
    expect(await listIds(owner!.id, list.id)).toEqual([]);
  });

  it('follows Mastodon’s replies policies', async () => {
    const [owner, member, otherMember, followedOutside, stranger] = await accounts(5);
    for (const target of [member!, otherMember!, followedOutside!])
      await follow(owner!.id, target.id);
    const lists = {
      followed: await createList(db(), {
        accountId: owner!.id,
        title: 'f',
        repliesPolicy: 'followed',
      }),
      list: await createList(db(), { accountId: owner!.id, title: 'l', repliesPolicy: 'list' }),
      none: await createList(db(), { accountId: owner!.id, title: 'n', repliesPolicy: 'none' }),
    };
    for (const list of Object.values(lists)) {
      await addListAccounts(db(), {
        accountId: owner!.id,
        listId: list.id,
        accountIds: [member!.id, otherMember!.id],
      });
    }
    const root = async (author: { id: string }) =>
      createStatus(db(), { accountId: author.id, text: 'root' });
    const [ofOtherMember, ofOutside, ofStranger, ofOwner] = [
      await root(otherMember!),
      await root(followedOutside!),
      await root(stranger!),
      await root(owner!),
    ];
    const reply = (to: { id: string }) =>
      createStatus(db(), { accountId: member!.id, text: 'reply', inReplyToId: to.id });
    const toMember = await reply(ofOtherMember);
    const toOutside = await reply(ofOutside);
    const toStranger = await reply(ofStranger);
    const toOwner = await reply(ofOwner);
    await applyPendingFeedEvents(db());
    const shown = async (listId: string) =>
      (await listIds(owner!.id, listId)).filter((id) =>
        [toMember.id, toOutside.id, toStranger.id, toOwner.id].includes(id),
      );
    expect(await shown(lists.followed.id)).toEqual([toOwner.id, toOutside.id, toMember.id]);
    expect(await shown(lists.list.id)).toEqual([toOwner.id, toMember.id]);
    expect(await shown(lists.none.id)).toEqual([toOwner.id]);
  });

  it('an exclusive list keeps its members’ posts out of the home timeline', async () => {
    const [owner, member, other] = await accounts(3);
    await follow(owner!.id, member!.id);
    await follow(owner!.id, other!.id);
    const list = await createList(db(), { accountId: owner!.id, title: 'x', exclusive: true });
    await addListAccounts(db(), {
      accountId: owner!.id,
      listId: list.id,
      accountIds: [member!.id],
    });
    const fromMember = await createStatus(db(), { accountId: member!.id, text: 'in the list' });
    const fromOther = await createStatus(db(), { accountId: other!.id, text: 'in the home' });
    await applyPendingFeedEvents(db());
    expect(await homeIds(owner!.id)).toEqual([fromOther.id]);
    expect(await listIds(owner!.id, list.id)).toEqual([fromMember.id]);
    // Not exclusive any more: their next posts are in the home again.
    await updateList(db(), { accountId: owner!.id, listId: list.id, exclusive: false });
    const next = await createStatus(db(), { accountId: member!.id, text: 'everywhere' });
    await applyPendingFeedEvents(db());
    expect(await homeIds(owner!.id)).toContain(next.id);
  });

  it('the fan-out keeps an exclusive list’s members out of its owner’s feed only', async () => {
    const [exclusiveOwner, plainOwner, follower, member, other, stranger] = await accounts(6);
    for (const reader of [exclusiveOwner!, plainOwner!, follower!]) {
      await follow(reader.id, member!.id);
      await follow(reader.id, other!.id);
    }
    for (const [owner, exclusive] of [
      [exclusiveOwner!, true],
      [plainOwner!, false],
    ] as const) {
      const list = await createList(db(), { accountId: owner.id, title: 'x', exclusive });
      await addListAccounts(db(), {
        accountId: owner.id,
        listId: list.id,
        accountIds: [member!.id],
      });
    }
    // Built feeds, so that what follows is the fan-out's work, not a build from the pull query.
    for (const reader of [exclusiveOwner!, plainOwner!, follower!]) await homeIds(reader.id);
    const elsewhere = await createStatus(db(), { accountId: other!.id, text: 'not listed' });
    const original = await createStatus(db(), { accountId: stranger!.id, text: 'boosted' });
    const post = await createStatus(db(), { accountId: member!.id, text: 'a member’s post' });
    // A boost takes the chunked path (`fanOutStatus`), a post the batched one.
    const boost = await reblogStatus(db(), { accountId: member!.id, statusId: original.id });
    await applyPendingFeedEvents(db());
    const feedRows = async (readerId: string) =>
      (
        await db().pool.query<{ id: string }>(
          'select status_id::text as id from home_feed_entries where account_id = $1',
          [readerId],
        )
      ).rows.map((r) => r.id);
    expect(await feedRows(exclusiveOwner!.id)).toEqual([elsewhere.id]);
    for (const reader of [plainOwner!, follower!]) {
      expect((await feedRows(reader.id)).sort()).toEqual([elsewhere.id, post.id, boost.id].sort());
    }
  });

  it('hide what the owner muted: a member boosting a muted account is not shown', async () => {
    const [owner, member, muted] = await accounts(3);
    await follow(owner!.id, member!.id);
    const list = await createList(db(), { accountId: owner!.id, title: 'Muted boosts' });
    await addListAccounts(db(), {
      accountId: owner!.id,
      listId: list.id,
      accountIds: [member!.id],
    });
    await muteAccount(db(), { accountId: owner!.id, targetAccountId: muted!.id });
    const original = await createStatus(db(), {
      accountId: muted!.id,
      text: 'from a muted account',
    });
    const boost = await reblogStatus(db(), { accountId: member!.id, statusId: original.id });
    const own = await createStatus(db(), { accountId: member!.id, text: 'the member’s own post' });
    await applyPendingFeedEvents(db());
    const ids = await listIds(owner!.id, list.id);
    expect(ids).toContain(own.id);
    expect(ids).not.toContain(boost.id);
  });

  it('a list’s page is one prepared statement on the connection, whatever the list', async () => {
    // Planned for every page, the hydrated statement took longer to plan than to run (10 ms a
    // page against 2.5–3.3 ms prepared on the benchmark's data, bench README session 12).
    const [owner, member] = await accounts(2);
    await follow(owner!.id, member!.id);
    await createStatus(db(), { accountId: member!.id, text: 'listed' });
    const lists = [];
    for (const title of ['A', 'B', 'C']) {
      const list = await createList(db(), { accountId: owner!.id, title });
      await addListAccounts(db(), {
        accountId: owner!.id,
        listId: list.id,
        accountIds: [member!.id],
      });
      lists.push(list.id);
    }
    const single = createDatabase({ url: testDb.url, poolSize: 1 });
    try {
      for (let i = 0; i < 9; i++) {
        expect(
          await listTimeline(single.primary, owner!.id, lists[i % 3]!, { limit: 20 }),
        ).toHaveLength(1);
      }
      const plans = await preparedPlans(single, 'from list_feed_entries e');
      expect(plans.map((plan) => plan.generic + plan.custom)).toEqual([9]);
    } finally {
      await single.close();
    }
  });
});
