/**
 * The everyday features as masto.js (Elk, Phanpy) calls them, unmodified, over HTTP: bookmarks,
 * pins, featured and followed hashtags, featured accounts, notes, familiar followers, removing a
 * follower, the directory, suggestions, statuses and accounts by id, and the instance's texts.
 */
import { type mastodon } from 'masto';
import { describe, expect, it } from 'vitest';
import { allPages, useMastoServer } from './_masto.js';

const server = useMastoServer();
const { person } = server;

describe('masto.js', () => {
  it('bookmarks and pins statuses, and pages bookmarks through Link headers', async () => {
    const { id, client } = await person('masto_saver');
    const posted: mastodon.v1.Status[] = [];
    for (let i = 0; i < 5; i++) {
      posted.push(await client.v1.statuses.create({ status: `keep this ${i} #masto` }));
    }
    for (const status of posted) {
      expect((await client.v1.statuses.$select(status.id).bookmark()).bookmarked).toBe(true);
    }
    const bookmarks = await allPages(client.v1.bookmarks.list({ limit: 2 }));
    expect(bookmarks.map((s) => s.id)).toEqual(posted.map((s) => s.id).reverse());
    await client.v1.statuses.$select(posted[0]!.id).unbookmark();
    expect(await allPages(client.v1.bookmarks.list())).toHaveLength(4);

    expect((await client.v1.statuses.$select(posted[1]!.id).pin()).pinned).toBe(true);
    const pinned = await client.v1.accounts.$select(id).statuses.list({ pinned: true });
    expect(pinned.map((s) => s.id)).toEqual([posted[1]!.id]);
    expect((await client.v1.statuses.$select(posted[1]!.id).unpin()).pinned).toBe(false);

    const some = await client.v1.statuses.fetch({ id: [posted[2]!.id, posted[3]!.id] });
    expect(some.map((s) => s.id)).toEqual([posted[2]!.id, posted[3]!.id]);
  });

  it('features and follows hashtags', async () => {
    const { id, client } = await person('masto_tagger');
    await client.v1.statuses.create({ status: 'about #Knitting' });
    const suggested = await client.v1.featuredTags.suggestions.list();
    expect(suggested.map((tag) => tag.name)).toEqual(['knitting']);
    const featured = await client.v1.featuredTags.create({ name: 'knitting' });
    expect(featured).toMatchObject({ name: 'knitting', statusesCount: '1' });
    expect(await client.v1.accounts.$select(id).featuredTags.list()).toHaveLength(1);
    await client.v1.featuredTags.$select(featured.id).remove();
    expect(await client.v1.featuredTags.list()).toEqual([]);

    const tag = await client.v1.tags.$select('Knitting').fetch();
    expect(tag).toMatchObject({ name: 'knitting', following: false });
    expect(tag.history?.[0]).toMatchObject({ uses: '1', accounts: '1' });
    expect((await client.v1.tags.$select('knitting').follow()).following).toBe(true);
    const followed = await allPages(client.v1.followedTags.list());
    expect(followed.map((t) => t.name)).toEqual(['knitting']);
    expect((await client.v1.tags.$select('knitting').unfollow()).following).toBe(false);
  });

  it('features accounts, keeps notes, shows familiar followers and removes a follower', async () => {
    const me = await person('masto_me');
    const friend = await person('masto_friend');
    const other = await person('masto_other');
    await me.client.v1.accounts.$select(friend.id).follow();
    await friend.client.v1.accounts.$select(other.id).follow();
    await friend.client.v1.accounts.$select(me.id).follow();

    expect((await me.client.v1.accounts.$select(friend.id).endorse()).endorsed).toBe(true);
    const endorsed = await me.client.v1.endorsements.list();
    expect(endorsed.map((a) => a.id)).toEqual([friend.id]);
    await me.client.v1.accounts.$select(friend.id).unendorse();

    const noted = await me.client.v1.accounts
      .$select(friend.id)
      .note.create({ comment: 'Knits socks' });
    expect(noted.note).toBe('Knits socks');

    // masto.js types the parameter as the id list itself, which it would send as `0=<id>`; as
    // `{ id: [...] }` it sends the `id[]=` Mastodon reads.
    const [familiar] = await me.client.v1.accounts.familiarFollowers.fetch({
      id: [other.id],
    } as unknown as string[]);
    expect(familiar!.accounts.map((a) => a.id)).toEqual([friend.id]);

    const suggestions = await me.client.v2.suggestions.list();
    expect(suggestions[0]!.account.id).toBe(other.id);
    await me.client.v1.suggestions.$select(other.id).remove(other.id);
    const after = await me.client.v1.suggestions.list();
    expect(after.map((a) => a.id)).not.toContain(other.id);

    await me.client.v1.accounts.$select(friend.id).removeFromFollowers();
    const [relationship] = await me.client.v1.accounts.relationships.fetch({ id: [friend.id] });
    expect(relationship).toMatchObject({ following: true, followedBy: false });

    const directory = await me.client.v1.directory.list({ order: 'new', limit: 3 });
    expect(directory.map((a) => a.username)).toEqual(['masto_other', 'masto_friend', 'masto_me']);
    const accounts = await me.client.v1.accounts.fetch({ id: [friend.id, other.id] });
    expect(accounts.map((a) => a.id)).toEqual([friend.id, other.id]);
  });

  it("reads the instance's extended description", async () => {
    const { client } = await person('masto_reader2');
    const about = await client.v1.instance.extendedDescription.fetch();
    expect(about.content).toMatch(/Mastodon-compatible/);
    expect(about.updatedAt).toBe('2026-01-01T00:00:00.000Z');
  });
});
