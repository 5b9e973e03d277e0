/**
 * Filters as their owner relies on them: keywords matched like Mastodon's (whole words, any
 * character taken literally, case-insensitively), `warn` marks a status with what matched, `hide`
 * leaves it out, each only in the contexts chosen and only until it expires.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  accountStatuses,
  homeTimeline,
  publicTimeline,
  statusContext,
} from '../src/timelines/index.js';
import { addFilterStatus, createFilter, deleteFilter, updateFilter } from '../src/safety/index.js';
import { createStatus } from '../src/statuses/index.js';
import { followAccount } from '../src/follows/index.js';
import { listNotifications } from '../src/notifications/index.js';
import { keywordPattern } from '../src/operations/filters/rules.js';
import {
  createAccountFixture,
  deliverNotifications,
  useTestDatabase,
} from '../src/testing/index.js';

const testDb = useTestDatabase();
const db = () => testDb.database;
const page = { limit: 40 };

async function post(accountId: string, text: string, extra: { inReplyToId?: string } = {}) {
  return (await createStatus(db(), { accountId, text, ...extra })).id;
}

describe('keywordPattern', () => {
  it('escapes every operator and puts word boundaries only next to word characters', () => {
    expect(keywordPattern('cat', true)).toBe('\\ycat\\y');
    expect(keywordPattern('cat', false)).toBe('cat');
    expect(keywordPattern('#tag', true)).toBe('\\#tag\\y');
    expect(keywordPattern('c++', true)).toBe('\\yc\\+\\+');
    expect(keywordPattern('a.b*(c)', false)).toBe('a\\.b\\*\\(c\\)');
  });
});

describe('filters', () => {
  it('warns with the keywords that matched, whole words only, in the chosen contexts', async () => {
    const reader = await createAccountFixture(db());
    const author = await createAccountFixture(db());
    const filter = await createFilter(db(), {
      accountId: reader.id,
      title: 'Pets',
      context: ['public'],
      keywords: [
        { keyword: 'cat', wholeWord: true },
        { keyword: 'C++', wholeWord: true },
        { keyword: 'dog', wholeWord: false },
      ],
    });
    const cat = await post(author.id, 'I love my CAT.');
    const concat = await post(author.id, 'concatenate these strings');
    const code = await post(author.id, 'writing c++ today, with hotdogs');
    const timeline = await publicTimeline(db().primary, page, reader.id);
    const byId = new Map(timeline.map((s) => [s.id, s.filtered]));
    expect(byId.get(cat)).toEqual([
      expect.objectContaining({
        id: filter.id,
        title: 'Pets',
        action: 'warn',
        keywordMatches: ['cat'],
      }),
    ]);
    expect(byId.get(concat)).toEqual([]);
    expect(byId.get(code)![0]!.keywordMatches).toEqual(['C++', 'dog']);
    // Not in the account context; not for anyone else.
    const profile = await accountStatuses(db().primary, author.id, page, reader.id);
    expect(profile.find((s) => s.id === cat)!.filtered).toEqual([]);
    const other = await publicTimeline(db().primary, page, author.id);
    expect(other.find((s) => s.id === cat)!.filtered).toEqual([]);
  });

  it('hides from home, public and notifications, keeps the thread root, and stops when expired or deleted', async () => {
    const reader = await createAccountFixture(db());
    const author = await createAccountFixture(db());
    await followAccount(db(), { accountId: reader.id, targetAccountId: author.id });
    const filter = await createFilter(db(), {
      accountId: reader.id,
      title: 'Spoilers',
      context: ['home', 'public', 'notifications', 'thread'],
      action: 'hide',
      keywords: [{ keyword: 'finale', wholeWord: true }],
    });
    const root = await post(author.id, 'the finale was something');
    const reply = await post(author.id, `@${reader.username} the finale!`, { inReplyToId: root });
    const fine = await post(author.id, 'nothing to see');
    await deliverNotifications(db());

    expect((await homeTimeline(db(), reader.id, page)).map((s) => s.id)).toEqual([fine]);
    expect((await publicTimeline(db().primary, page, reader.id)).map((s) => s.id)).not.toContain(
      root,
    );
    expect(await listNotifications(db().primary, reader.id, page)).toEqual([]);
    const context = await statusContext(db().primary, root, reader.id);
    expect(context).not.toBeNull();
    expect(context!.descendants).toEqual([]);

    // A filtered status entry hides that one status, whatever its text.
    await updateFilter(db(), {
      accountId: reader.id,
      filterId: filter.id,
      keywords: [{ id: filter.keywords[0]!.id, destroy: true }],
    });
    await addFilterStatus(db(), { accountId: reader.id, filterId: filter.id, statusId: fine });
    expect((await homeTimeline(db(), reader.id, page)).map((s) => s.id)).toEqual([reply, root]);

    await db().primary.execute(
      sql`update filters set expires_at = now() - interval '1 second' where id = ${filter.id}`,
    );
    expect((await homeTimeline(db(), reader.id, page)).map((s) => s.id)).toEqual([
      fine,
      reply,
      root,
    ]);
    await deleteFilter(db(), { accountId: reader.id, filterId: filter.id });
    await expect(
      deleteFilter(db(), { accountId: reader.id, filterId: filter.id }),
    ).rejects.toMatchObject({ code: 'FilterNotFound' });
  });

  it('refuses bad input with a clear message and another person’s filter as not found', async () => {
    const reader = await createAccountFixture(db());
    const other = await createAccountFixture(db());
    await expect(
      createFilter(db(), { accountId: reader.id, title: 'x', context: ['everywhere'] }),
    ).rejects.toMatchObject({ code: 'InvalidField', field: 'context' });
    await expect(
      createFilter(db(), { accountId: reader.id, title: ' ', context: ['home'] }),
    ).rejects.toMatchObject({ code: 'InvalidField', field: 'title' });
    await expect(
      createFilter(db(), {
        accountId: reader.id,
        title: 'long',
        context: ['home'],
        keywords: [{ keyword: 'k'.repeat(1_000_000) }],
      }),
    ).rejects.toMatchObject({ code: 'InvalidField', field: 'keyword' });
    const mine = await createFilter(db(), {
      accountId: reader.id,
      title: 'mine',
      context: ['home'],
    });
    await expect(
      updateFilter(db(), { accountId: other.id, filterId: mine.id, title: 'stolen' }),
    ).rejects.toMatchObject({ code: 'FilterNotFound' });
  });
});
