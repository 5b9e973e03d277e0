/**
 * Editing a status: only its author, the same text rules as posting, the history (original first),
 * mentions and hashtags recomputed, and who is told (those who boosted it; the newly mentioned).
 */
import { describe, expect, it } from 'vitest';
import { DomainError } from '../src/index.js';
import { createMediaUpload, markMediaProcessed } from '../src/media/index.js';
import {
  createStatus,
  editStatus,
  hydrateStatuses,
  reblogStatus,
  statusRevisions,
} from '../src/statuses/index.js';
import { listNotifications } from '../src/notifications/index.js';
import {
  createAccountFixture,
  createStatusFixture,
  deliverNotifications,
  outboxEvents,
  useTestDatabase,
} from '../src/testing/index.js';

const testDb = useTestDatabase();

const firstPage = { limit: 40 };

describe('editStatus', () => {
  it('changes the text, keeps the original first in the history, and recomputes mentions and tags', async () => {
    const db = testDb.database;
    const author = await createAccountFixture(db);
    const ann = await createAccountFixture(db);
    const ben = await createAccountFixture(db);
    const created = await createStatusFixture(db, {
      accountId: author.id,
      text: `first draft for @${ann.username} #Before`,
    });
    expect(await statusRevisions(db.primary, created.id)).toEqual([]);

    const edited = await editStatus(db, {
      accountId: author.id,
      statusId: created.id,
      text: `second draft for @${ben.username} #After`,
      spoilerText: 'spoilers',
      requestId: 'edit-1',
    });
    expect(edited).toMatchObject({
      text: `second draft for @${ben.username} #After`,
      spoilerText: 'spoilers',
      sensitive: true,
      mentions: [{ id: ben.id, username: ben.username }],
      tags: [{ name: 'after', displayName: 'After' }],
    });
    expect(edited.editedAt).toBeInstanceOf(Date);
    expect(edited.createdAt).toEqual(created.createdAt);

    await editStatus(db, { accountId: author.id, statusId: created.id, text: 'third draft' });
    const history = await statusRevisions(db.primary, created.id);
    expect(history.map((r) => r.text)).toEqual([
      `first draft for @${ann.username} #Before`,
      `second draft for @${ben.username} #After`,
      'third draft',
    ]);
    expect(history[0]!.createdAt).toEqual(created.createdAt);
    expect(history[0]!.spoilerText).toBe('');
    expect(history[1]!.spoilerText).toBe('spoilers');

    const events = await outboxEvents(db, ['StatusEdited', 'UserMentioned']);
    const mine = events.filter((e) => e.data.statusId === created.id);
    expect(mine.map((e) => e.type)).toEqual([
      'UserMentioned', // ann, when posted
      'StatusEdited',
      'UserMentioned', // ben, newly mentioned by the first edit
      'StatusEdited',
    ]);
    expect(mine[1]).toMatchObject({ requestId: 'edit-1', data: { accountId: author.id } });
    expect(mine[2]).toMatchObject({ data: { mentionedAccountId: ben.id } });
  });

  it('is refused to anyone but the author, and for text that posting would refuse', async () => {
    const db = testDb.database;
    const author = await createAccountFixture(db);
    const other = await createAccountFixture(db);
    const created = await createStatusFixture(db, { accountId: author.id, text: 'mine' });
    await expect(
      editStatus(db, { accountId: other.id, statusId: created.id, text: 'hijacked' }),
    ).rejects.toMatchObject({ code: 'StatusNotFound' });
    await expect(
      editStatus(db, { accountId: author.id, statusId: created.id, text: '   ' }),
    ).rejects.toMatchObject({ code: 'TextEmpty' });
    await expect(
      editStatus(
        db,
        { accountId: author.id, statusId: created.id, text: 'x'.repeat(11) },
        { maxCharacters: 10 },
      ),
    ).rejects.toMatchObject({ code: 'TextTooLong' });
    await expect(
      editStatus(db, { accountId: author.id, statusId: created.id, mediaIds: ['123'] }),
    ).rejects.toThrow(DomainError);
    const [view] = await hydrateStatuses(db.primary, [created.id]);
    expect(view).toMatchObject({ text: 'mine', editedAt: null });
    expect(await outboxEvents(db, ['StatusEdited'])).not.toContainEqual(
      expect.objectContaining({ data: expect.objectContaining({ statusId: created.id }) }),
    );
  });

  it('takes the attachments sent back unchanged as no change, records changed ones per revision, refuses a poll beside them', async () => {
    const db = testDb.database;
    const author = await createAccountFixture(db);
    const upload = await createMediaUpload(db, {
      accountId: author.id,
      incomingKey: 'incoming/edit-photo',
      description: 'A heron',
    });
    await markMediaProcessed(db, {
      mediaId: upload.id,
      originalKey: `files/${upload.id}/${'a'.repeat(64)}.jpg`,
      smallKey: `files/${upload.id}/${'b'.repeat(64)}.webp`,
      meta: {
        original: { width: 12, height: 8, size: '12x8', aspect: 1.5 },
        small: { width: 12, height: 8, size: '12x8', aspect: 1.5 },
      },
      blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
    });
    const created = await createStatus(db, {
      accountId: author.id,
      text: 'photo',
      mediaIds: [upload.id],
    });
    const edited = await editStatus(db, {
      accountId: author.id,
      statusId: created.id,
      text: 'photo of a heron',
      mediaIds: [upload.id],
      mediaAttributes: [{ id: upload.id, description: 'A heron' }],
    });
    expect(edited.mediaAttachments.map((m) => m.description)).toEqual(['A heron']);
    await expect(
      editStatus(db, {
        accountId: author.id,
        statusId: created.id,
        poll: { options: ['a', 'b'], expiresIn: 600 },
      }),
    ).rejects.toMatchObject({ code: 'InvalidField', field: 'poll' });

    const redescribed = await editStatus(db, {
      accountId: author.id,
      statusId: created.id,
      mediaAttributes: [{ id: upload.id, description: 'A stork', focus: { x: 0.5, y: 0 } }],
    });
    expect(redescribed.mediaAttachments).toMatchObject([
      { description: 'A stork', focus: { x: 0.5, y: 0 } },
    ]);
    const removed = await editStatus(db, {
      accountId: author.id,
      statusId: created.id,
      mediaIds: [],
    });
    expect(removed.mediaAttachments).toEqual([]);
    const revisions = await statusRevisions(db.primary, created.id);
    expect(revisions.map((r) => r.media?.map((m) => m.description))).toEqual([
      ['A heron'],
      ['A heron'],
      ['A stork'],
      [],
    ]);
  });

  it('records nothing when nothing changed', async () => {
    const db = testDb.database;
    const author = await createAccountFixture(db);
    const created = await createStatusFixture(db, { accountId: author.id, text: 'same' });
    const view = await editStatus(db, {
      accountId: author.id,
      statusId: created.id,
      text: 'same',
      mediaIds: [],
    });
    expect(view.editedAt).toBeNull();
    expect(await statusRevisions(db.primary, created.id)).toEqual([]);
  });

  it('notifies those who boosted it (again at each edit) and the newly mentioned, once each', async () => {
    const db = testDb.database;
    const author = await createAccountFixture(db);
    const booster = await createAccountFixture(db);
    const replier = await createAccountFixture(db);
    const newcomer = await createAccountFixture(db);
    const created = await createStatusFixture(db, { accountId: author.id, text: 'v1' });
    await reblogStatus(db, { accountId: booster.id, statusId: created.id });
    await reblogStatus(db, { accountId: author.id, statusId: created.id });
    await createStatusFixture(db, {
      accountId: replier.id,
      text: 'a reply',
      inReplyToId: created.id,
    });
    await deliverNotifications(db);

    await editStatus(db, {
      accountId: author.id,
      statusId: created.id,
      text: `v2 with @${newcomer.username}`,
    });
    await deliverNotifications(db);
    await deliverNotifications(db); // a redelivery changes nothing
    const boosterSees = await listNotifications(db.primary, booster.id, firstPage);
    const updates = boosterSees.filter((n) => n.type === 'update');
    expect(updates).toHaveLength(1);
    expect(updates[0]!).toMatchObject({ account: { id: author.id }, status: { text: /^v2/ } });
    const newcomerSees = await listNotifications(db.primary, newcomer.id, firstPage);
    expect(newcomerSees.map((n) => n.type)).toEqual(['mention']);
    // Mastodon tells those who boosted, not those who replied, nor the author of their own edit.
    expect((await listNotifications(db.primary, replier.id, firstPage)).map((n) => n.type)).toEqual(
      [],
    );
    expect(
      (await listNotifications(db.primary, author.id, firstPage)).filter(
        (n) => n.type === 'update',
      ),
    ).toEqual([]);

    // A later edit brings the update notification back to the top, as a new one.
    await editStatus(db, { accountId: author.id, statusId: created.id, text: 'v3' });
    await deliverNotifications(db);
    const again = (await listNotifications(db.primary, booster.id, firstPage)).filter(
      (n) => n.type === 'update',
    );
    expect(again).toHaveLength(1);
    expect(BigInt(again[0]!.id)).toBeGreaterThan(BigInt(updates[0]!.id));
    const announced = await outboxEvents(db, ['NotificationCreated']);
    expect(
      announced.filter((e) => e.data.type === 'update' && e.data.accountId === booster.id),
    ).toHaveLength(2);
  });
});
