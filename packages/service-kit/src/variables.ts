/**
 * Environment variables that several services read, declared once so that their meaning, defaults
 * and validation cannot drift apart — and so that secrets two services must share (the website's
 * OAuth client secret, the unsubscribe key) have one development value.
 */
import type { VariableSpec } from './env.js';

/** Public development values, refused when NODE_ENV=production. */
export const DEV_WEB_CLIENT_SECRET = 'dev-only-murmur-web-client-secret-change-me';
export const DEV_UNSUBSCRIBE_SECRET = 'dev-only-unsubscribe-secret-change-me-000';

const postgres = ['postgres:', 'postgresql:'] as const;

export const SHARED_VARIABLES = {
  DATABASE_URL: {
    kind: 'url',
    description: 'PostgreSQL connection URL',
    default: 'postgres://postgres@127.0.0.1:5432/murmur',
    protocols: postgres,
  },
  DATABASE_READ_URL: {
    kind: 'url',
    description:
      'PostgreSQL read replica for reads that tolerate replication lag (unset: the primary)',
    optional: true,
    protocols: postgres,
  },
  PUBLIC_URL: {
    kind: 'url',
    description: 'The one public origin of the website and the API (links, e-mails, OAuth issuer)',
    default: 'http://localhost:3000',
    protocols: ['http:', 'https:'],
  },
  HOST: { kind: 'string', description: 'Interface to listen on', default: '127.0.0.1' },
  API_PORT: {
    kind: 'integer',
    description: 'Port the API listens on',
    default: '3001',
    min: 1,
    max: 65535,
  },
  LOG_LEVEL: {
    kind: 'string',
    description: 'pino log level',
    default: 'info',
    oneOf: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
  },
  NODE_ENV: {
    kind: 'string',
    description: 'production refuses development secrets',
    default: 'development',
  },
  TRUST_PROXY: {
    kind: 'string',
    description:
      'Proxies allowed to set X-Forwarded-For: `loopback`, `none`, or comma-separated addresses/CIDRs',
    default: 'loopback',
  },
  ALLOWED_PRIVATE_ADDRESSES: {
    kind: 'string',
    description:
      'Private/loopback addresses or CIDRs that outgoing requests to user-chosen addresses (push services, federation) may reach, comma-separated, e.g. `127.0.0.0/8,::1/128`; unset: none',
    optional: true,
  },
  WEB_CLIENT_ID: {
    kind: 'string',
    description: "The website's OAuth client id",
    default: 'murmur-web',
  },
  WEB_CLIENT_SECRET: {
    kind: 'secret',
    description:
      "The website's OAuth client secret (api and website use the same value); required in production",
    default: DEV_WEB_CLIENT_SECRET,
  },
  UNSUBSCRIBE_SECRET: {
    kind: 'secret',
    description:
      'Signs the one-click unsubscribe links (worker and website use the same value); required in production',
    default: DEV_UNSUBSCRIBE_SECRET,
  },
  MAX_STATUS_CHARACTERS: {
    kind: 'integer',
    description: 'Longest post (a URL counts as 23)',
    default: '500',
    min: 1,
    max: 100_000,
  },
  MEDIA_STORAGE: {
    kind: 'string',
    description:
      'Where uploaded media go: `local` (files under MEDIA_DIR) or `s3` (S3-compatible object storage)',
    default: 'local',
    oneOf: ['local', 's3'],
  },
  MEDIA_DIR: {
    kind: 'string',
    description: 'Folder of media files with MEDIA_STORAGE=local (default `<cwd>/.data/media`)',
    optional: true,
  },
  MEDIA_PUBLIC_URL: {
    kind: 'url',
    description:
      'Base URL media files are served from (a CDN or the bucket); unset: PUBLIC_URL + `/media`, served by the API',
    optional: true,
    protocols: ['http:', 'https:'],
  },
  S3_BUCKET: { kind: 'string', description: 'Bucket (MEDIA_STORAGE=s3)', optional: true },
  S3_REGION: { kind: 'string', description: 'Region (MEDIA_STORAGE=s3)', default: 'us-east-1' },
  S3_ENDPOINT: {
    kind: 'url',
    description: 'S3-compatible server for anything but AWS, e.g. `http://minio:9000`',
    optional: true,
    protocols: ['http:', 'https:'],
  },
  S3_FORCE_PATH_STYLE: {
    kind: 'boolean',
    description: 'Bucket in the URL path instead of the host name (MinIO, Ceph RGW)',
    default: 'false',
  },
  S3_ACCESS_KEY_ID: {
    kind: 'string',
    description: 'Access key (MEDIA_STORAGE=s3)',
    optional: true,
  },
  S3_SECRET_ACCESS_KEY: {
    kind: 'string',
    description: 'Secret key (MEDIA_STORAGE=s3)',
    optional: true,
  },
  S3_PREFIX: {
    kind: 'string',
    description: 'Prefix of every object key, e.g. `murmur/`',
    optional: true,
  },
} as const satisfies Record<string, VariableSpec>;

/** The media storage variables, for the services that store or serve media (api, worker). */
export const MEDIA_VARIABLES = {
  MEDIA_STORAGE: SHARED_VARIABLES.MEDIA_STORAGE,
  MEDIA_DIR: SHARED_VARIABLES.MEDIA_DIR,
  MEDIA_PUBLIC_URL: SHARED_VARIABLES.MEDIA_PUBLIC_URL,
  S3_BUCKET: SHARED_VARIABLES.S3_BUCKET,
  S3_REGION: SHARED_VARIABLES.S3_REGION,
  S3_ENDPOINT: SHARED_VARIABLES.S3_ENDPOINT,
  S3_FORCE_PATH_STYLE: SHARED_VARIABLES.S3_FORCE_PATH_STYLE,
  S3_ACCESS_KEY_ID: SHARED_VARIABLES.S3_ACCESS_KEY_ID,
  S3_SECRET_ACCESS_KEY: SHARED_VARIABLES.S3_SECRET_ACCESS_KEY,
  S3_PREFIX: SHARED_VARIABLES.S3_PREFIX,
} as const;
