/**
 * The hot paths' round trips to PostgreSQL, pinned: on a loaded server every statement costs a
 * context switch on both sides, and these budgets are what the benchmarks (bench/) were tuned with.
 */
import { type Database } from '@murmur/db';
import { createStatus, favouriteStatus, reblogStatus } from '@murmur/db/statuses';
import { followAccount } from '@murmur/db/follows';
import { countStatements, deliverNotifications } from '@murmur/db/testing';
import type { InjectOptions } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import { json, signedInUser, useServer, type TestUser } from './_mastodon.js';

let app: ApiInstance;
let database: Database;
let alice: TestUser;
let bob: TestUser;
const thread: string[] = [];

useServer((server) => ({ app, database, alice, bob } = server));

beforeAll(async () => {
  await followAccount(database, { accountId: alice.id, targetAccountId: bob.id });
  let parent: string | null = null;
  for (let i = 0; i < 6; i++) {
    const author = i % 2 ? alice : bob;
    const status = await createStatus(database, {
      accountId: author.id,
      text: `reply ${i} @${alice.username} #rounds`,
      inReplyToId: parent,
    });
    thread.push(status.id);
    parent = status.id;
  }
  await reblogStatus(database, { accountId: bob.id, statusId: thread[0]! });
  await favouriteStatus(database, { accountId: alice.id, statusId: thread[0]! });
  await followAccount(database, { accountId: bob.id, targetAccountId: alice.id });
  await deliverNotifications(database);
});

async function statementsFor(request: InjectOptions) {
  const { result, statements } = await countStatements(database, () => app.inject(request));
  json(result);
  return statements;
}

describe('round trips per request', () => {
  const bearer = () => ({ authorization: `Bearer ${alice.token}` });

  it('reads a timeline page, reblogs included, in one statement, plus the token lookup when signed in', async () => {
    expect(await statementsFor({ url: '/api/v1/timelines/public?limit=40' })).toBe(1);
    await statementsFor({ url: '/api/v1/timelines/home', headers: bearer() }); // records last use
    expect(await statementsFor({ url: '/api/v1/timelines/home', headers: bearer() })).toBe(2);
    expect(await statementsFor({ url: `/api/v1/accounts/${bob.id}/statuses` })).toBe(1);
  });

  it('reads an empty home (a new account) in two statements, plus the token lookup', async () => {
    const newcomer = await signedInUser(database);
    // The first read builds the feed; then the empty page asks the feed's state on its own.
    await statementsFor({ url: '/api/v1/timelines/home', headers: newcomer.headers });
    expect(await statementsFor({ url: '/api/v1/timelines/home', headers: newcomer.headers })).toBe(
      3,
    );
  });

  it('reads a status, and its thread, in one statement each', async () => {
    expect(await statementsFor({ url: `/api/v1/statuses/${thread[3]}` })).toBe(1);
    expect(await statementsFor({ url: `/api/v1/statuses/${thread[3]}/context` })).toBe(1);
  });

  it('reads pinned statuses, statuses by id and a hashtag in one statement each', async () => {
    await statementsFor({ url: '/api/v1/timelines/home', headers: bearer() });
    const ids = `id[]=${thread[1]}&id[]=${thread[2]}`;
    expect(await statementsFor({ url: `/api/v1/statuses?${ids}`, headers: bearer() })).toBe(2);
    // The account lookup (a 404 for an unknown one), then the pins and their hydration.
    expect(await statementsFor({ url: `/api/v1/accounts/${bob.id}/statuses?pinned=true` })).toBe(2);
    expect(await statementsFor({ url: '/api/v1/tags/rounds', headers: bearer() })).toBe(2);
  });

  it('posts a status in two statements after the token lookup', async () => {
    await statementsFor({ url: '/api/v1/timelines/home', headers: bearer() });
    const statements = await statementsFor({
      method: 'POST',
      url: '/api/v1/statuses',
      headers: bearer(),
      payload: { status: `hello @${bob.username} #rounds`, in_reply_to_id: thread[5]! },
    });
    expect(statements).toBe(3);
  });

  it('favourites a status in two statements after the token lookup, as few as posting', async () => {
    await statementsFor({ url: '/api/v1/timelines/home', headers: bearer() });
    // The favourite (the target resolved, a reblog unwrapped, the counter and the event written
    // together), then the status as the viewer now sees it.
    const favourite = { method: 'POST' as const, headers: bearer() };
    expect(
      await statementsFor({ ...favourite, url: `/api/v1/statuses/${thread[4]}/favourite` }),
    ).toBe(3);
    expect(
      await statementsFor({ ...favourite, url: `/api/v1/statuses/${thread[4]}/unfavourite` }),
    ).toBe(3);
  });

  it('reads a page of notification groups in two statements after the token lookup', async () => {
    const headers = { authorization: `Bearer ${bob.token}` };
    await statementsFor({ url: '/api/v2/notifications', headers }); // records last use
    // The groups with their accounts, then the statuses they name.
    expect(await statementsFor({ url: '/api/v2/notifications', headers })).toBe(3);
  });
});
