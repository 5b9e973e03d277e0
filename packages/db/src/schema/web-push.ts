import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { createdAt, snowflake, snowflakeDefault } from './columns.js';
import { oauthAccessTokens } from './oauth.js';
import { notifications } from './statuses.js';

export type WebPushPolicy = 'all' | 'followed' | 'follower' | 'none';
export type WebPushDeliveryStatus = 'sending' | 'sent' | 'gone' | 'failed';

/**
 * Web Push subscriptions (Mastodon's `/api/v1/push/subscription`): one per access token. Revoking
 * the token deletes it (a trigger of this table's migration, so that every way of revoking — the
 * client, the settings page, a replayed authorization code — is covered), and so does deleting it.
 */
export const webPushSubscriptions = pgTable(
  'web_push_subscriptions',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    accessTokenId: snowflake('access_token_id')
      .notNull()
      .references(() => oauthAccessTokens.id, { onDelete: 'cascade' }),
    endpoint: text('endpoint').notNull(),
    /** The user agent's P-256 public key and auth secret, base64url as received. */
    keyP256dh: text('key_p256dh').notNull(),
    keyAuth: text('key_auth').notNull(),
    /** RFC 8291 `aes128gcm` when true, the legacy `aesgcm` draft when false (Mastodon's default). */
    standard: boolean('standard').notNull().default(false),
    /** The notification types pushed (Mastodon's `data.alerts` keys that are true). */
    alerts: text('alerts').array().notNull(),
    policy: text('policy').$type<WebPushPolicy>().notNull().default('all'),
    /** The subscribing access token, sealed (`sealAccessToken`): Mastodon's payload carries it. */
    accessTokenSealed: text('access_token_sealed').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('web_push_subscriptions_access_token_key').on(t.accessTokenId),
    index('web_push_subscriptions_account_idx').on(t.accountId),
    check(
      'web_push_subscriptions_policy',
      sql`${t.policy} in ('all', 'followed', 'follower', 'none')`,
    ),
  ],
);

/**
 * The delivery ledger: at most one push per (notification, subscription). The row is claimed
 * (`sending`) before the request leaves, so a redelivered event or a crash never sends twice.
 */
export const webPushDeliveries = pgTable(
  'web_push_deliveries',
  {
    notificationId: snowflake('notification_id')
      .notNull()
      .references(() => notifications.id, { onDelete: 'cascade' }),
    subscriptionId: snowflake('subscription_id')
      .notNull()
      .references(() => webPushSubscriptions.id, { onDelete: 'cascade' }),
    status: text('status').$type<WebPushDeliveryStatus>().notNull().default('sending'),
    attempts: integer('attempts').notNull().default(0),
    /** The push service's last answer (status code or error), for operators. */
    lastError: text('last_error'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.notificationId, t.subscriptionId] }),
    index('web_push_deliveries_subscription_idx').on(t.subscriptionId),
    index('web_push_deliveries_created_idx').on(t.createdAt),
    check('web_push_deliveries_status', sql`${t.status} in ('sending', 'sent', 'gone', 'failed')`),
  ],
);
