/** What every serializer needs to know: where this server is reached, and who is looking. */
export interface EntityContext {
  /** The public origin, without a trailing slash (PUBLIC_URL). */
  publicUrl: string;
  /** The signed-in account, or null for anonymous and app-only requests. */
  viewerId: string | null;
}

/** The public URL scheme (profiles, statuses, tags) is the web-edge kit's, shared with the website. */
export { profileUrl, statusUrl, tagUrl } from '@murmur/service-kit/public-urls';

/** Served by the API (see routes/api/images.ts): clients need absolute image URLs. */
export const MISSING_AVATAR_PATH = '/avatars/original/missing.png';
export const MISSING_HEADER_PATH = '/headers/original/missing.png';

/** Media files are served by the API under this path (routes/api/media-files.ts). */
export const MEDIA_PATH_PREFIX = '/media/';

/** The URL of a stored media file (its storage key), at the public origin. */
export function mediaUrl(publicUrl: string, key: string): string {
  return `${publicUrl}${MEDIA_PATH_PREFIX}${key}`;
}

/** RFC 3339 with milliseconds and `Z`. */
export function timestamp(date: Date): string {
  return date.toISOString();
}
