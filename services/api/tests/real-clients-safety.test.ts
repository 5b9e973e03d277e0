/**
 * Blocks, mutes and filters as masto.js (Elk, Phanpy) calls them, unmodified, over HTTP.
 */
import { describe, expect, it } from 'vitest';
import { allPages, useMastoServer } from './_masto.js';

const server = useMastoServer();
const { person } = server;

describe('masto.js', () => {
  it('blocks and unblocks, lists blocks page by page, and is refused a follow when blocked', async () => {
    const me = await person('masto_blocker');
    const others = [await person('masto_troll1'), await person('masto_troll2')];
    await others[0]!.client.v1.accounts.$select(me.id).follow();
    for (const other of others) {
      const relationship = await me.client.v1.accounts.$select(other.id).block();
      expect(relationship).toMatchObject({ blocking: true, followedBy: false });
    }
    const blocks = await allPages(me.client.v1.blocks.list({ limit: 1 }));
    expect(blocks.map((a) => a.id)).toEqual([others[1]!.id, others[0]!.id]);
    await expect(others[0]!.client.v1.accounts.$select(me.id).follow()).rejects.toMatchObject({
      statusCode: 403,
    });
    const [seen] = await others[0]!.client.v1.accounts.relationships.fetch({ id: [me.id] });
    expect(seen).toMatchObject({ blockedBy: true });
    await me.client.v1.accounts.$select(others[0]!.id).unblock();
    expect((await me.client.v1.blocks.list()).map((a) => a.id)).toEqual([others[1]!.id]);
  });

  it('mutes for a while without notifications, lists mutes and unmutes', async () => {
    const me = await person('masto_muter');
    const loud = await person('masto_loud');
    const relationship = await me.client.v1.accounts
      .$select(loud.id)
      .mute({ notifications: false, duration: 600 });
    expect(relationship).toMatchObject({ muting: true, mutingNotifications: false });
    // masto.js's type omits it, but the field arrives (camel-cased like the others).
    expect((relationship as { mutingExpiresAt?: string }).mutingExpiresAt).toBeTruthy();
    const mutes = await me.client.v1.mutes.list();
    expect(mutes.map((a) => a.id)).toEqual([loud.id]);
    const post = await loud.client.v1.statuses.create({ status: 'very loud' });
    const local = await me.client.v1.timelines.public.list({ local: true });
    expect(local.map((s) => s.id)).not.toContain(post.id);
    await me.client.v1.accounts.$select(loud.id).unmute();
    expect(await me.client.v1.mutes.list()).toEqual([]);
  });

  it('creates a filter with keywords and sees the warning on a matching status', async () => {
    const me = await person('masto_filterer');
    const poster = await person('masto_poster');
    const filter = await me.client.v2.filters.create({
      title: 'Spoilers',
      context: ['public', 'home'],
      filterAction: 'warn',
      keywordsAttributes: [{ keyword: 'ending', wholeWord: true }],
    });
    expect(filter).toMatchObject({ title: 'Spoilers', filterAction: 'warn' });
    expect(filter.keywords?.map((k) => k.keyword)).toEqual(['ending']);
    const post = await poster.client.v1.statuses.create({ status: 'That ending!' });
    const local = await me.client.v1.timelines.public.list({ local: true });
    const seen = local.find((s) => s.id === post.id)!;
    expect(seen.filtered?.[0]).toMatchObject({
      filter: { id: filter.id, title: 'Spoilers' },
      keywordMatches: ['ending'],
    });
    expect((await me.client.v2.filters.list()).map((f) => f.id)).toEqual([filter.id]);
    await me.client.v2.filters.$select(filter.id).remove();
    expect(await me.client.v2.filters.list()).toEqual([]);
  });
});
