import { resolve } from 'node:path';
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

/** The media variables as a service's config reads them (see `MEDIA_VARIABLES` in service-kit). */
export interface MediaEnvironment {
  MEDIA_STORAGE: string;
  MEDIA_DIR?: string | undefined;
  MEDIA_PUBLIC_URL?: string | undefined;
  S3_BUCKET?: string | undefined;
  S3_REGION: string;
  S3_ENDPOINT?: string | undefined;
  S3_FORCE_PATH_STYLE: boolean;
  S3_ACCESS_KEY_ID?: string | undefined;
  S3_SECRET_ACCESS_KEY?: string | undefined;
  S3_PREFIX?: string | undefined;
}

/** Storage settings from the variables, or the problems to report (each naming its variable). */
export function mediaStorageSettings(
  values: MediaEnvironment,
  cwd: string,
): { settings: MediaStorageSettings; problems: string[] } {
  if (values.MEDIA_STORAGE !== 's3') {
    return {
      settings: { kind: 'local', directory: resolve(cwd, values.MEDIA_DIR ?? '.data/media') },
      problems: [],
    };
  }
  const problems = (['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const)
    .filter((name) => !values[name])
    .map((name) => `${name} is required when MEDIA_STORAGE=s3`);
  return {
    settings: {
      kind: 's3',
      bucket: values.S3_BUCKET ?? '',
      region: values.S3_REGION,
      ...(values.S3_ENDPOINT ? { endpoint: values.S3_ENDPOINT } : {}),
      forcePathStyle: values.S3_FORCE_PATH_STYLE,
      accessKeyId: values.S3_ACCESS_KEY_ID ?? '',
      secretAccessKey: values.S3_SECRET_ACCESS_KEY ?? '',
      ...(values.S3_PREFIX ? { prefix: values.S3_PREFIX } : {}),
    },
    problems,
  };
}
