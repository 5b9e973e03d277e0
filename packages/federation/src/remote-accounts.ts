/**
 * Remote accounts: `user@host` resolved by WebFinger on the other server, then its actor document
 * read (through the federation's safe, cached document loader) and stored in `accounts`. A stored
 * account is used as it is for a day, then refreshed when asked for again.
 */
import type { Federation } from '@fedify/fedify';
import { type Actor, type Image, isActor, type Link } from '@fedify/vocab';
import { type Database } from '@murmur/db';
import {
  anyHostSuspended,
  findAccountByUri,
  findRemoteAccount,
  upsertRemoteAccount,
} from '@murmur/db/federation';
import { htmlToText } from './html-text.js';
import { INSTANCE_ACTOR_IDENTIFIER } from './instance-actor.js';

export const REMOTE_ACCOUNT_REFRESH_MS = 24 * 60 * 60 * 1000;

const ACTIVITY_TYPES = new Set([
  'application/activity+json',
  'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
]);

export interface RemoteAccountResolverOptions {
  database: Database;
  federation: Federation<void>;
  /** The safe fetch (`@murmur/outbound`). */
  fetch: typeof fetch;
  publicOrigin: string;
  now?: () => Date;
}

export interface RemoteAccountResolver {
  /** The account id of `user@host` (`@` prefix allowed), stored or refreshed; null if not found. */
  resolveHandle(handle: string): Promise<string | null>;
  /**
   * The account id of the actor at `uri`: stored and fetched within a day, as it is; otherwise
   * read and stored (always read with `refresh`, when the actor says it changed); null if it is
   * not an actor.
   */
  resolveActor(uri: URL, options?: { refresh?: boolean }): Promise<string | null>;
  /** Stores (or refreshes) an actor document already read from its own URL; its account id. */
  storeActor(actor: Actor): Promise<string | null>;
}

/** `user@host` split, or null when it is not a remote handle. */
export function parseHandle(
  handle: string,
  localHost: string,
): { username: string; host: string } | null {
  const match = /^@?([^@\s/]+)@([^@\s/?#]+)$/.exec(handle.trim());
  if (!match) return null;
  const [, username, host] = match as unknown as [string, string, string];
  if (host.toLowerCase() === localHost.toLowerCase()) return null;
  return { username, host: host.toLowerCase() };
}

function urlOf(value: URL | Link | null | undefined): string | null {
  if (!value) return null;
  if (value instanceof URL) return value.href;
  return value.href?.href ?? null;
}

async function imageUrl(get: () => Promise<Image | null>): Promise<string | null> {
  try {
    const image = await get();
    return image ? urlOf(image.url as URL | Link | null) : null;
  } catch {
    return null;
  }
}

export function createRemoteAccountResolver(
  options: RemoteAccountResolverOptions,
): RemoteAccountResolver {
  const { database, federation, fetch: safeFetch, publicOrigin } = options;
  const localHost = new URL(publicOrigin).host;
  const now = options.now ?? (() => new Date());

  /** The actor URL WebFinger gives for the handle (https, or http where the fetch allows it). */
  async function webFinger(username: string, host: string): Promise<URL | null> {
    const resource = encodeURIComponent(`acct:${username}@${host}`);
    for (const scheme of ['https', 'http']) {
      let response: Response;
      try {
        response = await safeFetch(
          `${scheme}://${host}/.well-known/webfinger?resource=${resource}`,
          { headers: { accept: 'application/jrd+json, application/json' } },
        );
      } catch {
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        if (response.status === 404 || response.status === 410) return null;
        continue;
      }
      const document = (await response.json().catch(() => null)) as {
        links?: { rel?: string; type?: string; href?: string }[];
      } | null;
      const self = document?.links?.find(
        (link) => link.rel === 'self' && link.type !== undefined && ACTIVITY_TYPES.has(link.type),
      );
      if (!self?.href) return null;
      try {
        return new URL(self.href);
      } catch {
        return null;
      }
    }
    return null;
  }

  async function store(actor: Actor): Promise<string | null> {
    const uri = actor.id;
    const inbox = actor.inboxId;
    const username = actor.preferredUsername?.toString();
    if (!uri || !inbox || !username) return null;
    const loader = federation.createContext(new URL(publicOrigin), undefined);
    const fetchOptions = {
      documentLoader: loader.documentLoader,
      contextLoader: loader.contextLoader,
    };
    return upsertRemoteAccount(database, {
      uri: uri.href,
      username,
      domain: uri.host,
      displayName: actor.name?.toString() ?? '',
      note: htmlToText(actor.summary?.toString() ?? ''),
      url: urlOf(actor.url),
      inboxUrl: inbox.href,
      sharedInboxUrl: actor.endpoints?.sharedInbox?.href ?? null,
      avatarUrl: await imageUrl(() => actor.getIcon(fetchOptions)),
      headerUrl: await imageUrl(() => actor.getImage(fetchOptions)),
      createdAt: actor.published ? new Date(actor.published.epochMilliseconds) : null,
      locked: actor.manuallyApprovesFollowers ?? false,
    });
  }

  async function resolveActor(uri: URL, options?: { refresh?: boolean }): Promise<string | null> {
    // An actor known and fresh is not fetched and stored again for each of its activities.
    if (!options?.refresh) {
      const known = await findAccountByUri(database.primary, uri.href);
      if (
        known?.domain &&
        known.fetchedAt &&
        now().getTime() - known.fetchedAt.getTime() < REMOTE_ACCOUNT_REFRESH_MS
      ) {
        return known.id;
      }
    }
    // A server the instance suspended is not contacted.
    if (await anyHostSuspended(database.primary, [uri.host])) return null;
    const context = federation.createContext(new URL(publicOrigin), undefined);
    let object: unknown;
    try {
      // A refresh reads the actor from its server, not from the shared document cache: after an
      // `Update(Person)` the cached copy (minutes old) may be the profile the update replaced.
      const documentLoader = options?.refresh
        ? await context.getDocumentLoader({ identifier: INSTANCE_ACTOR_IDENTIFIER })
        : context.documentLoader;
      object = await context.lookupObject(uri.href, { documentLoader });
    } catch {
      return null;
    }
    return isActor(object) ? store(object) : null;
  }

  return {
    resolveActor,
    storeActor: store,
    async resolveHandle(handle) {
      const parsed = parseHandle(handle, localHost);
      if (!parsed) return null;
      const known = await findRemoteAccount(database.primary, parsed.username, parsed.host);
      if (
        known?.fetchedAt &&
        now().getTime() - known.fetchedAt.getTime() < REMOTE_ACCOUNT_REFRESH_MS
      ) {
        return known.id;
      }
      if (await anyHostSuspended(database.primary, [parsed.host])) return known?.id ?? null;
      const actorUrl = await webFinger(parsed.username, parsed.host);
      if (!actorUrl) return known?.id ?? null;
      return (await resolveActor(actorUrl, { refresh: true })) ?? known?.id ?? null;
    },
  };
}
