import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { createdAt, snowflake, snowflakeDefault } from './columns.js';

/** OAuth clients. The secret is stored only as a SHA-256 hash; it is shown once, at registration. */
export const oauthApplications = pgTable(
  'oauth_applications',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    name: text('name').notNull(),
    website: text('website'),
    redirectUris: text('redirect_uris').array().notNull(),
    scopes: text('scopes').array().notNull(),
    clientId: text('client_id').notNull(),
    clientSecretHash: text('client_secret_hash').notNull(),
    /** The project's own website: trusted redirect URI, no consent screen. */
    firstParty: boolean('first_party').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('oauth_applications_client_id_key').on(t.clientId)],
);

/** Authorization codes: hashed, short-lived, single use, bound to client, redirect URI, scopes and PKCE. */
export const oauthAuthorizationCodes = pgTable(
  'oauth_authorization_codes',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    codeHash: text('code_hash').notNull(),
    applicationId: snowflake('application_id')
      .notNull()
      .references(() => oauthApplications.id, { onDelete: 'cascade' }),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    redirectUri: text('redirect_uri').notNull(),
    scopes: text('scopes').array().notNull(),
    codeChallenge: text('code_challenge'),
    codeChallengeMethod: text('code_challenge_method'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    redeemedAt: timestamp('redeemed_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('oauth_authorization_codes_hash_key').on(t.codeHash)],
);

/** Access tokens never expire (Mastodon clients expect that); they are hashed and revocable. */
export const oauthAccessTokens = pgTable(
  'oauth_access_tokens',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    tokenHash: text('token_hash').notNull(),
    applicationId: snowflake('application_id')
      .notNull()
      .references(() => oauthApplications.id, { onDelete: 'cascade' }),
    /** Null for client-credentials (app) tokens. */
    accountId: snowflake('account_id').references(() => accounts.id, { onDelete: 'cascade' }),
    authorizationCodeId: snowflake('authorization_code_id').references(
      () => oauthAuthorizationCodes.id,
      { onDelete: 'set null' },
    ),
    scopes: text('scopes').array().notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('oauth_access_tokens_hash_key').on(t.tokenHash),
    index('oauth_access_tokens_account_idx')
      .on(t.accountId)
      .where(sql`${t.revokedAt} is null`),
    index('oauth_access_tokens_code_idx')
      .on(t.authorizationCodeId)
      .where(sql`${t.authorizationCodeId} is not null`),
  ],
);

/** Website sessions: the cookie carries a random id whose hash is the key; the session holds a token. */
export const webSessions = pgTable(
  'web_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    accessTokenId: snowflake('access_token_id')
      .notNull()
      .references(() => oauthAccessTokens.id, { onDelete: 'cascade' }),
    csrfSecret: text('csrf_secret').notNull(),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('web_sessions_account_idx').on(t.accountId)],
);

/** Fixed-window counters shared by every replica, for throttles that must hold across processes. */
export const rateLimitCounters = pgTable(
  'rate_limit_counters',
  {
    key: text('key').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    count: integer('count').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('rate_limit_counters_key').on(t.key, t.windowStart),
    index('rate_limit_counters_expires_idx').on(t.expiresAt),
  ],
);
