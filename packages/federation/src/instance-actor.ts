/**
 * The instance actor: the server itself as an ActivityPub `Application`
 * (`/users/instance.actor`), whose key signs every document Murmur fetches. Servers in secure mode
 * (Mastodon's authorized fetch, and Murmur's `AUTHORIZED_FETCH`) answer only signed requests, and
 * a fetch made for no local person (a key to verify, a parent note, an actor to resolve) has no
 * person to sign as. Its identifier holds a dot, which no username can, so it never names a person.
 *
 * Its RSA pair is made the first time it is needed and kept in Fedify's key–value store (shared
 * by every process; a compare-and-set keeps the first pair stored when two processes race).
 */
import type { JsonWebKey } from 'node:crypto';
import { exportJwk, generateCryptoKeyPair, importJwk, type KvStore } from '@fedify/fedify';

export const INSTANCE_ACTOR_IDENTIFIER = 'instance.actor';

const KEY = ['murmur', 'instance-actor', 'rsa'] as const;

type KeyPair = Awaited<ReturnType<typeof generateCryptoKeyPair>>;
interface StoredPair {
  publicKey: JsonWebKey;
  privateKey: JsonWebKey;
}

async function importPair(stored: StoredPair): Promise<KeyPair> {
  return {
    publicKey: await importJwk(stored.publicKey as never, 'public'),
    privateKey: await importJwk(stored.privateKey as never, 'private'),
  };
}

/** The instance actor's RSA key pair, made once and kept; memoized per process. */
export function instanceActorKeys(kv: KvStore): () => Promise<KeyPair> {
  let loading: Promise<KeyPair> | null = null;
  async function load(): Promise<KeyPair> {
    const stored = await kv.get<StoredPair>(KEY);
    if (stored) return importPair(stored);
    const generated = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
    const fresh: StoredPair = {
      publicKey: (await exportJwk(generated.publicKey)) as JsonWebKey,
      privateKey: (await exportJwk(generated.privateKey)) as JsonWebKey,
    };
    if (kv.cas) {
      if (await kv.cas(KEY, undefined, fresh)) return generated;
      const winner = await kv.get<StoredPair>(KEY);
      if (winner) return importPair(winner);
    }
    await kv.set(KEY, fresh);
    return generated;
  }
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = null;
      throw error;
    });
    return loading;
  };
}
