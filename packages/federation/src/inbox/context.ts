/**
 * What every incoming activity's handler shares: the database, the federation (its loaders and
 * keys), the remote-account resolver, how to find what an activity names (local accounts and
 * statuses by our URLs, remote ones by their ids), and how to answer (a signed POST).
 */
import { signRequest, type Context, type Federation } from '@fedify/fedify';
import type { Activity } from '@fedify/vocab';
import { type Database } from '@murmur/db';
import { findAccountByUsername } from '@murmur/db/accounts';
import { anyHostSuspended, findStatusByUri, findStatusOfAuthor } from '@murmur/db/federation';
import { parseLocalStatusUri } from '../local-uris.js';
import type { RemoteAccountResolver } from '../remote-accounts.js';

export interface InboxApplierOptions {
  database: Database;
  federation: Federation<void>;
  resolver: RemoteAccountResolver;
  /** The safe fetch (`@murmur/outbound`), for deliveries. */
  fetch: typeof fetch;
  publicOrigin: string;
  /** How far a missing parent is fetched (defaults: `REPLY_FETCH_LIMITS`). */
  replyFetchLimits?: ReplyFetchLimits;
}

/**
 * A reply whose parent is unknown fetches the parent (and its parent, …) within these limits, per
 * incoming activity: so a hostile server cannot make one activity cost unbounded fetches.
 */
export interface ReplyFetchLimits {
  /** Parents fetched above the note, at most. */
  depth: number;
  /** Time spent fetching parents, at most (milliseconds). */
  timeMs: number;
}

export const REPLY_FETCH_LIMITS: ReplyFetchLimits = { depth: 5, timeMs: 15_000 };

export type LocalAccount = NonNullable<Awaited<ReturnType<typeof findAccountByUsername>>>;

export interface InboxContext extends InboxApplierOptions {
  fedify(): Context<void>;
  /** Loaders to pass to Fedify's getters (safe fetch, cached). */
  loaders(): Pick<Context<void>, 'documentLoader' | 'contextLoader'>;
  /** The local account a URI of ours names as an actor, or null. */
  localActor(uri: URL | null): Promise<LocalAccount | null>;
  /**
   * The status an ActivityPub id names, when it is known here: a local one (by our URL; its
   * author must match) or a stored remote one. Deleted statuses are not returned.
   */
  knownStatus(uri: URL | null): Promise<{ id: string; accountId: string; local: boolean } | null>;
  /**
   * Signs (draft-cavage, the local account's RSA key) and POSTs `activity` to `inbox`; throws when
   * worth retrying (unreachable, 5xx, 429). Nothing is sent to a server the instance suspended.
   */
  deliver(username: string, activity: Activity, inbox: URL): Promise<void>;
}

export function createInboxContext(options: InboxApplierOptions): InboxContext {
  const { database, federation, publicOrigin, fetch: safeFetch } = options;
  const fedify = () => federation.createContext(new URL(publicOrigin), undefined);

  async function localActor(uri: URL | null) {
    if (!uri) return null;
    const parsed = fedify().parseUri(uri);
    if (parsed?.type !== 'actor') return null;
    const account = await findAccountByUsername(database.primary, parsed.identifier);
    return account && account.username === parsed.identifier ? account : null;
  }

  async function knownStatus(uri: URL | null) {
    if (!uri) return null;
    const local = parseLocalStatusUri(publicOrigin, uri.href);
    if (local) {
      const author = await findAccountByUsername(database.primary, local.username);
      if (!author || author.username !== local.username) return null;
      const found = await findStatusOfAuthor(database.primary, local.statusId, author.id);
      return found ? { id: found.id, accountId: author.id, local: true } : null;
    }
    const remote = await findStatusByUri(database.primary, uri.href);
    return remote && !remote.deleted
      ? { id: remote.id, accountId: remote.accountId, local: false }
      : null;
  }

  async function deliver(username: string, activity: Activity, inbox: URL): Promise<void> {
    // A server the instance suspended is sent nothing.
    if (await anyHostSuspended(database.primary, [inbox.host])) return;
    const ctx = fedify();
    type SigningKey = { keyId: URL; privateKey: Parameters<typeof signRequest>[1] };
    const keys = (await ctx.getActorKeyPairs(username)) as unknown as SigningKey[];
    const rsa = keys.find((key) => key.privateKey.algorithm.name === 'RSASSA-PKCS1-v1_5');
    if (!rsa) throw new Error(`no RSA key for ${username}`);
    const body = JSON.stringify(await activity.toJsonLd({ contextLoader: ctx.contextLoader }));
    const request = await signRequest(
      new Request(inbox, {
        method: 'POST',
        headers: { 'content-type': 'application/activity+json' },
        body,
      }),
      rsa.privateKey,
      rsa.keyId,
      { spec: 'draft-cavage-http-signatures-12' },
    );
    const response = await safeFetch(request);
    await response.body?.cancel();
    // A server error or a rate limit is worth retrying; any other refusal (gone, forbidden, not
    // found) will be the same next time.
    if (response.status >= 500 || response.status === 429) {
      throw new Error(`delivery to ${inbox.href} failed: HTTP ${response.status}`);
    }
  }

  return {
    ...options,
    fedify,
    loaders: () => {
      const ctx = fedify();
      return { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader };
    },
    localActor,
    knownStatus,
    deliver,
  };
}
