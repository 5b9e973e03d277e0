/**
 * Key pairs of local actors: RSA (HTTP Signatures, draft-cavage as Mastodon verifies them) and
 * Ed25519 (Object Integrity Proofs). Generated with Fedify the first time they are needed and
 * stored in `actor_keys`; a race between processes keeps the first stored pair.
 */
import { exportJwk, generateCryptoKeyPair, importJwk } from '@fedify/fedify';
import type { JsonWebKey } from 'node:crypto';
import { type Database } from '@murmur/db';
import { ACTOR_KEY_ALGORITHMS, findActorKeys, storeActorKey } from '@murmur/db/federation';

type KeyPair = Awaited<ReturnType<typeof generateCryptoKeyPair>>;

export async function actorKeyPairs(database: Database, accountId: string): Promise<KeyPair[]> {
  const stored = await findActorKeys(database, accountId);
  const pairs: KeyPair[] = [];
  for (const algorithm of ACTOR_KEY_ALGORITHMS) {
    let key = stored.find((candidate) => candidate.algorithm === algorithm);
    if (!key) {
      const generated = await generateCryptoKeyPair(algorithm);
      key = await storeActorKey(database, accountId, {
        algorithm,
        publicKey: (await exportJwk(generated.publicKey)) as JsonWebKey,
        privateKey: (await exportJwk(generated.privateKey)) as JsonWebKey,
      });
    }
    pairs.push({
      publicKey: await importJwk(key.publicKey as never, 'public'),
      privateKey: await importJwk(key.privateKey as never, 'private'),
    });
  }
  return pairs;
}
