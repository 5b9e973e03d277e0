/**
 * Scheduled statuses: checked when scheduled with every rule of posting, at least five minutes
 * ahead, and posted by the worker's job at their time exactly once — with their attachments and
 * poll — even with two workers claiming at the same moment.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  cancelScheduledStatus,
  createStatus,
  findScheduledStatus,
  hydrateStatuses,
  listScheduledStatuses,
  publishDueScheduledStatuses,
  rescheduleStatus,
  scheduleStatus,
} from '../src/statuses/index.js';
import { createMediaUpload, markMediaProcessed, removeExpiredMedia } from '../src/media/index.js';
import { createAccountFixture, outboxEvents, useTestDatabase } from '../src/testing/index.js';

const testDb = useTestDatabase();

const inAnHour = () => new Date(Date.now() + 60 * 60 * 1000);

async function processedUpload(accountId: string) {
  const upload = await createMediaUpload(testDb.database, {
    accountId,
    incomingKey: `incoming/${Math.random().toString(16).slice(2)}`,
    description: 'A heron',
  });
  await markMediaProcessed(testDb.database, {
    mediaId: upload.id,
    originalKey: `files/${upload.id}/${'a'.repeat(64)}.jpg`,
    smallKey: `files/${upload.id}/${'b'.repeat(64)}.webp`,
    meta: {
      original: { width: 12, height: 8, size: '12x8', aspect: 1.5 },
      small: { width: 12, height: 8, size: '12x8', aspect: 1.5 },
    },
    blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
  });
  return upload;
}

/** Makes a scheduled status due now. */
async function makeDue(id: string): Promise<void> {
  await testDb.database.primary.execute(
    sql`update scheduled_statuses set scheduled_at = now() - interval '1 second' where id = ${id}`,
  );
}

describe('scheduleStatus', () => {
  it('keeps the status until its time, with its attachments reserved, and lists, moves and cancels it', async () => {
    const db = testDb.database;
    const author = await createAccountFixture(db);
    const photo = await processedUpload(author.id);
    const scheduled = await scheduleStatus(db, {
      accountId: author.id,
      text: 'Later, with a photo',
      visibility: 'unlisted',
      mediaIds: [photo.id],
      scheduledAt: inAnHour(),
    });
    expect(scheduled.params).toMatchObject({ text: 'Later, with a photo', visibility: 'unlisted' });
    expect(scheduled.mediaAttachments.map((m) => m.id)).toEqual([photo.id]);
    expect(await outboxEvents(db, ['PostCreated'])).toEqual([]);

    // Reserved: another post cannot take the photo, and the cleanup of old uploads keeps it.
    await expect(
      createStatus(db, { accountId: author.id, text: 'now', mediaIds: [photo.id] }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/scheduled post/) });
    await removeExpiredMedia(db, { unattachedBefore: new Date(Date.now() + 1000), limit: 100 });
    expect(
      (await findScheduledStatus(db.primary, author.id, scheduled.id))?.mediaAttachments,
    ).toHaveLength(1);

    const moved = await rescheduleStatus(db, {
      accountId: author.id,
      scheduledStatusId: scheduled.id,
      scheduledAt: new Date(Date.now() + 2 * 60 * 60 * 1000),
    });
    expect(moved.scheduledAt.getTime()).toBeGreaterThan(scheduled.scheduledAt.getTime());
    const other = await createAccountFixture(db);
    await expect(
      cancelScheduledStatus(db, { accountId: other.id, scheduledStatusId: scheduled.id }),
    ).rejects.toMatchObject({ code: 'StatusNotFound' });
    expect(
      (await listScheduledStatuses(db.primary, author.id, { limit: 20 })).map((s) => s.id),
    ).toEqual([scheduled.id]);
    await cancelScheduledStatus(db, { accountId: author.id, scheduledStatusId: scheduled.id });
    expect(await listScheduledStatuses(db.primary, author.id, { limit: 20 })).toEqual([]);
    // Freed: the photo can be posted now.
    await createStatus(db, { accountId: author.id, text: 'now', mediaIds: [photo.id] });
  });

  it('refuses a time less than five minutes ahead, and what posting would refuse', async () => {
    const db = testDb.database;
    const author = await createAccountFixture(db);
    const soon = new Date(Date.now() + 4 * 60 * 1000);
    await expect(
      scheduleStatus(db, { accountId: author.id, text: 'soon', scheduledAt: soon }),
    ).rejects.toMatchObject({ code: 'InvalidField', field: 'scheduled_at' });
    await expect(
      scheduleStatus(db, { accountId: author.id, text: ' ', scheduledAt: inAnHour() }),
    ).rejects.toMatchObject({ code: 'TextEmpty' });
    await expect(
      scheduleStatus(db, {
        accountId: author.id,
        text: 'poll',
        poll: { options: ['one'], expiresIn: 600 },
        scheduledAt: inAnHour(),
      }),
    ).rejects.toMatchObject({ code: 'InvalidField', field: 'poll' });
    const created = await scheduleStatus(db, {
      accountId: author.id,
      text: 'fine',
      scheduledAt: inAnHour(),
    });
    await expect(
      rescheduleStatus(db, {
        accountId: author.id,
        scheduledStatusId: created.id,
        scheduledAt: soon,
      }),
    ).rejects.toMatchObject({ field: 'scheduled_at' });
  });
});

describe('publishDueScheduledStatuses', () => {
  it('posts each due status exactly once with two workers at the same moment, with its photo and poll', async () => {
    const db = testDb.database;
    const author = await createAccountFixture(db);
    const photo = await processedUpload(author.id);
    const withPhoto = await scheduleStatus(db, {
      accountId: author.id,
      text: 'scheduled photo',
      mediaIds: [photo.id],
      scheduledAt: inAnHour(),
    });
    const withPoll = await scheduleStatus(db, {
      accountId: author.id,
      text: 'scheduled poll',
      poll: { options: ['yes', 'no'], expiresIn: 3600, multiple: true },
      scheduledAt: inAnHour(),
    });
    const plain = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        scheduleStatus(db, { accountId: author.id, text: `plain ${i}`, scheduledAt: inAnHour() }),
      ),
    );
    const notYet = await scheduleStatus(db, {
      accountId: author.id,
      text: 'not yet',
      scheduledAt: inAnHour(),
    });
    for (const s of [withPhoto, withPoll, ...plain]) await makeDue(s.id);

    const [first, second] = await Promise.all([
      publishDueScheduledStatuses(db),
      publishDueScheduledStatuses(db),
    ]);
    const published = [...first!.published, ...second!.published];
    expect(published).toHaveLength(8);
    expect(first!.dropped.concat(second!.dropped)).toEqual([]);
    expect((await publishDueScheduledStatuses(db)).published).toEqual([]);

    const events = await outboxEvents(db, ['PostCreated']);
    const mine = events.filter((e) => e.data.accountId === author.id);
    expect(mine.map((e) => e.data.statusId).sort()).toEqual([...published].sort());
    const views = await hydrateStatuses(db.primary, published, author.id);
    const photoPost = views.find((v) => v.text === 'scheduled photo');
    expect(photoPost?.mediaAttachments.map((m) => m.id)).toEqual([photo.id]);
    const pollPost = views.find((v) => v.text === 'scheduled poll');
    expect(pollPost?.poll).toMatchObject({ options: ['yes', 'no'], multiple: true });
    expect(
      (await listScheduledStatuses(db.primary, author.id, { limit: 20 })).map((s) => s.id),
    ).toEqual([notYet.id]);
  });

  it('drops a scheduled reply whose post was deleted, instead of retrying it for ever', async () => {
    const db = testDb.database;
    const author = await createAccountFixture(db);
    const parent = await createStatus(db, { accountId: author.id, text: 'parent' });
    const reply = await scheduleStatus(db, {
      accountId: author.id,
      text: 'a reply, later',
      inReplyToId: parent.id,
      scheduledAt: inAnHour(),
    });
    await db.primary.execute(sql`update statuses set deleted_at = now() where id = ${parent.id}`);
    await makeDue(reply.id);
    const outcome = await publishDueScheduledStatuses(db);
    expect(outcome.published).toEqual([]);
    expect(outcome.dropped).toEqual([
      { scheduledStatusId: reply.id, reason: expect.stringMatching(/replying to/) },
    ]);
    expect(await findScheduledStatus(db.primary, author.id, reply.id)).toBeNull();
  });
});
