import { LocalStorage } from './local.js';
import { S3Storage, type S3StorageConfig } from './s3.js';
import type { MediaStorage } from './storage.js';

export type MediaStorageSettings =
  { kind: 'local'; directory: string } | ({ kind: 's3' } & S3StorageConfig);

export function createMediaStorage(settings: MediaStorageSettings): MediaStorage {
  return settings.kind === 'local' ? new LocalStorage(settings.directory) : new S3Storage(settings);
}

/**
 * Public URLs of stored files: under the API's `/media/` path at the public origin, or under a
 * configured base (a CDN, or the bucket's own public URL) when the files are served from elsewhere.
 */
export function mediaUrlBuilder(
  publicOrigin: string,
  publicBase?: string,
): (key: string) => string {
  const base = (publicBase ?? `${publicOrigin}/media`).replace(/\/+$/, '');
  return (key) => `${base}/${key}`;
}
