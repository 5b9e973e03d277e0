/**
 * The instance's suspensions at the federation edge: a request claiming to come from a suspended
 * server is refused before anything is verified, so Murmur never fetches a key from that server
 * nor spends a signature check on it. What a request claims is read from its signature's key id
 * (draft-cavage `Signature`, RFC 9421 `Signature-Input`) and, for a POST, the activity's `actor`;
 * a forged claim only gets its sender refused.
 */
import { type Database } from '@murmur/db';
import { anyHostSuspended } from '@murmur/db/federation';

function hostOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.host.toLowerCase() : null;
  } catch {
    return null;
  }
}

/** The hosts of the key ids a request's signature headers name. */
export function signatureKeyHosts(headers: Headers): string[] {
  const hosts: string[] = [];
  for (const header of ['signature', 'signature-input']) {
    const value = headers.get(header);
    if (!value) continue;
    for (const match of value.matchAll(/keyid="([^"]*)"/gi)) {
      const host = hostOf(match[1]);
      if (host) hosts.push(host);
    }
  }
  return hosts;
}

/** The host of an activity's `actor` (an id, or an object with one), if the body has one. */
export function activityActorHost(body: Uint8Array | undefined): string | null {
  if (!body || body.byteLength === 0) return null;
  try {
    const activity = JSON.parse(Buffer.from(body).toString('utf8')) as { actor?: unknown };
    const actor = Array.isArray(activity.actor) ? activity.actor[0] : activity.actor;
    return hostOf(
      typeof actor === 'object' && actor !== null ? (actor as { id?: unknown }).id : actor,
    );
  } catch {
    return null;
  }
}

export interface DomainGate {
  /** True when the request claims to come from a server the instance suspended. */
  refuses(request: Request, body?: Uint8Array): Promise<boolean>;
}

export function createDomainGate(database: Database): DomainGate {
  return {
    async refuses(request, body) {
      const hosts = signatureKeyHosts(request.headers);
      const actorHost = activityActorHost(body);
      if (actorHost) hosts.push(actorHost);
      return anyHostSuspended(database.primary, hosts);
    },
  };
}
