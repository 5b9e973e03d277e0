import { sql } from 'drizzle-orm';
import { check, index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import type { JsonWebKey } from 'node:crypto';
import { createdAt, snowflake } from './columns.js';

/**
 * Fedify's key–value store (caches of remote documents and keys, idempotence of incoming
 * activities). Keys are Fedify's key paths; an entry past `expires_at` reads as absent and is
 * removed by the next write to it or by retention.
 */
export const federationKv = pgTable(
  'federation_kv',
  {
    key: text('key').array().primaryKey(),
    value: jsonb('value').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (t) => [index('federation_kv_expires_at_idx').on(t.expiresAt)],
);

export const ACTOR_KEY_ALGORITHMS = ['RSASSA-PKCS1-v1_5', 'Ed25519'] as const;
export type ActorKeyAlgorithm = (typeof ACTOR_KEY_ALGORITHMS)[number];

/**
 * A local account's key pairs, as JWK: RSA for HTTP Signatures (draft-cavage, what Mastodon
 * verifies) and Ed25519 for Object Integrity Proofs. Generated the first time the actor is
 * served or signs, then kept: remote servers cache the public keys by their ids.
 */
export const actorKeys = pgTable(
  'actor_keys',
  {
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    algorithm: text('algorithm').$type<ActorKeyAlgorithm>().notNull(),
    publicKey: jsonb('public_key').$type<JsonWebKey>().notNull(),
    privateKey: jsonb('private_key').$type<JsonWebKey>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.algorithm] }),
    check('actor_keys_algorithm', sql`${t.algorithm} in ('RSASSA-PKCS1-v1_5', 'Ed25519')`),
  ],
);

/**
 * Ids of the activities other servers delivered and the inbox recorded: an activity delivered
 * again (retries, several inboxes of this server) is recorded once.
 */
export const receivedActivities = pgTable('received_activities', {
  activityId: text('activity_id').primaryKey(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});
