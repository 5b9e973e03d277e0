import type { MediaFileMeta } from '@murmur/db/media';
import type { MediaView } from '@murmur/db/statuses';
import type { MediaAttachment } from '../schemas/entities.js';
import { mediaUrl } from './context.js';

function fileMeta(meta: MediaFileMeta): MediaAttachment['meta']['original'] {
  return { width: meta.width, height: meta.height, size: meta.size, aspect: meta.aspect };
}

/** Mastodon's MediaAttachment; until processing is done `url` and `preview_url` are null. */
export function serializeMediaAttachment(view: MediaView, publicUrl: string): MediaAttachment {
  const ready = view.processing === 'processed';
  return {
    id: view.id,
    type: view.type,
    url: ready && view.originalKey ? mediaUrl(publicUrl, view.originalKey) : null,
    preview_url: ready && view.smallKey ? mediaUrl(publicUrl, view.smallKey) : null,
    remote_url: null,
    preview_remote_url: null,
    text_url: null,
    meta: {
      ...(ready && view.meta
        ? { original: fileMeta(view.meta.original), small: fileMeta(view.meta.small) }
        : {}),
      focus: view.focus,
    },
    description: view.description,
    blurhash: view.blurhash,
  };
}
