import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { createDatabase, DomainError } from '../src/index.js';
import {
  createStatus,
  deleteStatus,
  favouriteStatus,
  getVisibleStatus,
  hydrateStatuses,
} from '../src/statuses/index.js';
import { statusContext, findVisibleStatus } from '../src/timelines/index.js';
import { upsertRemoteAccount } from '../src/federation/index.js';
import { accounts, outboxEvents, mentions, statusTags, statuses } from '../src/schema/index.js';
import { countStatements, createAccountFixture, useTestDatabase } from '../src/testing/index.js';

const testDb = useTestDatabase();

async function outboxFor(statusId: string) {
  const rows = await testDb.database.primary
    .select()
    .from(outboxEvents)
    .where(sql`${outboxEvents.payload}->'data'->>'statusId' = ${statusId}`);
  return rows.map((r) => r.payload as { type: string; data: Record<string, unknown> });
}

describe('createStatus', () => {
  it('stores mentions and tags and writes PostCreated plus one UserMentioned per other mentioned account', async () => {
    const author = await createAccountFixture(testDb.database, { username: 'alice' });
    const bob = await createAccountFixture(testDb.database, { username: 'Bob' });
    const carol = await createAccountFixture(testDb.database, { username: 'carol' });
    const status = await createStatus(testDb.database, {
      accountId: author.id,
      text: 'Hi @bob and @CAROL and @alice and @nobody #Hello #hello #world',
      requestId: 'req-1',
    });

    const events = await outboxFor(status.id);
    expect(events.map((e) => e.type).sort()).toEqual([
      'PostCreated',
      'UserMentioned',
      'UserMentioned',
    ]);
    const mentioned = events
      .filter((e) => e.type === 'UserMentioned')
      .map((e) => e.data.mentionedAccountId);
    expect(mentioned.sort()).toEqual([bob.id, carol.id].sort());
    const created = events.find((e) => e.type === 'PostCreated')!;
    expect(created.data).toMatchObject({
      statusId: status.id,
      accountId: author.id,
      hashtags: ['hello', 'world'],
    });

    const mentionRows = await testDb.database.primary
      .select()
      .from(mentions)
      .where(sql`${mentions.statusId} = ${status.id}`);
    expect(mentionRows.map((m) => m.accountId).sort()).toEqual(
      [author.id, bob.id, carol.id].sort(),
    );
    const tagRows = await testDb.database.primary
      .select()
      .from(statusTags)
      .where(sql`${statusTags.statusId} = ${status.id}`);
    expect(tagRows).toHaveLength(2);

    // The view returned without reading back is the one every later read shows the author.
    const [stored] = await hydrateStatuses(testDb.database.primary, [status.id], author.id);
    expect(status.view).toEqual(stored);
  });

  it('links every post to a hashtag that several posts create at the same moment, in two statements each', async () => {
    const author = await createAccountFixture(testDb.database);
    const parent = await createStatus(testDb.database, { accountId: author.id, text: '#Known' });
    const { result: posts, statements } = await countStatements(testDb.database, () =>
      Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          createStatus(testDb.database, {
            accountId: author.id,
            text: `post ${i} #Fresh #known`,
            inReplyToId: parent.id,
          }),
        ),
      ),
    );
    expect(statements).toBe(2 * posts.length);

    const views = await hydrateStatuses(
      testDb.database.primary,
      posts.map((p) => p.id),
    );
    for (const view of views) {
      expect(view.tags).toEqual([
        { name: 'fresh', displayName: 'Fresh' },
        { name: 'known', displayName: 'Known' },
      ]);
      expect(view.inReplyToAccountId).toBe(author.id);
    }
    const [after] = await hydrateStatuses(testDb.database.primary, [parent.id]);
    expect(after!.repliesCount).toBe(12);
    expect(after!.account.statusesCount).toBe(13);
  });

  it('posts on cached plans: after the first five posts a connection plans neither statement again', async () => {
    const author = await createAccountFixture(testDb.database, { username: 'planner' });
    await createAccountFixture(testDb.database, { username: 'mentioned' });
    // One connection, so that every post runs its statements where the earlier ones were prepared.
    const database = createDatabase({ url: testDb.url, poolSize: 1 });
    try {
      let parent: string | null = null;
      for (let i = 0; i < 12; i++) {
        // Replies and top-level posts, with and without a known tag: the plan is for any values.
        const status = await createStatus(database, {
          accountId: author.id,
          text: `post ${i} for @mentioned #${i % 2 ? 'known' : `new${i}`}`,
          inReplyToId: i % 3 ? parent : null,
        });
        parent = status.id;
      }
      const { rows } = await database.pool.query<{ generic: number; custom: number }>(
        `select generic_plans::int as generic, custom_plans::int as custom
           from pg_prepared_statements where statement like '%snowflake_id_at%'
             or statement like '%insert into statuses%'`,
      );
      expect(rows).toHaveLength(2);
      for (const row of rows) expect(row).toEqual({ generic: 7, custom: 5 });
    } finally {
      await database.close();
    }
  });

  it('mentions stored remote accounts by user@host in any case, once each, not suspended ones, and notifies only local people', async () => {
    const author = await createAccountFixture(testDb.database, { username: 'writer' });
    const local = await createAccountFixture(testDb.database, { username: 'neighbour' });
    const remote = (username: string) =>
      upsertRemoteAccount(testDb.database, {
        uri: `https://remote.example/users/${username}`,
        username,
        domain: 'remote.example',
        displayName: username,
        note: '',
        url: `https://remote.example/@${username}`,
        inboxUrl: `https://remote.example/users/${username}/inbox`,
        sharedInboxUrl: null,
        avatarUrl: null,
        headerUrl: null,
        createdAt: null,
      });
    const zoe = await remote('Zoe');
    const sam = await remote('sam');
    await testDb.database.primary
      .update(accounts)
      .set({ suspendedAt: new Date() })
      .where(eq(accounts.id, sam));
    const status = await createStatus(testDb.database, {
      accountId: author.id,
      text: 'hi @zoe@Remote.Example, @ZOE@REMOTE.EXAMPLE, @sam@remote.example, @neighbour and @nobody@remote.example',
    });
    expect(status.view.mentions.map((m) => [m.id, m.domain]).sort()).toEqual(
      [
        [local.id, null],
        [zoe, 'remote.example'],
      ].sort(),
    );
    const created = (await outboxFor(status.id)).find((e) => e.type === 'PostCreated')!;
    expect(created.data.mentionedAccountIds).toEqual([local.id]);
  });

  it('rejects text over the limit, counting each URL as 23 characters, and writes nothing', async () => {
    const author = await createAccountFixture(testDb.database);
    const before = await testDb.database.primary
      .select({ n: sql<number>`count(*)::int` })
      .from(statuses);
    await expect(
      createStatus(testDb.database, { accountId: author.id, text: 'x'.repeat(501) }),
    ).rejects.toMatchObject({
      code: 'TextTooLong',
    });
    const after = await testDb.database.primary
      .select({ n: sql<number>`count(*)::int` })
      .from(statuses);
    expect(after[0]!.n).toBe(before[0]!.n);
    const longUrl = `https://example.com/${'a'.repeat(300)}`;
    const ok = await createStatus(testDb.database, {
      accountId: author.id,
      text: `${'y'.repeat(476)} ${longUrl}`,
    });
    expect(ok.text).toContain(longUrl);
  });

  it('rejects blank text', async () => {
    const author = await createAccountFixture(testDb.database);
    await expect(
      createStatus(testDb.database, { accountId: author.id, text: '  \n ' }),
    ).rejects.toBeInstanceOf(DomainError);
  });

  it('returns the same status for a repeated Idempotency-Key, with one set of events', async () => {
    const author = await createAccountFixture(testDb.database);
    const input = { accountId: author.id, text: 'once', idempotencyKey: 'key-1' };
    const [a, b] = await Promise.all([
      createStatus(testDb.database, input),
      createStatus(testDb.database, input),
    ]);
    expect(a.id).toBe(b.id);
    expect(await outboxFor(a.id)).toHaveLength(1);
  });

  it('rolls back everything when a reply targets a missing status', async () => {
    const author = await createAccountFixture(testDb.database);
    await expect(
      createStatus(testDb.database, {
        accountId: author.id,
        text: 'reply @someone',
        inReplyToId: '123',
      }),
    ).rejects.toMatchObject({ code: 'StatusNotFound' });
  });
});

describe('reading', () => {
  it('builds a thread and hides deleted and private posts from strangers', async () => {
    const alice = await createAccountFixture(testDb.database);
    const bob = await createAccountFixture(testDb.database);
    const root = await createStatus(testDb.database, { accountId: alice.id, text: 'root' });
    const reply = await createStatus(testDb.database, {
      accountId: bob.id,
      text: 'reply',
      inReplyToId: root.id,
    });
    const secret = await createStatus(testDb.database, {
      accountId: alice.id,
      text: 'followers only',
      inReplyToId: reply.id,
      visibility: 'private',
    });
    const gone = await createStatus(testDb.database, {
      accountId: bob.id,
      text: 'gone',
      inReplyToId: root.id,
    });
    await deleteStatus(testDb.database, { accountId: bob.id, statusId: gone.id });

    const context = await statusContext(testDb.database.primary, reply.id, null);
    expect(context).not.toBeNull();
    expect(context!.ancestors.map((s) => s.id)).toEqual([root.id]);
    expect(context!.descendants.map((s) => s.id)).toEqual([]);
    const ownView = await statusContext(testDb.database.primary, reply.id, alice.id);
    expect(ownView!.descendants.map((s) => s.id)).toEqual([secret.id]);
    await expect(
      getVisibleStatus(testDb.database.primary, secret.id, bob.id),
    ).rejects.toMatchObject({
      code: 'StatusNotFound',
    });
    expect(await statusContext(testDb.database.primary, secret.id, bob.id)).toBeNull();
    expect(await statusContext(testDb.database.primary, gone.id, null)).toBeNull();
    expect(await findVisibleStatus(testDb.database.primary, secret.id, bob.id)).toBeNull();
    expect((await findVisibleStatus(testDb.database.primary, secret.id, alice.id))!.text).toBe(
      'followers only',
    );
    const [rootView] = await hydrateStatuses(testDb.database.primary, [root.id]);
    expect(rootView!.repliesCount).toBe(1);
  });

  it('lets only the author delete, and favourites once however often asked', async () => {
    const alice = await createAccountFixture(testDb.database);
    const bob = await createAccountFixture(testDb.database);
    const post = await createStatus(testDb.database, { accountId: alice.id, text: 'like me' });
    await expect(
      deleteStatus(testDb.database, { accountId: bob.id, statusId: post.id }),
    ).rejects.toMatchObject({
      code: 'NotAllowed',
    });
    await Promise.all(
      [1, 2, 3].map(() =>
        favouriteStatus(testDb.database, { accountId: bob.id, statusId: post.id }),
      ),
    );
    const [view] = await hydrateStatuses(testDb.database.primary, [post.id], bob.id);
    expect(view).toMatchObject({ favouritesCount: 1, favourited: true });
  });
});

describe('hydrateStatuses', () => {
  it('hydrates one status (what an action answers with) on a plan cached after five, whatever the status', async () => {
    const author = await createAccountFixture(testDb.database, { username: 'poster' });
    const viewer = await createAccountFixture(testDb.database, { username: 'viewer' });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push((await createStatus(testDb.database, { accountId: author.id, text: `n${i}` })).id);
    }
    // Enough rows, counted, for the planner to weigh a plan for any list (which assumes a hundred
    // ids) against one for the single id given, as on a real server.
    await testDb.database.primary.execute(sql`insert into statuses (id, account_id, text)
      select snowflake_id_at(clock_timestamp()), ${viewer.id}, 'filler' from generate_series(1, 3000)`);
    await testDb.database.primary.execute(sql`analyze`);
    const database = createDatabase({ url: testDb.url, poolSize: 1 });
    try {
      for (const [i, id] of ids.entries()) {
        const [view] = await hydrateStatuses(database.primary, [id], i % 2 ? viewer.id : author.id);
        expect(view?.text).toBe(`n${i}`);
      }
      const { rows } = await database.pool.query<{ generic: number; custom: number }>(
        `select generic_plans::int as generic, custom_plans::int as custom
           from pg_prepared_statements where statement like '%as grp%'`,
      );
      expect(rows).toEqual([{ generic: 7, custom: 5 }]);
    } finally {
      await database.close();
    }
  });
});

describe('createStatus input hardening', () => {
  it('answers StatusNotFound, not a database error, for a malformed or out-of-range reply id', async () => {
    const author = await createAccountFixture(testDb.database);
    for (const inReplyToId of ['abc', '99999999999999999999', '9999999999999999999']) {
      await expect(
        createStatus(testDb.database, { accountId: author.id, text: 'reply', inReplyToId }),
      ).rejects.toMatchObject({ code: 'StatusNotFound', field: 'in_reply_to_id' });
    }
  });
});

describe('favouritedStatuses', () => {
  it('lists what an account favourited, most recently favourited first, paged by favourite', async () => {
    const { favouritedStatuses } = await import('../src/timelines/index.js');
    const author = await createAccountFixture(testDb.database);
    const fan = await createAccountFixture(testDb.database);
    const older = await createStatus(testDb.database, { accountId: author.id, text: 'older post' });
    const newer = await createStatus(testDb.database, { accountId: author.id, text: 'newer post' });
    await favouriteStatus(testDb.database, { accountId: fan.id, statusId: newer.id });
    await favouriteStatus(testDb.database, { accountId: fan.id, statusId: older.id });
    const first = await favouritedStatuses(testDb.database.primary, fan.id, { limit: 1 });
    expect(first.statuses.map((s) => s.id)).toEqual([older.id]);
    const second = await favouritedStatuses(testDb.database.primary, fan.id, {
      limit: 1,
      maxId: first.lastCursor,
    });
    expect(second.statuses.map((s) => s.id)).toEqual([newer.id]);
    expect(second.statuses[0]!.favourited).toBe(true);
  });
});
