/**
 * The `media` consumer: processes each upload once. The upload's row says whether it still waits
 * (`pending`), so a repeated delivery finds it processed and only records its marker. Images are
 * decoded a few at a time (`images`), whatever the consumer's concurrency, to bound memory.
 * Another server's image (an attachment of a remote status) is fetched first, through the safe
 * fetch (no private addresses, the upload's size limit, a deadline), then processed the same way:
 * its readers load it from here, stripped of metadata, never from the other server. Remote
 * accounts' avatars and headers are cached the same way (`remote-profile-images.ts`).
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
import { federationUserAgent } from '@murmur/federation';
import { createSafeFetch } from '@murmur/outbound';
import type { WorkerConfig } from '../config.js';
import {
  MEDIA_LIMITS,
  MediaRejected,
  processAttachment,
  processedKey,
  type MediaStorage,
  type ProcessedImage,
} from '@murmur/media';
import type { Logger } from '@murmur/service-kit';
import type { EventHandler } from '../handlers.js';
import { fetchRemoteFile } from './fetch-remote-file.js';
import { cacheRemoteProfileImages } from './remote-profile-images.js';
import type { Limiter } from '@murmur/service-kit';

export interface MediaHandlerDependencies {
  /** The consumer's name, for its processed markers. */
  consumer: string;
  database: Database;
  storage: MediaStorage;
  /** Images processed at once by this process. */
  images: Limiter;
  /** The safe fetch (`@murmur/outbound`, upload-sized bodies) for remote attachments. */
  fetchRemote: typeof fetch;
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
  upload: PendingMedia & { incomingKey: string },
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
  const stored = await storeProcessed(deps, upload.id, bytes, log);
  await storage.delete([upload.incomingKey]);
  if (stored) {
    log.info(
      { mediaId: upload.id, width: stored.width, height: stored.height },
      'upload processed',
    );
  }
}

/**
 * A remote attachment: fetched (outside the image slots: a slow server holds none), then processed;
 * a file that cannot be fetched or is refused is recorded as failed, and clients then link to its
 * remote URL (Mastodon does the same with what it could not download). Not retried: the other
 * server may never answer, and the link still works.
 */
async function processRemote(
  deps: MediaHandlerDependencies,
  media: { id: string; remoteUrl: string; mediaRejectedFrom: string | null },
  log: Logger,
): Promise<void> {
  if (media.mediaRejectedFrom !== null) {
    // The operator rejects this server's media (Mastodon's reject_media): no request goes there.
    const reason = `This server does not fetch media from ${media.mediaRejectedFrom}`;
    await markMediaFailed(deps.database, { mediaId: media.id, reason });
    log.info({ mediaId: media.id, reason }, 'remote attachment not fetched');
    return;
  }
  const fetched = await fetchRemoteFile(deps.fetchRemote, media.remoteUrl);
  if ('refused' in fetched) {
    await markMediaFailed(deps.database, { mediaId: media.id, reason: fetched.refused });
    log.info({ mediaId: media.id, reason: fetched.refused }, 'remote attachment not fetched');
    return;
  }
  const stored = await deps.images.run(() => storeProcessed(deps, media.id, fetched.bytes, log));
  if (stored) log.info({ mediaId: media.id, ...stored }, 'remote attachment processed');
}

/**
 * Processes the file and records the result; a refused file is recorded as failed with the reason.
 * Returns the original's size when processed.
 */
async function storeProcessed(
  deps: MediaHandlerDependencies,
  mediaId: string,
  bytes: Buffer,
  log: Logger,
): Promise<{ width: number; height: number } | null> {
  const { database, storage } = deps;
  let processed;
  try {
    processed = await processAttachment(bytes);
  } catch (error) {
    if (!(error instanceof MediaRejected)) throw error;
    await markMediaFailed(database, { mediaId: mediaId, reason: error.message });
    log.info({ mediaId: mediaId, reason: error.message }, 'media refused');
    return null;
  }
  const { original, small, blurhash } = processed;
  const originalKey = processedKey(mediaId, original.bytes, original.extension);
  const smallKey = processedKey(mediaId, small.bytes, small.extension);
  await storage.put(originalKey, original.bytes, original.contentType);
  await storage.put(smallKey, small.bytes, small.contentType);
  const recorded = await markMediaProcessed(database, {
    mediaId: mediaId,
    originalKey,
    smallKey,
    meta: { original: fileMeta(original), small: fileMeta(small) },
    blurhash,
  });
  // Not recorded: a concurrent delivery did it (same bytes, same keys: keep them), or the upload
  // was deleted meanwhile (nobody will ever point at these files).
  if (!recorded && !(await mediaExists(database, mediaId))) {
    await storage.delete([originalKey, smallKey]);
  }
  return { width: original.width, height: original.height };
}

/** Remote files are fetched as uploads are limited: the same size, a deadline for slow servers. */
export function remoteMediaFetch(config: WorkerConfig): typeof fetch {
  return createSafeFetch({
    allowedPrivateAddresses: config.allowedPrivateAddresses,
    maxResponseBytes: MEDIA_LIMITS.maxUploadBytes,
    timeoutMs: 30_000,
    userAgent: federationUserAgent(new URL(config.publicUrl).origin),
  });
}

export function mediaHandler(deps: MediaHandlerDependencies): EventHandler {
  return async (event, log) => {
    if (event.type === 'MediaUploaded') {
      const upload = await findPendingMedia(deps.database, event.data.mediaId);
      if (upload?.remoteUrl)
        await processRemote(deps, { ...upload, remoteUrl: upload.remoteUrl }, log);
      else if (upload?.incomingKey) {
        const pending = { ...upload, incomingKey: upload.incomingKey };
        await deps.images.run(() => processUpload(deps, pending, log));
      } else log.debug({ mediaId: event.data.mediaId }, 'upload gone or processed already');
    } else if (event.type === 'RemoteAccountImagesChanged') {
      await cacheRemoteProfileImages(deps, event.data, log);
    }
    await markEventProcessed(deps.database, deps.consumer, event.id);
  };
}
