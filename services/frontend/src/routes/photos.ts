/**
 * Photos posted from the compose form: each is checked from its header, stored as received and
 * recorded (MediaUploaded), like an upload through the API; the form then waits for the worker to
 * process them before the post is written, since a post takes only processed attachments.
 */
import { createMediaUpload, findOwnMedia } from '@murmur/db/media';
import { type MediaView } from '@murmur/db/statuses';
import { incomingKey, inspectImage, MediaRejected } from '@murmur/media';
import { randomUUID } from 'node:crypto';
import type { FrontendDependencies } from '../pages.js';
import type { Photo } from '../plugins/uploads.js';

export const PHOTO_FIELDS = ['photo_1', 'photo_2', 'photo_3', 'photo_4'] as const;

/** A photo refused, with a message for the form. */
export class PhotoProblem extends Error {
  override name = 'PhotoProblem';
}

const PROCESSING_WAIT_MS = 30_000;
const POLL_MS = 100;

function photoNumber(field: string): number {
  return PHOTO_FIELDS.indexOf(field as (typeof PHOTO_FIELDS)[number]) + 1;
}

/** Uploads the photos with their alt text; returns their ids once processed, in form order. */
export async function uploadPhotos(
  deps: FrontendDependencies,
  input: {
    accountId: string;
    photos: Photo[];
    altTexts: Record<string, string | undefined>;
    requestId: string;
  },
): Promise<string[]> {
  const photos = input.photos
    .filter((p) => photoNumber(p.field) > 0)
    .sort((a, b) => photoNumber(a.field) - photoNumber(b.field));
  for (const photo of photos) {
    await inspectImage(photo.bytes).catch((error: unknown) => {
      if (error instanceof MediaRejected) {
        throw new PhotoProblem(`Photo ${photoNumber(photo.field)}: ${error.message}`);
      }
      throw error;
    });
  }
  const uploads: MediaView[] = [];
  for (const photo of photos) {
    const key = incomingKey(randomUUID());
    await deps.mediaStorage.put(key, photo.bytes, 'application/octet-stream');
    uploads.push(
      await createMediaUpload(deps.database, {
        accountId: input.accountId,
        incomingKey: key,
        description: input.altTexts[`alt_${photoNumber(photo.field)}`] ?? null,
        requestId: input.requestId,
      }),
    );
  }
  const deadline = Date.now() + PROCESSING_WAIT_MS;
  const ids: string[] = [];
  for (const [index, upload] of uploads.entries()) {
    let media: MediaView | null = upload;
    while (media?.processing === 'pending' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      media = await findOwnMedia(deps.database.primary, input.accountId, upload.id);
    }
    const number = photoNumber(photos[index]!.field);
    if (media?.processing === 'failed') {
      throw new PhotoProblem(`Photo ${number}: ${media.failureReason ?? 'it could not be read'}`);
    }
    if (media?.processing !== 'processed') {
      throw new PhotoProblem(`Photo ${number} is taking too long to process; try again shortly.`);
    }
    ids.push(media.id);
  }
  return ids;
}
