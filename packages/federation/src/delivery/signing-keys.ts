/**
 * The signing identities of local senders, kept per process: an RSA key is imported from its JWK
 * once, not for every delivery of a post to a thousand inboxes. Keys are never rotated yet, so an
 * entry stays valid; the map is bounded all the same.
 */
import type { Database } from '@murmur/db';
import { actorKeyPairs } from '../actor-keys.js';
import { localActorUri } from '../local-uris.js';
import type { SigningIdentity } from './post-activity.js';

const MAX_CACHED_SENDERS = 10_000;

export function signingIdentities(
  database: Database,
  publicOrigin: string,
): (sender: { senderAccountId: string; senderUsername: string }) => Promise<SigningIdentity> {
  const cache = new Map<string, Promise<SigningIdentity>>();
  return (sender) => {
    let identity = cache.get(sender.senderAccountId);
    if (!identity) {
      if (cache.size >= MAX_CACHED_SENDERS) cache.clear();
      identity = actorKeyPairs(database, sender.senderAccountId).then(([rsa]) => ({
        // The first pair is the RSA one, published as the actor's `publicKey` (`#main-key`).
        keyId: new URL(`${localActorUri(publicOrigin, sender.senderUsername)}#main-key`),
        privateKey: rsa!.privateKey,
      }));
      identity.catch(() => cache.delete(sender.senderAccountId));
      cache.set(sender.senderAccountId, identity);
    }
    return identity;
  };
}
