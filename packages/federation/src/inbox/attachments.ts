/**
 * A remote note's `attachment`s as Murmur keeps them (`RemoteAttachmentInput`): Mastodon sends
 * `Document`s (and `Image`, `Video`, `Audio`) with `url`, `mediaType`, `name` (the description),
 * `width`/`height`, and its own `blurhash` and `focalPoint`, which Fedify's vocabulary does not
 * model and which are therefore read from the note as received. Everything is a claim: only http(s)
 * URLs of sane length, at most four attachments, sizes and focus within bounds. Images are fetched
 * later by the worker (through the safe fetch, as uploads are limited); other files are linked.
 */
import { Document, Image } from '@fedify/vocab';
import { type RemoteAttachmentInput } from '@murmur/db/federation';
import { MAX_MEDIA_PER_STATUS } from '@murmur/db/media';
import type { InboxContext } from './context.js';
import type { NoteLike } from './note.js';

const MAX_URL_LENGTH = 2_048;
/** What the media pipeline can process (the rest is linked, as `unknown`). */
const IMAGE_TYPES = /^image\/(jpeg|png|gif|webp|avif)$/i;
/** BlurHash's alphabet (base 83), a sane length. */
const BLURHASH = /^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{6,200}$/;

function httpUrl(value: unknown): string | null {
  const href = value instanceof URL ? value.href : (value as { href?: URL } | null)?.href?.href;
  if (!href || href.length > MAX_URL_LENGTH) return null;
  return href.startsWith('https://') || href.startsWith('http://') ? href : null;
}

/** An image the pipeline can process, by its declared type (an `Image` may leave it out). */
function isImage(item: Document): boolean {
  return item.mediaType ? IMAGE_TYPES.test(item.mediaType) : item instanceof Image;
}

function dimension(value: number | null): number | null {
  return value !== null && Number.isInteger(value) && value > 0 && value <= 100_000 ? value : null;
}

/** Mastodon's extensions of one attachment in the note as received, by the attachment's URL. */
function extensionsByUrl(raw: unknown): Map<string, { blurhash?: unknown; focalPoint?: unknown }> {
  const found = new Map<string, { blurhash?: unknown; focalPoint?: unknown }>();
  const list = (raw as { attachment?: unknown } | null)?.attachment;
  for (const item of Array.isArray(list) ? list : list ? [list] : []) {
    const url = (item as { url?: unknown }).url;
    const href = typeof url === 'string' ? url : (url as { href?: unknown } | null)?.href;
    if (typeof href === 'string') found.set(href, item as { blurhash?: unknown });
  }
  return found;
}

function focusOf(value: unknown): { x: number; y: number } {
  if (!Array.isArray(value) || value.length !== 2) return { x: 0, y: 0 };
  const [x, y] = value.map(Number);
  const inRange = (n: number | undefined): n is number =>
    n !== undefined && Number.isFinite(n) && n >= -1 && n <= 1;
  return inRange(x) && inRange(y) ? { x, y } : { x: 0, y: 0 };
}

/**
 * The note's attachments, in order (at most `MAX_MEDIA_PER_STATUS`). `raw` is the note's JSON as
 * received (embedded in the activity), for the blurhash and focal point; absent for fetched notes.
 */
export async function attachmentsOf(
  ctx: InboxContext,
  note: NoteLike,
  raw?: unknown,
): Promise<RemoteAttachmentInput[]> {
  const extensions = extensionsByUrl(raw);
  const attachments: RemoteAttachmentInput[] = [];
  let seen = 0;
  for await (const item of note.getAttachments({ ...ctx.loaders(), suppressError: true })) {
    if (++seen > MAX_MEDIA_PER_STATUS * 2 || attachments.length >= MAX_MEDIA_PER_STATUS) break;
    if (!(item instanceof Document)) continue; // Mastodon's PropertyValues (profile fields) etc.
    const remoteUrl = httpUrl(item.url);
    if (!remoteUrl) continue;
    const extension = extensions.get(remoteUrl) ?? {};
    const blurhash = typeof extension.blurhash === 'string' ? extension.blurhash : '';
    const description = item.name?.toString().trim() ?? '';
    attachments.push({
      remoteUrl,
      kind: isImage(item) ? 'image' : 'unknown',
      description: description || null,
      blurhash: BLURHASH.test(blurhash) ? blurhash : null,
      width: dimension(item.width),
      height: dimension(item.height),
      focus: focusOf(extension.focalPoint),
    });
  }
  return attachments;
}
