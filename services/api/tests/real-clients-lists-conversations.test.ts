/**
 * Lists and direct messages as masto.js (Elk, Phanpy) calls them, unmodified, over HTTP: create a
 * list, add a followed account, read the list timeline; send a direct message and the recipient
 * sees the conversation, unread, then read.
 */
import { applyPendingFeedEvents, recordPendingDirectMessages } from '@murmur/db/testing';
import { describe, expect, it } from 'vitest';
import { useMastoServer } from './_masto.js';

const server = useMastoServer();
const { person } = server;

describe('masto.js', () => {
  it('creates a list, adds a followed account and reads the list timeline', async () => {
    const reader = await person('masto_lister');
    const friend = await person('masto_listed');
    const other = await person('masto_unlisted');
    await reader.client.v1.accounts.$select(friend.id).follow();
    await reader.client.v1.accounts.$select(other.id).follow();

    const list = await reader.client.v1.lists.create({ title: 'Friends' });
    expect(list).toMatchObject({ title: 'Friends', repliesPolicy: 'list', exclusive: false });
    await reader.client.v1.lists.$select(list.id).accounts.create({ accountIds: [friend.id] });
    const members = await reader.client.v1.lists.$select(list.id).accounts.list();
    expect(members.map((a) => a.id)).toEqual([friend.id]);
    const holding = await reader.client.v1.accounts.$select(friend.id).lists.list();
    expect(holding.map((l) => l.id)).toEqual([list.id]);

    const post = await friend.client.v1.statuses.create({ status: 'for my list readers' });
    await other.client.v1.statuses.create({ status: 'not in the list' });
    await applyPendingFeedEvents(server.database);
    const timeline = await reader.client.v1.timelines.list.$select(list.id).list();
    expect(timeline.map((s) => s.id)).toEqual([post.id]);

    const renamed = await reader.client.v1.lists
      .$select(list.id)
      .update({ title: 'Close friends' });
    expect(renamed.title).toBe('Close friends');
    await reader.client.v1.lists.$select(list.id).accounts.remove({ accountIds: [friend.id] });
    expect(await reader.client.v1.lists.$select(list.id).accounts.list()).toEqual([]);
    await reader.client.v1.lists.$select(list.id).remove();
    expect(await reader.client.v1.lists.list()).toEqual([]);
  });

  it('sends a direct message and the recipient sees the conversation', async () => {
    const sender = await person('masto_whisperer');
    const recipient = await person('masto_listener');
    const dm = await sender.client.v1.statuses.create({
      status: '@masto_listener only for you',
      visibility: 'direct',
    });
    expect(dm.visibility).toBe('direct');
    await recordPendingDirectMessages(server.database);
    const [conversation] = await recipient.client.v1.conversations.list();
    expect(conversation).toMatchObject({ unread: true, lastStatus: { id: dm.id } });
    expect(conversation!.accounts.map((a) => a.id)).toEqual([sender.id]);
    const read = await recipient.client.v1.conversations.$select(conversation!.id).read();
    expect(read.unread).toBe(false);
    await recipient.client.v1.conversations.$select(conversation!.id).remove();
    expect(await recipient.client.v1.conversations.list()).toEqual([]);
  });
});
