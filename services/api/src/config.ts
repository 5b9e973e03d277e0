/**
 * The API's configuration: every variable, validated at start-up. This is the only module that reads
 * `process.env`.
 */
import { natsSettingsProblems, type NatsAuthFiles } from '@murmur/events/jetstream';
import { mediaStorageSettings, type MediaStorageSettings } from '@murmur/media';
import { parseAllowedPrivateAddresses } from '@murmur/outbound';
import {
  ConfigurationError,
  DEV_WEB_CLIENT_SECRET,
  type Environment,
  MEDIA_VARIABLES,
  NATS_VARIABLES,
  parseTrustProxy,
  readEnvironment,
  SHARED_VARIABLES,
  WEB_PUSH_VARIABLES,
  webPushSettings,
  type WebPushSettings,
} from '@murmur/service-kit';

/** Development-only secrets: fine on a laptop, refused when NODE_ENV=production. */
export const DEV_API_COOKIE_SECRET = 'dev-only-murmur-api-cookie-secret-change-me';

export const API_VARIABLES = {
  DATABASE_URL: SHARED_VARIABLES.DATABASE_URL,
  DATABASE_READ_URL: SHARED_VARIABLES.DATABASE_READ_URL,
  PUBLIC_URL: SHARED_VARIABLES.PUBLIC_URL,
  HOST: SHARED_VARIABLES.HOST,
  API_PORT: SHARED_VARIABLES.API_PORT,
  LOG_LEVEL: SHARED_VARIABLES.LOG_LEVEL,
  NODE_ENV: SHARED_VARIABLES.NODE_ENV,
  BCRYPT_COST: {
    kind: 'integer',
    description: 'bcrypt cost for new password hashes',
    default: '12',
    min: 10,
    max: 15,
  },
  MAX_STATUS_CHARACTERS: SHARED_VARIABLES.MAX_STATUS_CHARACTERS,
  WEB_CLIENT_ID: SHARED_VARIABLES.WEB_CLIENT_ID,
  WEB_CLIENT_SECRET: SHARED_VARIABLES.WEB_CLIENT_SECRET,
  WEB_REDIRECT_PATH: {
    kind: 'string',
    description: "Path of the website's OAuth callback; PUBLIC_URL + this is its only redirect URI",
    default: '/auth/callback',
  },
  API_COOKIE_SECRET: {
    kind: 'secret',
    description:
      'HMAC key for the short-lived OAuth sign-in cookie and CSRF tokens (≥ 32 characters)',
    default: DEV_API_COOKIE_SECRET,
  },
  TRUST_PROXY: SHARED_VARIABLES.TRUST_PROXY,
  ...MEDIA_VARIABLES,
  ...WEB_PUSH_VARIABLES,
  // The streaming API learns about new statuses and notifications from NATS. REST works without it.
  ...NATS_VARIABLES,
  STREAMING_MAX_CONNECTIONS_PER_TOKEN: {
    kind: 'integer',
    description:
      'Streaming connections (WebSocket or event stream) one access token may hold at once',
    default: '16',
    min: 1,
    max: 100_000,
  },
  STREAMING_MAX_CONNECTIONS_PER_IP: {
    kind: 'integer',
    description: 'Streaming connections one client address may hold at once',
    default: '256',
    min: 1,
    max: 1_000_000,
  },
  STREAMING_MAX_BUFFERED_KB: {
    kind: 'integer',
    description:
      'Unsent output a streaming connection may pile up (a client that does not read) before it is dropped',
    default: '1024',
    min: 16,
    max: 65_536,
  },
  ALLOWED_PRIVATE_ADDRESSES: SHARED_VARIABLES.ALLOWED_PRIVATE_ADDRESSES,
  AUTHORIZATION_CODE_TTL_SECONDS: {
    kind: 'integer',
    description: 'Lifetime of an OAuth authorization code',
    default: '600',
    min: 1,
    max: 600,
  },
  REGISTRATIONS_OPEN: {
    kind: 'boolean',
    description: 'Whether new people can sign up',
    default: 'true',
  },
  REQUIRE_EMAIL_CONFIRMATION: {
    kind: 'boolean',
    description:
      'Whether a new account must confirm its e-mail address (a link sent by the worker) before it can post or follow',
    default: 'true',
  },
  AUTHORIZED_FETCH: {
    kind: 'boolean',
    description:
      "Secure mode (Mastodon's authorized fetch): actors, notes, outboxes and collections are served only to requests signed by a server that is not suspended (the instance actor excepted)",
    default: 'false',
  },
  DOMAIN_BLOCKS_VISIBILITY: {
    kind: 'string',
    description:
      'Who may read the servers this instance blocks (GET /api/v1/instance/domain_blocks): `all`, `users` (signed-in) or `none`',
    default: 'users',
  },
  REGISTRATIONS_MODE: {
    kind: 'string',
    description:
      'Who can sign up: `open`, `approval` (each sign-up waits for a moderator; the applicant says why) or `closed`. Unset: `open` or `closed` from REGISTRATIONS_OPEN',
    optional: true,
  },
  INSTANCE_TITLE: { kind: 'string', description: 'Name of this server', default: 'Murmur' },
  INSTANCE_CONTACT_EMAIL: {
    kind: 'string',
    description: 'Contact address shown to clients',
    default: 'admin@localhost',
  },
  INSTANCE_EXTENDED_DESCRIPTION: {
    kind: 'string',
    description:
      'About this server, plain text (paragraphs separated by blank lines); a short default otherwise',
    optional: true,
  },
  INSTANCE_PRIVACY_POLICY: {
    kind: 'string',
    description: 'Privacy policy, plain text; a default describing what Murmur stores otherwise',
    optional: true,
  },
  INSTANCE_TERMS_OF_SERVICE: {
    kind: 'string',
    description: 'Terms of service, plain text; a short default otherwise',
    optional: true,
  },
  INSTANCE_TEXTS_DATE: {
    kind: 'string',
    description:
      'Day (YYYY-MM-DD) the three texts above were last changed: their updated_at and effective date',
    default: '2026-01-01',
  },
} as const;

export type ApiEnvironment = Environment<typeof API_VARIABLES>;

export interface ApiConfig extends ApiEnvironment {
  /** PUBLIC_URL without a trailing slash, e.g. `https://murmur.example`. */
  publicOrigin: string;
  /** The website's one redirect URI. */
  webRedirectUri: string;
  /** Cookies get `Secure` and the `__Host-` prefix, and responses HSTS, when the origin is https. */
  secure: boolean;
  /** The value handed to Fastify's `trustProxy`. */
  trustProxy: boolean | string;
  /** Where media files are stored (MEDIA_STORAGE and its variables). */
  mediaStorage: MediaStorageSettings;
  /** REGISTRATIONS_MODE, or REGISTRATIONS_OPEN's answer when unset. */
  registrationsMode: RegistrationsMode;
  /** Web Push: on with the VAPID pair, or off and why (PUSH_ENABLED and the VAPID variables). */
  webPush: WebPushSettings;
  /** NATS_CREDS_FILE and NATS_TLS_* (paths). */
  natsAuth: NatsAuthFiles;
  /** CIDRs outgoing federation requests may reach although private (ALLOWED_PRIVATE_ADDRESSES). */
  allowedPrivateAddresses: string[];
  /** Who reads the instance's domain blocks (DOMAIN_BLOCKS_VISIBILITY). */
  domainBlocksVisibility: DomainBlocksVisibility;
}

export const REGISTRATIONS_MODES = ['open', 'approval', 'closed'] as const;
export const DOMAIN_BLOCKS_VISIBILITIES = ['all', 'users', 'none'] as const;
export type DomainBlocksVisibility = (typeof DOMAIN_BLOCKS_VISIBILITIES)[number];
export type RegistrationsMode = (typeof REGISTRATIONS_MODES)[number];

export function readConfig(
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): ApiConfig {
  const values = readEnvironment(API_VARIABLES, env);
  const media = mediaStorageSettings(values, cwd);
  const webPush = webPushSettings(values);
  const natsAuth: NatsAuthFiles = {
    credsFile: values.NATS_CREDS_FILE,
    tlsCaFile: values.NATS_TLS_CA_FILE,
    tlsCertFile: values.NATS_TLS_CERT_FILE,
    tlsKeyFile: values.NATS_TLS_KEY_FILE,
  };
  const problems: string[] = [
    ...media.problems,
    ...webPush.problems,
    ...natsSettingsProblems(values.NATS_URL, natsAuth),
  ];
  if (values.NODE_ENV === 'production') {
    if (values.WEB_CLIENT_SECRET === DEV_WEB_CLIENT_SECRET) {
      problems.push(
        'WEB_CLIENT_SECRET must be set in production (the development default is public)',
      );
    }
    if (values.API_COOKIE_SECRET === DEV_API_COOKIE_SECRET) {
      problems.push(
        'API_COOKIE_SECRET must be set in production (the development default is public)',
      );
    }
  }
  if (!values.WEB_REDIRECT_PATH.startsWith('/') || values.WEB_REDIRECT_PATH.startsWith('//')) {
    problems.push(
      `WEB_REDIRECT_PATH must be a path starting with one "/", got "${values.WEB_REDIRECT_PATH}"`,
    );
  }
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(values.INSTANCE_TEXTS_DATE) ||
    Number.isNaN(Date.parse(values.INSTANCE_TEXTS_DATE))
  ) {
    problems.push(
      `INSTANCE_TEXTS_DATE must be a day written YYYY-MM-DD, got "${values.INSTANCE_TEXTS_DATE}"`,
    );
  }
  const mode = values.REGISTRATIONS_MODE?.trim().toLowerCase();
  if (mode !== undefined && !(REGISTRATIONS_MODES as readonly string[]).includes(mode)) {
    problems.push(
      `REGISTRATIONS_MODE must be one of ${REGISTRATIONS_MODES.join(', ')}, got "${values.REGISTRATIONS_MODE}"`,
    );
  }
  const domainBlocksVisibility = values.DOMAIN_BLOCKS_VISIBILITY.trim().toLowerCase();
  if (!(DOMAIN_BLOCKS_VISIBILITIES as readonly string[]).includes(domainBlocksVisibility)) {
    problems.push(
      `DOMAIN_BLOCKS_VISIBILITY must be one of ${DOMAIN_BLOCKS_VISIBILITIES.join(', ')}, got "${values.DOMAIN_BLOCKS_VISIBILITY}"`,
    );
  }
  let allowedPrivateAddresses: string[] = [];
  try {
    allowedPrivateAddresses = parseAllowedPrivateAddresses(values.ALLOWED_PRIVATE_ADDRESSES);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  const registrationsMode: RegistrationsMode =
    (mode as RegistrationsMode | undefined) ?? (values.REGISTRATIONS_OPEN ? 'open' : 'closed');
  const publicOrigin = new URL(values.PUBLIC_URL).origin;
  return {
    ...values,
    publicOrigin,
    webRedirectUri: publicOrigin + values.WEB_REDIRECT_PATH,
    secure: publicOrigin.startsWith('https:'),
    trustProxy: parseTrustProxy(values.TRUST_PROXY),
    mediaStorage: media.settings,
    registrationsMode,
    webPush: webPush.settings,
    natsAuth,
    allowedPrivateAddresses,
    domainBlocksVisibility: domainBlocksVisibility as DomainBlocksVisibility,
  };
}
