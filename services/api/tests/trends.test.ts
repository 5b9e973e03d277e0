/**
 * Trends as an app's explore tab reads them: hashtags more accounts use today than usual, and public
 * posts many people favourite and boost. Bodies are checked against Mastodon's description; the
 * rankings leave out what must not trend (one account repeating a tag, a tag everyone always uses,
 * private posts, replies), and each page is read for its viewer (a post deleted after the ranking was
 * computed is not served).
 */
import { type Database } from '@murmur/db';
import { createStatus, favouriteStatus } from '@murmur/db/statuses';
import { followAccount } from '@murmur/db/follows';
import { followTag } from '@murmur/db/tags';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import { json, links, signedInUser, type TestUser, useServer } from './_mastodon.js';
import { expectMastodonResponse } from './_openapi.js';

let app: ApiInstance;
let database: Database;
let alice: TestUser;
let people: TestUser[];

useServer((server) => ({ app, database, alice } = server));

beforeAll(async () => {
  people = await Promise.all(Array.from({ length: 6 }, () => signedInUser(database)));
});

async function get<T>(url: string, user: TestUser | null = null) {
  const response = await app.inject({ url, headers: user ? user.headers : {} });
  const body = json<T>(response);
  expectMastodonResponse(response);
  return { body, response };
}

/** Statuses by distinct accounts on a day in the past (ids carry the time, as every status's do). */
async function usedDaysAgo(tag: string, days: number, accounts: number): Promise<void> {
  const ids = await database.pool.query<{ id: string }>(
    `insert into accounts (username, email, password_hash)
     select 'old_' || $1 || '_' || $2 || '_' || n, 'old_' || $1 || '_' || $2 || '_' || n || '@example.test', 'x'
     from generate_series(1, $3::int) n returning id`,
    [tag, days, accounts],
  );
  for (const [n, { id: accountId }] of ids.rows.entries()) {
    const { rows } = await database.pool.query<{ id: string }>(
      `insert into statuses (id, account_id, text, visibility, created_at)
       values ((floor(extract(epoch from now() - make_interval(days => $2)) * 1000)::bigint << 16) + $3,
         $1, $4, 'public', now() - make_interval(days => $2)) returning id`,
      [accountId, days, n, `old #${tag}`],
    );
    await database.pool.query(
      `insert into status_tags (tag_id, status_id) select id, $2 from tags where name = $1`,
      [tag, rows[0]!.id],
    );
  }
}

describe('GET /api/v1/trends/tags', () => {
  it('lists a tag several accounts took up today, not a usual one, one account’s, or private posts’', async () => {
    for (const person of people.slice(0, 3)) {
      await createStatus(database, { accountId: person.id, text: `Look at this #Surgetag` });
      await createStatus(database, { accountId: person.id, text: `as always #steadytag` });
      await createStatus(database, {
        accountId: person.id,
        text: `just for my followers #quiettag`,
        visibility: 'private',
      });
    }
    for (let i = 0; i < 5; i++) {
      await createStatus(database, { accountId: people[3]!.id, text: `again and again #lonetag` });
    }
    // #steadytag: used by 6 accounts a day before today, more than the 3 today.
    for (let day = 1; day <= 6; day++) await usedDaysAgo('steadytag', day, 6);
    await followTag(database, { accountId: alice.id, name: 'surgetag' });

    const { body: anonymous } =
      await get<{ name: string; following?: boolean }[]>('/api/v1/trends/tags');
    expect(anonymous.map((t) => t.name)).toEqual(['surgetag']);
    const { body: signedIn } = await get<
      { name: string; following: boolean; history: unknown[] }[]
    >('/api/v1/trends/tags?limit=5', alice);
    expect(signedIn[0]).toMatchObject({ name: 'surgetag', following: true });
    expect(signedIn[0]!.history).toHaveLength(7);
  });
});

describe('GET /api/v1/trends/statuses', () => {
  it('ranks public posts by recent favourites and boosts, pages by offset, reads each page afresh', async () => {
    const author = people[4]!;
    // The fans follow the author, so they can see (and favourite) the followers-only post too.
    for (const fan of people.slice(0, 4)) {
      await followAccount(database, { accountId: fan.id, targetAccountId: author.id });
    }
    const popular = await createStatus(database, { accountId: author.id, text: 'very popular' });
    const liked = await createStatus(database, { accountId: author.id, text: 'liked a little' });
    const once = await createStatus(database, { accountId: author.id, text: 'liked once' });
    const hidden = await createStatus(database, {
      accountId: author.id,
      text: 'popular among followers',
      visibility: 'private',
    });
    const reply = await createStatus(database, {
      accountId: author.id,
      text: 'a popular reply',
      inReplyToId: popular.id,
    });
    const favourite = (statusId: string, fans: TestUser[]) =>
      Promise.all(fans.map((fan) => favouriteStatus(database, { accountId: fan.id, statusId })));
    await favourite(popular.id, people.slice(0, 4));
    await favourite(liked.id, people.slice(0, 2));
    await favourite(once.id, people.slice(0, 1));
    await favourite(hidden.id, people.slice(0, 4));
    await favourite(reply.id, people.slice(0, 4));

    const first = await get<{ id: string }[]>('/api/v1/trends/statuses?limit=1');
    expect(first.body.map((s) => s.id)).toEqual([popular.id]);
    const next = links(first.response).next;
    expect(next?.searchParams.get('offset')).toBe('1');
    const second = await get<{ id: string }[]>(`${next!.pathname}${next!.search}`, alice);
    expect(second.body.map((s) => s.id)).toEqual([liked.id]);
    expect(links(second.response).prev?.searchParams.get('offset')).toBe('0');

    const all = await get<{ id: string }[]>('/api/v1/trends/statuses');
    expect(all.body.map((s) => s.id)).toEqual([popular.id, liked.id]);

    // The ranking is kept for minutes, but every page is read afresh: a deleted post is gone at once.
    const deleted = await app.inject({
      method: 'DELETE',
      url: `/api/v1/statuses/${popular.id}`,
      headers: { authorization: `Bearer ${author.token}` },
    });
    expect(deleted.statusCode).toBe(200);
    const after = await get<{ id: string }[]>('/api/v1/trends/statuses');
    expect(after.body.map((s) => s.id)).toEqual([liked.id]);
  });
});
