import type { MediaFileMeta } from '@murmur/db/media';
import type { MediaView } from '@murmur/db/statuses';
import type { MediaAttachment } from '../schemas/entities.js';
import { mediaUrl } from './context.js';

function fileMeta(meta: MediaFileMeta): MediaAttachment['meta']['original'] {
  return { width: meta.width, height: meta.height, size: meta.size, aspect: meta.aspect };
}

/**
 * Mastodon's MediaAttachment; until processing is done `url` and `preview_url` are null. Another
 * server's attachment carries its `remote_url`; an image is served from here once fetched and
 * processed, and a file not kept here (not an image, or one that could not be fetched) is
 * `unknown` with `url` its remote URL, as Mastodon shows what it did not download.
 */
export function serializeMediaAttachment(view: MediaView, publicUrl: string): MediaAttachment {
  const ready = view.processing === 'processed' && view.originalKey !== null;
  const linked =
    view.remoteUrl !== null && (view.type === 'unknown' || view.processing === 'failed');
  const original = view.meta?.original;
  const small = ready ? view.meta?.small : undefined;
  return {
    id: view.id,
    type: linked ? 'unknown' : view.type,
    url: ready ? mediaUrl(publicUrl, view.originalKey!) : linked ? view.remoteUrl : null,
    preview_url: ready && view.smallKey ? mediaUrl(publicUrl, view.smallKey) : null,
    remote_url: view.remoteUrl,
    preview_remote_url: null,
    text_url: null,
    meta: {
      ...(original ? { original: fileMeta(original) } : {}),
      ...(small ? { small: fileMeta(small) } : {}),
      focus: view.focus,
    },
    description: view.description,
    blurhash: view.blurhash,
  };
}
