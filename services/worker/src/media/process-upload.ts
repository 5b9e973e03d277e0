/**
 * The `media` consumer: processes each upload once. The upload's row says whether it still waits
 * (`pending`), so a repeated delivery finds it processed and only records its marker. Images are
 * decoded a few at a time (`images`), whatever the consumer's concurrency, to bound memory.
 */
import { type Database } from '@murmur/db';
import {
  findPendingMedia,
  markMediaFailed,
  markMediaProcessed,
  mediaExists,
  type MediaFileMeta,
  type PendingMedia,
} from '@murmur/db/media';
import { markEventProcessed } from '@murmur/db/events';
import {
  MediaRejected,
  processAttachment,
  processedKey,
  type MediaStorage,
  type ProcessedImage,
} from '@murmur/media';
import type { Logger } from '@murmur/service-kit';
import type { EventHandler } from '../handlers.js';
import type { Limiter } from '@murmur/service-kit';

export interface MediaHandlerDependencies {
  /** The consumer's name, for its processed markers. */
  consumer: string;
  database: Database;
  storage: MediaStorage;
  /** Images processed at once by this process. */
  images: Limiter;
}

function fileMeta(image: ProcessedImage): MediaFileMeta {
  return {
    width: image.width,
    height: image.height,
    size: `${image.width}x${image.height}`,
    aspect: Math.round((image.width / image.height) * 1e6) / 1e6,
  };
}

async function processUpload(
  deps: MediaHandlerDependencies,
  upload: PendingMedia,
  log: Logger,
): Promise<void> {
  const { database, storage } = deps;
  const bytes = await storage.read(upload.incomingKey);
  if (!bytes) {
    await markMediaFailed(database, {
      mediaId: upload.id,
      reason: 'The upload was lost before it could be processed; please upload it again',
    });
    log.warn({ mediaId: upload.id, key: upload.incomingKey }, 'upload file missing');
    return;
  }
  let processed;
  try {
    processed = await processAttachment(bytes);
  } catch (error) {
    if (!(error instanceof MediaRejected)) throw error;
    await markMediaFailed(database, { mediaId: upload.id, reason: error.message });
    await storage.delete([upload.incomingKey]);
    log.info({ mediaId: upload.id, reason: error.message }, 'upload refused');
    return;
  }
  const { original, small, blurhash } = processed;
  const originalKey = processedKey(upload.id, original.bytes, original.extension);
  const smallKey = processedKey(upload.id, small.bytes, small.extension);
  await storage.put(originalKey, original.bytes, original.contentType);
  await storage.put(smallKey, small.bytes, small.contentType);
  const recorded = await markMediaProcessed(database, {
    mediaId: upload.id,
    originalKey,
    smallKey,
    meta: { original: fileMeta(original), small: fileMeta(small) },
    blurhash,
  });
  // Not recorded: a concurrent delivery did it (same bytes, same keys: keep them), or the upload
  // was deleted meanwhile (nobody will ever point at these files).
  if (!recorded && !(await mediaExists(database, upload.id))) {
    await storage.delete([originalKey, smallKey]);
  }
  await storage.delete([upload.incomingKey]);
  log.info(
    { mediaId: upload.id, width: original.width, height: original.height },
    'upload processed',
  );
}

export function mediaHandler(deps: MediaHandlerDependencies): EventHandler {
  return async (event, log) => {
    if (event.type === 'MediaUploaded') {
      const upload = await findPendingMedia(deps.database, event.data.mediaId);
      if (upload) await deps.images.run(() => processUpload(deps, upload, log));
      else log.debug({ mediaId: event.data.mediaId }, 'upload gone or processed already');
    }
    await markEventProcessed(deps.database, deps.consumer, event.id);
  };
}
