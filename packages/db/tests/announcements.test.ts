/**
 * Announcements: publishing with its event and resolved mentions, reactions (one emoji each, at most
 * eight different ones, even when people race to add the ninth), read marks, and withdrawal.
 */
import { describe, expect, it } from 'vitest';
import { DomainError } from '../src/index.js';
import {
  activeAnnouncements,
  addAnnouncementReaction,
  dismissAnnouncement,
  publishAnnouncement,
  removeAnnouncementReaction,
  withdrawAnnouncement,
} from '../src/announcements/index.js';
import {
  isReactionEmoji,
  MAX_ANNOUNCEMENT_REACTIONS,
} from '../src/operations/announcements/index.js';
import { createAccountFixture, outboxEvents, useTestDatabase } from '../src/testing/index.js';

const testDb = useTestDatabase();

describe('isReactionEmoji', () => {
  it('takes one emoji (flags, keycaps, skin tones, ZWJ sequences) and nothing else', () => {
    for (const good of ['🎉', '👍🏽', '🇫🇷', '👩‍💻', '#️⃣', '❤️'])
      expect(isReactionEmoji(good)).toBe(true);
    for (const bad of ['', 'a', 'bongoCat', '🎉🎉', '🎉a', ':wave:', 'x'.repeat(100)]) {
      expect(isReactionEmoji(bad)).toBe(false);
    }
  });
});

describe('announcements', () => {
  it('publishes with its event and mentions, reacts, marks read, and withdraws', async () => {
    const { database } = testDb;
    const ann = await createAccountFixture(database, { username: 'ann_admin' });
    const reader = await createAccountFixture(database);
    const { id } = await publishAnnouncement(database, {
      text: 'Maintenance tonight, ask @ann_admin or @nobody_here #ops',
      endsAt: new Date(Date.now() + 3_600_000),
    });
    const published = await outboxEvents(database, ['AnnouncementPublished']);
    expect(published.map((e) => e.data)).toEqual([{ announcementId: id }]);

    await addAnnouncementReaction(database, {
      accountId: reader.id,
      announcementId: id,
      name: '🎉',
    });
    await addAnnouncementReaction(database, {
      accountId: reader.id,
      announcementId: id,
      name: '🎉',
    });
    await addAnnouncementReaction(database, { accountId: ann.id, announcementId: id, name: '🎉' });
    await dismissAnnouncement(database, { accountId: reader.id, announcementId: id });

    const [seen] = await activeAnnouncements(database.primary, reader.id);
    expect(seen).toMatchObject({
      id,
      read: true,
      mentions: [{ id: ann.id, username: 'ann_admin' }],
      reactions: [{ name: '🎉', count: 2, me: true }],
    });
    expect((await activeAnnouncements(database.primary, ann.id))[0]?.read).toBe(false);
    expect((await activeAnnouncements(database.primary, null))[0]?.read).toBeNull();
    // Reacting twice wrote one event.
    expect(await outboxEvents(database, ['AnnouncementReacted'])).toHaveLength(2);

    await removeAnnouncementReaction(database, {
      accountId: reader.id,
      announcementId: id,
      name: '🎉',
    });
    await removeAnnouncementReaction(database, {
      accountId: reader.id,
      announcementId: id,
      name: '🎉',
    });
    expect(await outboxEvents(database, ['AnnouncementReactionRemoved'])).toHaveLength(1);

    await withdrawAnnouncement(database, id);
    expect(await activeAnnouncements(database.primary, reader.id)).toEqual([]);
    await expect(withdrawAnnouncement(database, id)).rejects.toMatchObject({
      code: 'AnnouncementNotFound',
    });
    await expect(
      dismissAnnouncement(database, { accountId: reader.id, announcementId: id }),
    ).rejects.toMatchObject({ code: 'AnnouncementNotFound' });
  });

  it('hides ended announcements and refuses reactions to them', async () => {
    const { database } = testDb;
    const reader = await createAccountFixture(database);
    const { id } = await publishAnnouncement(database, {
      text: 'Over already',
      startsAt: new Date(Date.now() - 7_200_000),
      endsAt: new Date(Date.now() - 3_600_000),
    });
    expect((await activeAnnouncements(database.primary, reader.id)).map((a) => a.id)).not.toContain(
      id,
    );
    await expect(
      addAnnouncementReaction(database, { accountId: reader.id, announcementId: id, name: '👍' }),
    ).rejects.toMatchObject({ code: 'AnnouncementNotFound' });
  });

  it(`keeps at most ${MAX_ANNOUNCEMENT_REACTIONS} different emoji, even when people race for the last place`, async () => {
    const { database } = testDb;
    const people = await Promise.all(
      Array.from({ length: 12 }, () => createAccountFixture(database)),
    );
    const { id } = await publishAnnouncement(database, { text: 'React!' });
    const emoji = ['😀', '😂', '😍', '😎', '🤔', '😴', '🥳', '😱', '🤖', '👻', '🎃', '🐱'];
    const outcomes = await Promise.allSettled(
      people.map((person, i) =>
        addAnnouncementReaction(database, {
          accountId: person.id,
          announcementId: id,
          name: emoji[i]!,
        }),
      ),
    );
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(outcomes.length - refused.length).toBe(MAX_ANNOUNCEMENT_REACTIONS);
    for (const o of refused)
      expect((o as PromiseRejectedResult).reason).toBeInstanceOf(DomainError);
    // An emoji already there can still be added by someone else.
    const [existing] = (await activeAnnouncements(database.primary, null)).find(
      (a) => a.id === id,
    )!.reactions;
    const late = await createAccountFixture(database);
    await addAnnouncementReaction(database, {
      accountId: late.id,
      announcementId: id,
      name: existing!.name,
    });
  });

  it('refuses empty, overlong and backwards announcements with a clear reason', async () => {
    const { database } = testDb;
    await expect(publishAnnouncement(database, { text: '   ' })).rejects.toMatchObject({
      code: 'TextEmpty',
    });
    await expect(publishAnnouncement(database, { text: 'x'.repeat(5_001) })).rejects.toMatchObject({
      code: 'TextTooLong',
    });
    await expect(
      publishAnnouncement(database, {
        text: 'Backwards',
        startsAt: new Date(Date.now() + 2_000),
        endsAt: new Date(Date.now() + 1_000),
      }),
    ).rejects.toMatchObject({ code: 'InvalidField' });
  });
});
