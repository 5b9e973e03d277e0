import {
  ConfigurationError,
  parseTrustProxy,
  readEnvironment,
  type VariableSpec,
} from '@murmur/service-kit';

const DEV_WEB_CLIENT_SECRET = 'dev-only-murmur-web-client-secret-change-me';
const DEV_UNSUBSCRIBE_SECRET = 'dev-only-unsubscribe-secret-change-me-000';

export const FRONTEND_VARIABLES = {
  DATABASE_URL: {
    kind: 'url',
    protocols: ['postgres:', 'postgresql:'],
    default: 'postgres://postgres@127.0.0.1:5432/murmur',
    description: 'PostgreSQL connection URL',
  },
  DATABASE_READ_URL: {
    kind: 'url',
    protocols: ['postgres:', 'postgresql:'],
    optional: true,
    description:
      'PostgreSQL read replica for reads that tolerate replication lag (unset: the primary)',
  },
  PUBLIC_URL: {
    kind: 'url',
    protocols: ['http:', 'https:'],
    default: 'http://localhost:3000',
    description: 'The one public origin of the website and the API',
  },
  HOST: { kind: 'string', default: '127.0.0.1', description: 'Address to listen on' },
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
    default: 'http://127.0.0.1:3001',
    description: 'Where the website reaches the API server-to-server (token exchange)',
  },
  WEB_CLIENT_ID: {
    kind: 'string',
    default: 'murmur-web',
    description: "The website's OAuth client id",
  },
  WEB_CLIENT_SECRET: {
    kind: 'secret',
    default: DEV_WEB_CLIENT_SECRET,
    description:
      "The website's OAuth client secret (the API uses the same variable); required in production",
  },
  MAX_STATUS_CHARACTERS: {
    kind: 'integer',
    min: 1,
    max: 100_000,
    default: '500',
    description: 'Maximum post length (a URL counts as 23)',
  },
  UNSUBSCRIBE_SECRET: {
    kind: 'secret',
    default: DEV_UNSUBSCRIBE_SECRET,
    description:
      'Signs the unsubscribe links in e-mails (the worker uses the same); required in production',
  },
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
  TRUST_PROXY: {
    kind: 'string',
    default: 'loopback',
    description:
      'Proxies allowed to set X-Forwarded-For: `loopback`, `none`, or comma-separated addresses/CIDRs',
  },
  LOG_LEVEL: {
    kind: 'string',
    oneOf: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    description: 'Log level',
  },
  NODE_ENV: {
    kind: 'string',
    default: 'development',
    description: 'production enables the production checks',
  },
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
  if (problems.length > 0) {
    throw new ConfigurationError(problems);
  }
  return {
    databaseUrl: values.DATABASE_URL,
    databaseReadUrl: values.DATABASE_READ_URL,
    publicUrl: new URL(values.PUBLIC_URL),
    host: values.HOST,
    port: values.FRONTEND_PORT,
    apiInternalUrl: values.API_INTERNAL_URL,
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
