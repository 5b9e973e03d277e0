import { mediaStorageSettings, type MediaStorageSettings } from '@murmur/media';
import {
  ConfigurationError,
  DEV_UNSUBSCRIBE_SECRET,
  DEV_WEB_CLIENT_SECRET,
  MEDIA_VARIABLES,
  parseTrustProxy,
  readEnvironment,
  SHARED_VARIABLES,
  type VariableSpec,
} from '@murmur/service-kit';

export const FRONTEND_VARIABLES = {
  DATABASE_URL: SHARED_VARIABLES.DATABASE_URL,
  DATABASE_READ_URL: SHARED_VARIABLES.DATABASE_READ_URL,
  PUBLIC_URL: SHARED_VARIABLES.PUBLIC_URL,
  HOST: SHARED_VARIABLES.HOST,
  FRONTEND_PORT: {
    kind: 'integer',
    min: 0,
    max: 65535,
    default: '3002',
    description: 'Port to listen on',
  },
  API_INTERNAL_URL: {
    kind: 'url',
    protocols: ['http:', 'https:'],
    optional: true,
    description:
      'Where the website reaches the API server-to-server (token exchange); unset: http://127.0.0.1:API_PORT',
  },
  API_PORT: SHARED_VARIABLES.API_PORT,
  WEB_CLIENT_ID: SHARED_VARIABLES.WEB_CLIENT_ID,
  WEB_CLIENT_SECRET: SHARED_VARIABLES.WEB_CLIENT_SECRET,
  MAX_STATUS_CHARACTERS: SHARED_VARIABLES.MAX_STATUS_CHARACTERS,
  UNSUBSCRIBE_SECRET: SHARED_VARIABLES.UNSUBSCRIBE_SECRET,
  SESSION_IDLE_TIMEOUT_SECONDS: {
    kind: 'integer',
    min: 1,
    default: String(7 * 24 * 3600),
    description: 'A website session ends after this long without use (7 days)',
  },
  SESSION_ABSOLUTE_TIMEOUT_SECONDS: {
    kind: 'integer',
    min: 1,
    default: String(30 * 24 * 3600),
    description: 'A website session ends this long after sign-in, whatever the use (30 days)',
  },
  TRUST_PROXY: SHARED_VARIABLES.TRUST_PROXY,
  LOG_LEVEL: SHARED_VARIABLES.LOG_LEVEL,
  NODE_ENV: SHARED_VARIABLES.NODE_ENV,
  // The compose form stores photos where the API and the worker find them.
  MEDIA_STORAGE: MEDIA_VARIABLES.MEDIA_STORAGE,
  MEDIA_DIR: MEDIA_VARIABLES.MEDIA_DIR,
  S3_BUCKET: MEDIA_VARIABLES.S3_BUCKET,
  S3_REGION: MEDIA_VARIABLES.S3_REGION,
  S3_ENDPOINT: MEDIA_VARIABLES.S3_ENDPOINT,
  S3_FORCE_PATH_STYLE: MEDIA_VARIABLES.S3_FORCE_PATH_STYLE,
  S3_ACCESS_KEY_ID: MEDIA_VARIABLES.S3_ACCESS_KEY_ID,
  S3_SECRET_ACCESS_KEY: MEDIA_VARIABLES.S3_SECRET_ACCESS_KEY,
  S3_PREFIX: MEDIA_VARIABLES.S3_PREFIX,
} satisfies Record<string, VariableSpec>;

export interface FrontendConfig {
  databaseUrl: string;
  /** Read replica for lag-tolerant reads; undefined: the primary serves them. */
  databaseReadUrl: string | undefined;
  publicUrl: URL;
  host: string;
  port: number;
  apiInternalUrl: string;
  webClientId: string;
  webClientSecret: string;
  maxStatusCharacters: number;
  unsubscribeSecret: string;
  sessionIdleTimeoutMs: number;
  sessionAbsoluteTimeoutMs: number;
  logLevel: string;
  production: boolean;
  /** The value handed to Fastify's `trustProxy`. */
  trustProxy: boolean | string;
  /** Where photos posted from the compose form are stored (the API's and the worker's storage). */
  mediaStorage: MediaStorageSettings;
}

export { ConfigurationError };

/** Reads and validates the environment; throws ConfigurationError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): FrontendConfig {
  const values = readEnvironment(FRONTEND_VARIABLES, env);
  const production = values.NODE_ENV === 'production';
  const problems: string[] = [];
  if (production && values.WEB_CLIENT_SECRET === DEV_WEB_CLIENT_SECRET) {
    problems.push(
      'WEB_CLIENT_SECRET must be set in production (the development default is public)',
    );
  }
  if (production && values.UNSUBSCRIBE_SECRET === DEV_UNSUBSCRIBE_SECRET) {
    problems.push(
      'UNSUBSCRIBE_SECRET must be set in production (the development default is public)',
    );
  }
  const media = mediaStorageSettings(values, process.cwd());
  problems.push(...media.problems);
  if (problems.length > 0) {
    throw new ConfigurationError(problems);
  }
  return {
    mediaStorage: media.settings,
    databaseUrl: values.DATABASE_URL,
    databaseReadUrl: values.DATABASE_READ_URL,
    publicUrl: new URL(values.PUBLIC_URL),
    host: values.HOST,
    port: values.FRONTEND_PORT,
    // Never a fixed port: whatever listens there would receive the codes, verifiers and the secret.
    apiInternalUrl: values.API_INTERNAL_URL ?? `http://127.0.0.1:${values.API_PORT}`,
    webClientId: values.WEB_CLIENT_ID,
    webClientSecret: values.WEB_CLIENT_SECRET,
    maxStatusCharacters: values.MAX_STATUS_CHARACTERS,
    unsubscribeSecret: values.UNSUBSCRIBE_SECRET,
    sessionIdleTimeoutMs: values.SESSION_IDLE_TIMEOUT_SECONDS * 1000,
    sessionAbsoluteTimeoutMs: values.SESSION_ABSOLUTE_TIMEOUT_SECONDS * 1000,
    logLevel: values.LOG_LEVEL,
    production,
    trustProxy: parseTrustProxy(values.TRUST_PROXY),
  };
}
