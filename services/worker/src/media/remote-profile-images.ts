/**
 * Remote accounts' avatars and headers, cached here (RemoteAccountImagesChanged, handled by the
 * `media` consumer): each outdated image is fetched from the account's current URL through the
 * safe fetch (the upload's size limit, a deadline), processed as a local avatar or header is (sharp:
 * cropped to its box, metadata stripped) and stored; readers then load it from here, so the other
 * server never sees who looks at the profile. A URL removed removes the cached copy. A file that
 * cannot be fetched or is refused leaves no copy, and readers link to the remote URL (as remote
 * attachments); so do the accounts of a server whose media the operator rejects, never fetched.
 */
import { type Database } from '@murmur/db';
import { findRemoteProfileImages, recordCachedRemoteProfileImage } from '@murmur/db/federation';
import { MediaRejected, replaceProfileImage, type MediaStorage } from '@murmur/media';
import type { Limiter, Logger } from '@murmur/service-kit';
import { fetchRemoteFile } from './fetch-remote-file.js';

export interface RemoteProfileImageDependencies {
  database: Database;
  storage: MediaStorage;
  /** Images processed at once by this process (shared with uploads). */
  images: Limiter;
  /** The safe fetch (`remoteMediaFetch`). */
  fetchRemote: typeof fetch;
}

export async function cacheRemoteProfileImages(
  deps: RemoteProfileImageDependencies,
  change: { accountId: string; avatar: boolean; header: boolean },
  log: Logger,
): Promise<void> {
  const current = await findRemoteProfileImages(deps.database, change.accountId);
  if (!current) return;
  const outdated = [
    { kind: 'avatar' as const, wanted: change.avatar, url: current.avatarUrl },
    { kind: 'header' as const, wanted: change.header, url: current.headerUrl },
  ].filter((image) => image.wanted);
  for (const { kind, url } of outdated) {
    const context = { accountId: change.accountId, kind, url };
    if (url !== null && current.mediaRejectedFrom !== null) {
      log.info({ ...context, domain: current.mediaRejectedFrom }, 'remote profile image rejected');
      continue;
    }
    // No bytes (removed, or not to be had): no copy, and readers link to the remote URL.
    const bytes = url === null ? null : await fetchBytes(deps, url, log.child(context));
    const save = async (key: string | null) => {
      const { unusedKey } = await recordCachedRemoteProfileImage(deps.database, {
        ...context,
        key,
      });
      return { previousKey: unusedKey };
    };
    try {
      await deps.images.run(() =>
        replaceProfileImage(deps.storage, { accountId: change.accountId, kind, bytes }, save),
      );
    } catch (error) {
      if (!(error instanceof MediaRejected)) throw error;
      log.info({ ...context, reason: error.message }, 'remote profile image refused');
      const { previousKey } = await save(null);
      if (previousKey) await deps.storage.delete([previousKey]);
    }
  }
}

async function fetchBytes(
  deps: RemoteProfileImageDependencies,
  url: string,
  log: Logger,
): Promise<Buffer | null> {
  const fetched = await fetchRemoteFile(deps.fetchRemote, url);
  if ('bytes' in fetched) return fetched.bytes;
  log.info({ reason: fetched.refused }, 'remote profile image not fetched');
  return null;
}
