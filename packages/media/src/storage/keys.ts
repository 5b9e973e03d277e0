/**
 * What a served file's key says about it: the keys that are ever served, and their Content-Type.
 * Apart from the storage so that what only names files (ActivityPub documents, say) does not load
 * the storage drivers or the image library (`@murmur/media/keys`).
 */

/** Keys of processed files, the only ones ever served. */
export const SERVED_KEY = /^(?:files|profiles)\/[0-9]{1,20}\/[0-9a-f]{64}\.(jpg|png|webp|gif)$/;

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
};

/** The Content-Type of a served file, from the extension the processing gave it (null: not served). */
export function servedContentType(key: string): string | null {
  const match = SERVED_KEY.exec(key);
  return match ? CONTENT_TYPES[match[1]!]! : null;
}
