/**
 * What every incoming activity's handler shares: the database, the federation (its loaders and
 * keys), the remote-account resolver, how to find what an activity names (local accounts and
 * statuses by our URLs, remote ones by their ids). Answers (an `Accept` of a follow) are not sent
 * from here: the events the handlers write are, by the `federation-delivery` consumer.
 */
import type { Context, Federation } from '@fedify/fedify';
import { type Database } from '@murmur/db';
import { findAccountByUsername } from '@murmur/db/accounts';
import { findStatusByUri, findStatusOfAuthor } from '@murmur/db/federation';
import { parseLocalStatusUri } from '../local-uris.js';
import type { RemoteAccountResolver } from '../remote-accounts.js';

export interface InboxApplierOptions {
  database: Database;
  federation: Federation<void>;
  resolver: RemoteAccountResolver;
  /** The safe fetch (`@murmur/outbound`). */
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
}

export function createInboxContext(options: InboxApplierOptions): InboxContext {
  const { database, federation, publicOrigin } = options;
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

  return {
    ...options,
    fedify,
    loaders: () => {
      const ctx = fedify();
      return { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader };
    },
    localActor,
    knownStatus,
  };
}
