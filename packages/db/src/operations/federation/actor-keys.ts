/**
 * A local account's ActivityPub key pairs (JWK). The first caller to need them generates and
 * stores them; when two processes race, the first insert wins and both use what is stored, so an
 * account never has two published keys of one algorithm.
 */
import type { JsonWebKey } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../client.js';
import { actorKeys, type ActorKeyAlgorithm } from '../../schema/index.js';

export interface StoredActorKey {
  algorithm: ActorKeyAlgorithm;
  publicKey: JsonWebKey;
  privateKey: JsonWebKey;
  createdAt: Date;
}

export async function findActorKeys(
  database: Database,
  accountId: string,
): Promise<StoredActorKey[]> {
  return database.primary
    .select({
      algorithm: actorKeys.algorithm,
      publicKey: actorKeys.publicKey,
      privateKey: actorKeys.privateKey,
      createdAt: actorKeys.createdAt,
    })
    .from(actorKeys)
    .where(eq(actorKeys.accountId, accountId))
    .orderBy(actorKeys.algorithm);
}

/**
 * Stores a key pair unless the account already has one of that algorithm, and returns the one
 * stored (the given one, or the earlier one that won).
 */
export async function storeActorKey(
  database: Database,
  accountId: string,
  key: Omit<StoredActorKey, 'createdAt'>,
): Promise<StoredActorKey> {
  await database.primary
    .insert(actorKeys)
    .values({ accountId, ...key })
    .onConflictDoNothing();
  const [stored] = await database.primary
    .select({
      algorithm: actorKeys.algorithm,
      publicKey: actorKeys.publicKey,
      privateKey: actorKeys.privateKey,
      createdAt: actorKeys.createdAt,
    })
    .from(actorKeys)
    .where(and(eq(actorKeys.accountId, accountId), eq(actorKeys.algorithm, key.algorithm)));
  if (!stored) throw new Error(`actor key of account ${accountId} vanished after insert`);
  return stored;
}
