/**
 * The statements asked for every event (the streaming audience, the home-feed fan-out, the
 * federation inboxes of a post) run on plans cached per connection: after PostgreSQL's five
 * custom plans, one generic plan for any input. Planned for their values instead, they cost
 * PostgreSQL more to plan than to run (the audience statement: 8 ms of planning for 3.5 ms of work
 * an event at 20 posts/s in the streaming benchmark).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { issueAccessToken, registerApplication } from '../src/auth/index.js';
import { createDatabase, type Database } from '../src/client.js';
import { markEventsProcessed, relayOutbox } from '../src/events/index.js';
import { federationInboxes } from '../src/federation/index.js';
import { fanOutStatusesOnce } from '../src/feeds/index.js';
import { followAccount } from '../src/follows/index.js';
import { createStatus, deleteStatus } from '../src/statuses/index.js';
import { streamingAudiences } from '../src/streaming/index.js';
import { createAccountFixture, preparedPlans, useTestDatabase } from '../src/testing/index.js';

const testDb = useTestDatabase();
/** One connection, so that every call runs where the earlier ones prepared the statement. */
let single: Database;

beforeEach(() => {
  single = createDatabase({ url: testDb.url, poolSize: 1 });
});
afterEach(() => single.close());

const plansOf = (fragment: string) => preparedPlans(single, fragment);

async function authorWithFollowers(count: number) {
  const author = await createAccountFixture(testDb.database);
  const followers: { id: string }[] = [];
  for (let i = 0; i < count; i++) {
    const follower = await createAccountFixture(testDb.database);
    await followAccount(testDb.database, { accountId: follower.id, targetAccountId: author.id });
    followers.push(follower);
  }
  return { author, followers };
}

/** Twelve batches of the streaming audience on `database`: one event or several, some viewers or all. */
async function askAudiencesTwelveTimes(database: Database): Promise<void> {
  const { author, followers } = await authorWithFollowers(3);
  const { application } = await registerApplication(testDb.database, {
    name: 'plans',
    website: null,
    redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
    scopes: ['read'],
  });
  const tokens: string[] = [];
  for (const follower of followers) {
    const issued = await issueAccessToken(testDb.database, {
      applicationId: application.id,
      accountId: follower.id,
      scopes: ['read'],
    });
    tokens.push(issued.token.id);
  }
  const statuses: { id: string }[] = [];
  for (let i = 0; i < 6; i++) {
    statuses.push(await createStatus(testDb.database, { accountId: author.id, text: `s${i}` }));
  }
  await deleteStatus(testDb.database, { accountId: author.id, statusId: statuses[5]!.id });
  for (let i = 0; i < 12; i++) {
    // One event or several, some viewers or all, a deleted status read for its `delete`.
    const batch = statuses.slice(0, 1 + (i % 6)).map((status, j) => ({
      statusId: status.id,
      tokenIds: tokens.slice(0, 1 + ((i + j) % 3)),
      followedAccountId: author.id,
      includeDeleted: status.id === statuses[5]!.id,
    }));
    const audiences = await streamingAudiences(database.primary, batch);
    expect(audiences).toHaveLength(batch.length);
    expect(audiences[0]!.viewers[0]).toMatchObject({ mayRead: true, followsAccount: true });
  }
}

it('the streaming audience: one plan for any batch of events and viewers', async () => {
  await askAudiencesTwelveTimes(single);
  expect(await plansOf('with asked as materialized')).toEqual([{ generic: 7, custom: 5 }]);
});

it('on a pool of generic plans (the streaming fan-out of the API), the audience is never planned for its values', async () => {
  await single.close();
  single = createDatabase({ url: testDb.url, poolSize: 1, plans: 'generic' });
  await askAudiencesTwelveTimes(single);
  expect(await plansOf('with asked as materialized')).toEqual([{ generic: 12, custom: 0 }]);
});

it('the home-feed fan-out: one plan for any batch of posts', async () => {
  const { author, followers } = await authorWithFollowers(2);
  for (let i = 0; i < 12; i++) {
    const posts: { eventId: string; statusId: string }[] = [];
    for (let j = 0; j <= i % 3; j++) {
      const status = await createStatus(testDb.database, { accountId: author.id, text: `p${i}` });
      posts.push({ eventId: randomUUID(), statusId: status.id });
    }
    const outcomes = await fanOutStatusesOnce(single, 'plans-test', posts);
    expect([...outcomes.values()].every((outcome) => outcome === 'done')).toBe(true);
  }
  const { rows } = await testDb.database.pool.query<{ n: number }>(
    'select count(*)::int as n from home_feed_entries where account_id = $1',
    [followers[0]!.id],
  );
  expect(rows[0]!.n).toBe(24);
  expect(await plansOf('insert into processed_events')).toEqual([{ generic: 7, custom: 5 }]);
});

it('the inboxes of a post: one plan whatever parts of the question are asked', async () => {
  const { author } = await authorWithFollowers(1);
  const mentioned = await createAccountFixture(testDb.database);
  const status = await createStatus(testDb.database, { accountId: author.id, text: 'hello' });
  for (let i = 0; i < 12; i++) {
    const inboxes = await federationInboxes(single.primary, {
      accountId: author.id,
      followers: i % 2 === 0,
      mentionsOf: i % 3 === 0 ? status.id : null,
      parentAuthorOf: i % 4 === 0 ? status.id : null,
      accountIds: i % 5 === 0 ? [mentioned.id] : [],
      pollVotersOf: null,
    });
    // Local accounts only here: no remote inbox to deliver to.
    expect(inboxes).toEqual([]);
  }
  expect(await plansOf('coalesce(a.shared_inbox_url, a.inbox_url) as inbox')).toEqual([
    { generic: 7, custom: 5 },
  ]);
});

it('the outbox relay: one plan for its claim and one for its settling, whatever the batch', async () => {
  const { author } = await authorWithFollowers(0);
  let sequence = 0;
  for (let i = 0; i < 12; i++) {
    // New events each time, relayed in batches of different sizes (at most the relay's limit,
    // written into the statement's text).
    for (let j = 0; j <= (i * 7) % 20; j++) {
      await createStatus(testDb.database, { accountId: author.id, text: `r${i}.${j}` });
    }
    const result = await relayOutbox(single, {
      limit: 8,
      retryDelayMs: () => 0,
      publish: async (rows) =>
        rows.map(() => ({ status: 'stored' as const, streamSeq: ++sequence })),
    });
    expect(result.published).toBeGreaterThan(0);
  }
  // The claim (12 calls) and the statement that settles a batch and claims the next (more).
  const plans = await plansOf('for update skip locked');
  expect(plans).toHaveLength(2);
  for (const plan of plans) expect(plan).toMatchObject({ custom: 5 });
});

it('the markers of events that asked nothing: one plan for any number of events', async () => {
  for (let i = 0; i < 12; i++) {
    const ids = Array.from({ length: 1 + (i % 4) }, () => randomUUID());
    await markEventsProcessed(single, 'plans-test', ids);
  }
  expect(await plansOf('select $1, e from unnest')).toEqual([{ generic: 7, custom: 5 }]);
});
