/**
 * Polls: the rules of a new poll, the rules of a vote, the counts, and the end of a poll — one
 * PollEnded per poll however many workers claim at once, and a `poll` notification to the author
 * and every voter.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createStatus, endDuePolls, findVisiblePoll, voteInPoll } from '../src/statuses/index.js';
import { followAccount } from '../src/follows/index.js';
import { listNotifications } from '../src/notifications/index.js';
import { validatePoll } from '../src/operations/polls/index.js';
import {
  createAccountFixture,
  deliverNotifications,
  outboxEvents,
  useTestDatabase,
} from '../src/testing/index.js';

const testDb = useTestDatabase();

async function postPoll(
  accountId: string,
  poll: { options: string[]; multiple?: boolean; hideTotals?: boolean },
  visibility: 'public' | 'private' = 'public',
) {
  const created = await createStatus(testDb.database, {
    accountId,
    text: 'Which one?',
    visibility,
    poll: { expiresIn: 600, ...poll },
  });
  return created.view.poll!;
}

/** Makes a poll's time run out. */
async function expire(pollId: string): Promise<void> {
  await testDb.database.primary.execute(
    sql`update polls set expires_at = now() - interval '1 second' where id = ${pollId}`,
  );
}

describe('validatePoll', () => {
  it('accepts 2 to 4 distinct options of at most 50 characters, lasting 5 minutes to a month', () => {
    expect(validatePoll({ options: [' tea ', 'coffee'], expiresIn: 300 })).toEqual({
      options: ['tea', 'coffee'],
      expiresInSeconds: 300,
      multiple: false,
      hideTotals: false,
    });
    const bad = [
      { options: ['only one'], expiresIn: 600 },
      { options: ['a', 'b', 'c', 'd', 'e'], expiresIn: 600 },
      { options: ['a', 'a'], expiresIn: 600 },
      { options: ['a', '  '], expiresIn: 600 },
      { options: ['a', 'x'.repeat(51)], expiresIn: 600 },
      { options: ['a', 'x'.repeat(1_000_000)], expiresIn: 600 },
      { options: ['a', 'b'], expiresIn: 299 },
      { options: ['a', 'b'], expiresIn: 2_629_747 },
      { options: ['a', 'b'], expiresIn: 600.5 },
    ];
    for (const input of bad) {
      expect(() => validatePoll(input)).toThrow(expect.objectContaining({ code: 'InvalidField' }));
    }
  });
});

describe('voteInPoll', () => {
  it('counts one vote per account, shows the voter its choices, and refuses what Mastodon refuses', async () => {
    const db = testDb.database;
    const author = await createAccountFixture(db);
    const voter = await createAccountFixture(db);
    const other = await createAccountFixture(db);
    const single = await postPoll(author.id, { options: ['tea', 'coffee', 'water'] });
    expect(single).toMatchObject({ votesCount: 0, optionVotes: [0, 0, 0], ownVotes: [] });

    const voted = await voteInPoll(db, { accountId: voter.id, pollId: single.id, choices: [1] });
    expect(voted).toMatchObject({
      votesCount: 1,
      votersCount: 1,
      optionVotes: [0, 1, 0],
      ownVotes: [1],
    });
    const refusals: [string, number[]][] = [
      [voter.id, [2]], // once per account
      [other.id, [0, 1]], // one choice only
      [other.id, [3]], // no such option
      [other.id, []],
      [author.id, [0]], // not in one's own poll
    ];
    for (const [accountId, choices] of refusals) {
      await expect(voteInPoll(db, { accountId, pollId: single.id, choices })).rejects.toMatchObject(
        { code: 'InvalidField' },
      );
    }

    const multiple = await postPoll(author.id, {
      options: ['red', 'green', 'blue'],
      multiple: true,
    });
    await expect(
      voteInPoll(db, { accountId: voter.id, pollId: multiple.id, choices: [0, 0] }),
    ).rejects.toMatchObject({ code: 'InvalidField' });
    await voteInPoll(db, { accountId: voter.id, pollId: multiple.id, choices: [0, 2] });
    const after = await voteInPoll(db, {
      accountId: other.id,
      pollId: multiple.id,
      choices: [2],
    });
    expect(after).toMatchObject({ votesCount: 3, votersCount: 2, optionVotes: [1, 0, 2] });

    await expire(multiple.id);
    const late = await createAccountFixture(db);
    await expect(
      voteInPoll(db, { accountId: late.id, pollId: multiple.id, choices: [1] }),
    ).rejects.toMatchObject({ code: 'InvalidField', message: expect.stringMatching(/ended/) });
    const events = await outboxEvents(db, ['PollVoted']);
    expect(events.filter((e) => e.data.pollId === multiple.id)).toHaveLength(2);
  });

  it('is "not found" for a poll the voter cannot see, and shows own votes only to a viewer', async () => {
    const db = testDb.database;
    const author = await createAccountFixture(db);
    const stranger = await createAccountFixture(db);
    const follower = await createAccountFixture(db);
    await followAccount(db, { accountId: follower.id, targetAccountId: author.id });
    const poll = await postPoll(author.id, { options: ['yes', 'no'] }, 'private');
    await expect(
      voteInPoll(db, { accountId: stranger.id, pollId: poll.id, choices: [0] }),
    ).rejects.toMatchObject({ code: 'StatusNotFound' });
    await voteInPoll(db, { accountId: follower.id, pollId: poll.id, choices: [0] });
    expect(await findVisiblePoll(db.primary, poll.id, stranger.id)).toBeNull();
    expect((await findVisiblePoll(db.primary, poll.id, follower.id))?.ownVotes).toEqual([0]);
  });
});

describe('endDuePolls', () => {
  it('ends each poll exactly once with two claimers at the same moment, and notifies the author and every voter', async () => {
    const db = testDb.database;
    const author = await createAccountFixture(db);
    const voters = await Promise.all([1, 2, 3].map(() => createAccountFixture(db)));
    const polls = await Promise.all(
      Array.from({ length: 6 }, () => postPoll(author.id, { options: ['a', 'b'] })),
    );
    for (const [i, voter] of voters.entries()) {
      await voteInPoll(db, { accountId: voter.id, pollId: polls[0]!.id, choices: [i % 2] });
    }
    const running = await postPoll(author.id, { options: ['later', 'never'] });
    for (const poll of polls) await expire(poll.id);

    // Small batches, so the two claimers interleave over the six polls.
    const claimers = [0, 1].map(async () => {
      let ended = 0;
      for (let n = 1; n > 0;) ended += n = await endDuePolls(db, { limit: 2 });
      return ended;
    });
    const counts = await Promise.all(claimers);
    expect(counts[0]! + counts[1]!).toBeGreaterThanOrEqual(6);
    expect(await endDuePolls(db)).toBe(0);

    const ended = (await outboxEvents(db, ['PollEnded'])).map((e) => e.data.pollId);
    const mine = ended.filter((id) => polls.some((p) => p.id === id));
    expect(mine.sort()).toEqual(polls.map((p) => p.id).sort());
    expect(ended).not.toContain(running.id);

    await deliverNotifications(db);
    await deliverNotifications(db);
    for (const voter of voters) {
      const seen = await listNotifications(db.primary, voter.id, { limit: 40 });
      expect(seen.map((n) => [n.type, n.account.id])).toEqual([['poll', author.id]]);
    }
    const authorSees = await listNotifications(db.primary, author.id, { limit: 40 });
    expect(authorSees.filter((n) => n.type === 'poll')).toHaveLength(6);
  });
});
