import { type Database } from '@murmur/db';
import { createStatus, reblogStatus } from '@murmur/db/statuses';
import { followAccount } from '@murmur/db/follows';
import { beforeAll, describe, expect, it } from 'vitest';
import { Search, Status } from '../src/schemas/entities.js';
import type { ApiInstance } from '../src/plugins/context.js';
import {
  expectSchema,
  json,
  links,
  ORIGIN,
  pathOf,
  signedInUser,
  type TestUser,
  useServer,
} from './_mastodon.js';

let app: ApiInstance;
let database: Database;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
/** Public statuses, oldest first. */
const posted: string[] = [];

const ids = (items: { id: string }[]) => items.map((i) => i.id);

useServer((server) => ({ app, database, alice, bob } = server));

beforeAll(async () => {
  carol = await signedInUser(database);
  for (let i = 0; i < 5; i++) {
    const author = [alice, bob, carol][i % 3]!;
    posted.push(
      (
        await createStatus(database, {
          accountId: author.id,
          text: `post ${i} #Timeline${i % 2}${i % 2 ? ' #odd' : ''}`,
        })
      ).id,
    );
  }
  await createStatus(database, { accountId: bob.id, text: 'unlisted', visibility: 'unlisted' });
  await followAccount(database, { accountId: alice.id, targetAccountId: bob.id });
});

describe('public timeline', () => {
  it('pages newest first with max_id, since_id and min_id, and links next and prev', async () => {
    const first = await app.inject({ url: '/api/v1/timelines/public?limit=2&local=true' });
    const page = json(first);
    for (const status of page) expectSchema(Status, status);
    expect(ids(page)).toEqual([posted[4], posted[3]]);
    const { next, prev } = links(first);
    expect(`${next!.origin}${next!.pathname}`).toBe(`${ORIGIN}/api/v1/timelines/public`);
    expect(next!.searchParams.get('local')).toBe('true');
    expect(next!.searchParams.get('max_id')).toBe(posted[3]);
    expect(prev!.searchParams.get('min_id')).toBe(posted[4]);

    expect(ids(json(await app.inject({ url: pathOf(next!) })))).toEqual([posted[2], posted[1]]);
    expect(
      ids(json(await app.inject({ url: `/api/v1/timelines/public?since_id=${posted[2]}` }))),
    ).toEqual([posted[4], posted[3]]);
    expect(
      ids(json(await app.inject({ url: `/api/v1/timelines/public?min_id=${posted[0]}&limit=2` }))),
    ).toEqual([posted[2], posted[1]]);
    expect(
      ids(json(await app.inject({ url: `/api/v1/timelines/public?max_id=${posted[0]}` }))),
    ).toEqual([]);
    expect(
      (await app.inject({ url: `/api/v1/timelines/public?max_id=${posted[0]}` })).headers.link,
    ).toBeUndefined();
  });

  it('clamps blank, garbage, zero and huge limits like Mastodon', async () => {
    expect(json(await app.inject({ url: '/api/v1/timelines/public?limit=' }))).toHaveLength(5);
    expect(json(await app.inject({ url: '/api/v1/timelines/public?limit=abc' }))).toHaveLength(5);
    expect(json(await app.inject({ url: '/api/v1/timelines/public?limit=0' }))).toHaveLength(1);
    expect(json(await app.inject({ url: '/api/v1/timelines/public?limit=100000' }))).toHaveLength(
      5,
    );
    expect(json(await app.inject({ url: '/api/v1/timelines/public?max_id=garbage' }))).toHaveLength(
      5,
    );
  });

  it('has nothing remote and nothing with media', async () => {
    expect(json(await app.inject({ url: '/api/v1/timelines/public?remote=true' }))).toEqual([]);
    expect(json(await app.inject({ url: '/api/v1/timelines/public?only_media=1' }))).toEqual([]);
    expect(json(await app.inject({ url: '/api/v1/timelines/public?remote=false' }))).toHaveLength(
      5,
    );
  });
});

describe('home and tag timelines', () => {
  it('home shows one’s own and followed accounts’ statuses with reblogs, and requires a user', async () => {
    await reblogStatus(database, { accountId: bob.id, statusId: posted[2]! });
    const home = json(
      await app.inject({ url: '/api/v1/timelines/home?limit=40', headers: alice.headers }),
    );
    expect(home[0].reblog.id).toBe(posted[2]);
    expect(home[0].account.id).toBe(bob.id);
    const authors = new Set(home.map((s: { account: { id: string } }) => s.account.id));
    expect([...authors].sort()).toEqual([alice.id, bob.id].sort());
    expect(home.some((s: { visibility: string }) => s.visibility === 'unlisted')).toBe(true);
    json(await app.inject({ url: '/api/v1/timelines/home' }), 401);
  });

  it('tag timeline matches normalized hashtags', async () => {
    const odd = json(await app.inject({ url: '/api/v1/timelines/tag/ODD' }));
    expect(ids(odd)).toEqual([posted[3], posted[1]]);
    const page = await app.inject({ url: '/api/v1/timelines/tag/timeline1?limit=1' });
    expect(ids(json(page))).toEqual([posted[3]]);
    expect(links(page).next!.pathname).toBe('/api/v1/timelines/tag/timeline1');
    expect(json(await app.inject({ url: '/api/v1/timelines/tag/nothing_here' }))).toEqual([]);
  });
});

describe('search', () => {
  it('finds accounts, hashtags and statuses, restricted by type', async () => {
    const result = json(
      await app.inject({ url: `/api/v2/search?q=${bob.username}`, headers: alice.headers }),
    );
    expectSchema(Search, result);
    expect(ids(result.accounts)).toEqual([bob.id]);
    const tags = json(await app.inject({ url: '/api/v2/search?q=%23timeline&type=hashtags' }));
    expect(tags.accounts).toEqual([]);
    expect(tags.hashtags.map((t: { name: string }) => t.name).sort()).toEqual([
      'timeline0',
      'timeline1',
    ]);
    expect(tags.hashtags[0]).toMatchObject({ url: `${ORIGIN}/tags/timeline0`, history: [] });
    const statuses = json(await app.inject({ url: '/api/v2/search?q=post&type=statuses&limit=2' }));
    expect(statuses.statuses).toHaveLength(2);
  });

  it('needs a signed-in user for offset and resolve, like Mastodon', async () => {
    expect(json(await app.inject({ url: '/api/v2/search?q=bob&offset=1' }), 401).error).toMatch(
      /pagination/,
    );
    expect(json(await app.inject({ url: '/api/v2/search?q=bob&resolve=true' }), 401).error).toMatch(
      /resolve/,
    );
    json(
      await app.inject({
        url: '/api/v2/search?q=bob&resolve=true&offset=0',
        headers: alice.headers,
      }),
    );
    json(await app.inject({ url: '/api/v2/search?q=bob&resolve=false' }));
  });
});
