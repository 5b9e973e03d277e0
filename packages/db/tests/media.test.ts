import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../src/index.js';
import {
  createMediaUpload,
  deleteUnattachedMedia,
  findOwnMedia,
  findPendingMedia,
  markMediaFailed,
  markMediaProcessed,
  removeExpiredMedia,
  setProfileImage,
  updateMedia,
} from '../src/media/index.js';
import {
  createStatus,
  deleteStatus,
  hydrateStatuses,
  type MediaView,
} from '../src/statuses/index.js';
import { outboxEvents } from '../src/schema/index.js';
import { createAccountFixture, useTestDatabase } from '../src/testing/index.js';

const testDb = useTestDatabase();

const meta = {
  original: { width: 1200, height: 800, size: '1200x800', aspect: 1.5 },
  small: { width: 588, height: 392, size: '588x392', aspect: 1.5 },
};

async function processedUpload(accountId: string, description = 'A red kite over a field') {
  const upload = await createMediaUpload(testDb.database, {
    accountId,
    incomingKey: `incoming/${Math.random().toString(16).slice(2)}`,
    description,
  });
  await markMediaProcessed(testDb.database, {
    mediaId: upload.id,
    originalKey: `files/${upload.id}/${'a'.repeat(64)}.jpg`,
    smallKey: `files/${upload.id}/${'b'.repeat(64)}.webp`,
    meta,
    blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
  });
  return upload;
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('uploads', () => {
  it('records a pending upload and its MediaUploaded event in the same statement', async () => {
    const owner = await createAccountFixture(testDb.database);
    const upload = await createMediaUpload(testDb.database, {
      accountId: owner.id,
      incomingKey: 'incoming/abc',
      description: '  Two cats  ',
      focus: { x: 0.5, y: -0.25 },
      requestId: 'req-9',
    });
    expect(upload).toMatchObject({
      processing: 'pending',
      description: 'Two cats',
      focus: { x: 0.5, y: -0.25 },
      statusId: null,
    });
    const events = await testDb.database.primary
      .select()
      .from(outboxEvents)
      .where(sql`${outboxEvents.payload}->'data'->>'mediaId' = ${upload.id}`);
    expect(events.map((e) => e.payload)).toEqual([
      expect.objectContaining({
        type: 'MediaUploaded',
        requestId: 'req-9',
        data: { mediaId: upload.id, accountId: owner.id },
      }),
    ]);
    expect(await findPendingMedia(testDb.database, upload.id)).toEqual({
      id: upload.id,
      accountId: owner.id,
      incomingKey: 'incoming/abc',
      remoteUrl: null,
      mediaRejectedFrom: null,
    });
  });

  it('refuses alt text over 1,500 characters and a focus outside -1..1', async () => {
    const owner = await createAccountFixture(testDb.database);
    const input = { accountId: owner.id, incomingKey: 'incoming/x' };
    expect(
      (
        await refusal(
          createMediaUpload(testDb.database, { ...input, description: 'x'.repeat(1501) }),
        )
      ).field,
    ).toBe('description');
    expect(
      (await refusal(createMediaUpload(testDb.database, { ...input, focus: { x: 2, y: 0 } })))
        .field,
    ).toBe('focus');
  });

  it('is processed once: a second outcome changes nothing', async () => {
    const owner = await createAccountFixture(testDb.database);
    const upload = await processedUpload(owner.id);
    expect(await markMediaFailed(testDb.database, { mediaId: upload.id, reason: 'x' })).toBe(false);
    expect(await findPendingMedia(testDb.database, upload.id)).toBeNull();
    expect(await findOwnMedia(testDb.database.primary, owner.id, upload.id)).toMatchObject({
      processing: 'processed',
      meta,
      blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
    });
  });
});

describe('attaching to a status', () => {
  it('attaches up to four in the order given, shown with the status', async () => {
    const owner = await createAccountFixture(testDb.database);
    const uploads: MediaView[] = [];
    for (let i = 0; i < 4; i++) uploads.push(await processedUpload(owner.id, `photo ${i}`));
    const order = [uploads[2]!, uploads[0]!, uploads[3]!, uploads[1]!].map((u) => u.id);
    const status = await createStatus(testDb.database, {
      accountId: owner.id,
      text: '',
      mediaIds: order,
    });
    expect(status.view.mediaAttachments.map((m) => m.id)).toEqual(order);
    const [view] = await hydrateStatuses(testDb.database.primary, [status.id]);
    expect(view!.mediaAttachments.map((m) => [m.id, m.description, m.statusId])).toEqual(
      order.map((id) => [id, `photo ${uploads.findIndex((u) => u.id === id)}`, status.id]),
    );
    expect(view!.mediaAttachments).toEqual(status.view.mediaAttachments);
  });

  it('refuses a fifth, someone else’s, an attached, a pending and a failed upload', async () => {
    const owner = await createAccountFixture(testDb.database);
    const other = await createAccountFixture(testDb.database);
    const post = (mediaIds: string[]) =>
      refusal(createStatus(testDb.database, { accountId: owner.id, text: 'hi', mediaIds }));
    const five = [];
    for (let i = 0; i < 5; i++) five.push((await processedUpload(owner.id)).id);
    expect((await post(five)).message).toMatch(/at most 4 attachments/);

    const theirs = await processedUpload(other.id);
    const error = await post([theirs.id]);
    expect(error).toMatchObject({ code: 'InvalidField', field: 'media_ids' });
    expect(error.message).toMatch(/not found among your uploads/);

    await createStatus(testDb.database, { accountId: owner.id, text: 'one', mediaIds: [five[0]!] });
    expect((await post([five[0]!])).message).toMatch(/already in a post/);

    const pending = await createMediaUpload(testDb.database, {
      accountId: owner.id,
      incomingKey: 'incoming/p',
    });
    expect((await post([pending.id])).message).toMatch(/still being processed/);
    const failed = await createMediaUpload(testDb.database, {
      accountId: owner.id,
      incomingKey: 'incoming/f',
    });
    await markMediaFailed(testDb.database, { mediaId: failed.id, reason: 'The image is damaged' });
    expect((await post([failed.id])).message).toMatch(
      /could not be processed: The image is damaged/,
    );
    // Nothing was attached by the refused posts.
    expect((await findOwnMedia(testDb.database.primary, owner.id, five[1]!))?.statusId).toBeNull();
  });

  it('two posts racing for one upload: one gets it, the other is refused', async () => {
    const owner = await createAccountFixture(testDb.database);
    const upload = await processedUpload(owner.id);
    const results = await Promise.allSettled(
      [1, 2].map((n) =>
        createStatus(testDb.database, { accountId: owner.id, text: `${n}`, mediaIds: [upload.id] }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });
});

describe('changing and deleting', () => {
  it('changes alt text and focus until attached, then refuses', async () => {
    const owner = await createAccountFixture(testDb.database);
    const upload = await processedUpload(owner.id);
    const changed = await updateMedia(testDb.database, {
      accountId: owner.id,
      mediaId: upload.id,
      description: 'Better words',
      focus: { x: -1, y: 1 },
    });
    expect(changed).toMatchObject({ description: 'Better words', focus: { x: -1, y: 1 } });
    const other = await createAccountFixture(testDb.database);
    expect(
      (await refusal(updateMedia(testDb.database, { accountId: other.id, mediaId: upload.id })))
        .code,
    ).toBe('MediaNotFound');
    await createStatus(testDb.database, { accountId: owner.id, text: 'x', mediaIds: [upload.id] });
    const error = await refusal(
      updateMedia(testDb.database, { accountId: owner.id, mediaId: upload.id, description: 'x' }),
    );
    expect(error.message).toMatch(/can no longer be changed/);
    expect(
      (
        await refusal(
          deleteUnattachedMedia(testDb.database, { accountId: owner.id, mediaId: upload.id }),
        )
      ).message,
    ).toMatch(/delete the post instead/);
  });

  it('deletes an unattached upload and returns its file keys', async () => {
    const owner = await createAccountFixture(testDb.database);
    const upload = await processedUpload(owner.id);
    const keys = await deleteUnattachedMedia(testDb.database, {
      accountId: owner.id,
      mediaId: upload.id,
    });
    expect(keys).toEqual([
      `files/${upload.id}/${'a'.repeat(64)}.jpg`,
      `files/${upload.id}/${'b'.repeat(64)}.webp`,
    ]);
    expect(await findOwnMedia(testDb.database.primary, owner.id, upload.id)).toBeNull();
  });
});

describe('cleanup', () => {
  it('removes old unattached uploads and the attachments of deleted posts, nothing in use', async () => {
    const owner = await createAccountFixture(testDb.database);
    const old = await processedUpload(owner.id);
    const fresh = await processedUpload(owner.id);
    const used = await processedUpload(owner.id);
    const ofDeleted = await processedUpload(owner.id);
    await testDb.database.primary.execute(
      sql`update media_attachments set created_at = now() - interval '2 days'
        where id in (${old.id}, ${used.id}, ${ofDeleted.id})`,
    );
    await createStatus(testDb.database, { accountId: owner.id, text: 'a', mediaIds: [used.id] });
    const doomed = await createStatus(testDb.database, {
      accountId: owner.id,
      text: 'b',
      mediaIds: [ofDeleted.id],
    });
    await deleteStatus(testDb.database, { accountId: owner.id, statusId: doomed.id });

    const result = await removeExpiredMedia(testDb.database, {
      unattachedBefore: new Date(Date.now() - 24 * 3600 * 1000),
      limit: 100,
    });
    expect(result.removed).toBe(2);
    expect(result.keys.sort()).toEqual(
      [old.id, old.id, ofDeleted.id, ofDeleted.id]
        .map((id, i) => `files/${id}/${(i % 2 ? 'b' : 'a').repeat(64)}.${i % 2 ? 'webp' : 'jpg'}`)
        .sort(),
    );
    for (const kept of [fresh, used]) {
      expect(await findOwnMedia(testDb.database.primary, owner.id, kept.id)).not.toBeNull();
    }
  });
});

describe('avatars and headers', () => {
  it('sets and removes them, returning the key replaced', async () => {
    const owner = await createAccountFixture(testDb.database);
    const input = { accountId: owner.id, kind: 'avatar' as const };
    expect(await setProfileImage(testDb.database, { ...input, key: 'profiles/1/a.jpg' })).toEqual({
      previousKey: null,
    });
    expect(await setProfileImage(testDb.database, { ...input, key: 'profiles/1/b.jpg' })).toEqual({
      previousKey: 'profiles/1/a.jpg',
    });
    expect(await setProfileImage(testDb.database, { ...input, key: null })).toEqual({
      previousKey: 'profiles/1/b.jpg',
    });
  });
});
