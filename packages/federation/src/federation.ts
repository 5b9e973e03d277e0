/**
 * Murmur's ActivityPub side, built on Fedify: actors at `/users/{username}` (with WebFinger
 * `acct:username@host`), their keys, followers and following collections, outbox, and the
 * personal and shared inboxes. One definition, used by the API (which serves it) and, for
 * sending, by the worker.
 */
import {
  createFederation,
  type Federation,
  kvCache,
  type KvStore,
  type RequestContext,
} from '@fedify/fedify';
import { Activity, Application, Endpoints, Image, Person, type Recipient } from '@fedify/vocab';
import { Temporal } from '@js-temporal/polyfill';
import { type Database } from '@murmur/db';
import { findAccountByUsername } from '@murmur/db/accounts';
import { followersOf, followingOf } from '@murmur/db/follows';
import { anyHostSuspended, recordRemoteActivity } from '@murmur/db/federation';
import { profilePath } from '@murmur/service-kit/public-urls';
import { renderPlainTextHtml } from '@murmur/text';
import { actorKeyPairs } from './actor-keys.js';
import { safeDocumentLoader, signedDocumentLoader } from './document-loader.js';
import { createDomainGate } from './domain-gate.js';
import { INSTANCE_ACTOR_IDENTIFIER, instanceActorKeys } from './instance-actor.js';
import { PostgresKvStore } from './kv-store.js';
import { registerStatusObjects } from './outgoing/objects.js';

export interface MurmurFederationOptions {
  database: Database;
  /** The public origin (PUBLIC_URL without a trailing slash): every URI is built on it. */
  publicOrigin: string;
  /** Absolute URL of a stored avatar or header (its storage key). */
  profileImageUrl: (storageKey: string) => string;
  /**
   * Every outgoing request goes through it: `@murmur/outbound`'s safe fetch (SSRF checks,
   * ALLOWED_PRIVATE_ADDRESSES, time and size limits).
   */
  fetch: typeof fetch;
  /** Default: PostgreSQL through @murmur/db; tests may pass Fedify's MemoryKvStore. */
  kv?: KvStore;
  /** User-Agent of outgoing requests. */
  userAgent?: string;
  /**
   * Secure mode (AUTHORIZED_FETCH): actors, notes, outboxes and collections answer only requests
   * signed by a server the instance has not suspended; the instance actor stays readable by
   * anyone (servers fetch it to verify the signatures of Murmur's own fetches).
   */
  authorizedFetch?: boolean;
}

/** How long a fetched remote document (an actor, a note) is reused (Fedify's default). */
const DOCUMENT_CACHE_DURATION = Temporal.Duration.from({ minutes: 5 });

/** Followers and following pages hold this many actors, as Mastodon's do. */
export const COLLECTION_PAGE_SIZE = 40;

export const ACTOR_PATH = '/users/{identifier}';
export const INBOX_PATH = '/users/{identifier}/inbox';
export const SHARED_INBOX_PATH = '/inbox';

/** How Murmur introduces itself to other servers (Mastodon's form: software, version, origin). */
export function federationUserAgent(publicOrigin: string): string {
  return `Murmur/0.1.0 (+${publicOrigin}/)`;
}

/** `Follow`, `Create`, … (the ActivityStreams type's local name). */
function typeNameOf(activity: Activity): string {
  const typeId = (activity.constructor as typeof Activity).typeId.href;
  return typeId.slice(typeId.lastIndexOf('#') + 1) || 'Activity';
}

function instant(date: Date): Temporal.Instant {
  return Temporal.Instant.fromEpochMilliseconds(date.getTime());
}

export function createMurmurFederation(options: MurmurFederationOptions): Federation<void> {
  const { database, publicOrigin, profileImageUrl } = options;
  const kv = options.kv ?? new PostgresKvStore(database);
  const { fetch: safeFetch, userAgent } = options;
  const instanceKeys = instanceActorKeys(kv);
  const instanceKeyId = new URL(
    `${ACTOR_PATH.replace('{identifier}', INSTANCE_ACTOR_IDENTIFIER)}#main-key`,
    publicOrigin,
  );
  // Remote documents are cached in the store for minutes, except key ids (`…#main-key`): Fedify
  // keeps verified keys in its own cache and, when a signature fails with a cached key, fetches the
  // key again; a cached document would hand it the old key until it expired (key rotation). Every
  // document is fetched signed as the instance actor, so servers in secure mode answer; JSON-LD
  // contexts are public.
  const cachedDocumentLoader = () =>
    kvCache({
      loader: signedDocumentLoader(
        safeFetch,
        async () => ({ keyId: instanceKeyId, privateKey: (await instanceKeys()).privateKey }),
        userAgent,
      ),
      kv,
      rules: [[new URLPattern({ hash: '' }) as never, DOCUMENT_CACHE_DURATION]],
    });
  const cachedContextLoader = () =>
    kvCache({ loader: safeDocumentLoader(safeFetch, userAgent), kv });
  const federation = createFederation<void>({
    kv,
    origin: publicOrigin,
    documentLoaderFactory: cachedDocumentLoader,
    contextLoaderFactory: cachedContextLoader,
    authenticatedDocumentLoaderFactory: (identity) =>
      signedDocumentLoader(safeFetch, identity, userAgent),
    // No `userAgent` here: Fedify refuses it beside custom loaders, which set their own.
  });

  /** The local account an identifier names: usernames are the identifiers, matched exactly. */
  async function localAccount(identifier: string) {
    const account = await findAccountByUsername(database.replica, identifier);
    return account && account.username === identifier ? account : null;
  }

  const gate = createDomainGate(database);
  /** Secure mode's rule: a signature whose key is not on a suspended server. */
  async function mayRead(ctx: RequestContext<void>): Promise<boolean> {
    if (!options.authorizedFetch) return true;
    // The claimed key's server first: a suspended one is refused without fetching its key.
    if (await gate.refuses(ctx.request)) return false;
    const key = await ctx.getSignedKey();
    return key?.id != null && !(await anyHostSuspended(database.primary, [key.id.host]));
  }

  federation
    .setActorDispatcher(ACTOR_PATH, async (ctx, identifier) => {
      if (identifier === INSTANCE_ACTOR_IDENTIFIER) {
        const [keys] = await ctx.getActorKeyPairs(identifier);
        return new Application({
          id: ctx.getActorUri(identifier),
          preferredUsername: new URL(publicOrigin).hostname,
          name: new URL(publicOrigin).hostname,
          inbox: ctx.getInboxUri(identifier),
          endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
          manuallyApprovesFollowers: true,
          publicKey: keys?.cryptographicKey ?? null,
        });
      }
      const account = await localAccount(identifier);
      if (!account) return null;
      const keys = await ctx.getActorKeyPairs(identifier);
      const image = (key: string | null) =>
        key ? new Image({ url: new URL(profileImageUrl(key)) }) : null;
      return new Person({
        id: ctx.getActorUri(identifier),
        preferredUsername: account.username,
        name: account.displayName || account.username,
        // Notes are plain text here; ActivityPub carries HTML (escaped, with paragraphs).
        summary: account.note === '' ? null : renderPlainTextHtml(account.note),
        url: new URL(profilePath(account.username), publicOrigin),
        icon: image(account.avatarKey),
        image: image(account.headerKey),
        inbox: ctx.getInboxUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        outbox: ctx.getOutboxUri(identifier),
        followers: ctx.getFollowersUri(identifier),
        following: ctx.getFollowingUri(identifier),
        // Mastodon reads one `publicKey`, the RSA one (the first pair); every key is a Multikey.
        publicKey: keys[0]?.cryptographicKey ?? null,
        assertionMethods: keys.map((key) => key.multikey),
        // A locked account's followers are requests its owner answers (inbox/follow.ts).
        manuallyApprovesFollowers: account.locked,
        discoverable: true,
        indexable: true,
        published: instant(account.createdAt) as never,
      });
    })
    .authorize((ctx, identifier) => identifier === INSTANCE_ACTOR_IDENTIFIER || mayRead(ctx))
    .mapHandle(
      async (_ctx, username) =>
        (await findAccountByUsername(database.replica, username))?.username ?? null,
    )
    .setKeyPairsDispatcher(async (_ctx, identifier) => {
      if (identifier === INSTANCE_ACTOR_IDENTIFIER) return [await instanceKeys()];
      const account = await localAccount(identifier);
      return account ? actorKeyPairs(database, account.id) : [];
    });

  federation
    .setFollowersDispatcher('/users/{identifier}/followers', async (ctx, identifier, cursor) => {
      const account = await localAccount(identifier);
      if (!account) return null;
      const page = await followersOf(database.replica, account.id, {
        maxId: cursor,
        limit: COLLECTION_PAGE_SIZE,
      });
      const items: Recipient[] = page.accounts.map((follower) => ({
        id: ctx.getActorUri(follower.username),
        inboxId: ctx.getInboxUri(follower.username),
        endpoints: { sharedInbox: ctx.getInboxUri() },
      }));
      return {
        items,
        nextCursor: page.accounts.length === COLLECTION_PAGE_SIZE ? page.lastCursor : null,
      };
    })
    .setCounter(
      async (_ctx, identifier) => (await localAccount(identifier))?.followersCount ?? null,
    )
    .setFirstCursor(() => '')
    .authorize(mayRead);

  federation
    .setFollowingDispatcher('/users/{identifier}/following', async (ctx, identifier, cursor) => {
      const account = await localAccount(identifier);
      if (!account) return null;
      const page = await followingOf(database.replica, account.id, {
        maxId: cursor,
        limit: COLLECTION_PAGE_SIZE,
      });
      return {
        items: page.accounts.map((followed) => ctx.getActorUri(followed.username)),
        nextCursor: page.accounts.length === COLLECTION_PAGE_SIZE ? page.lastCursor : null,
      };
    })
    .setCounter(
      async (_ctx, identifier) => (await localAccount(identifier))?.followingCount ?? null,
    )
    .setFirstCursor(() => '')
    .authorize(mayRead);

  // Statuses at their ids, and the outbox's pages of Create activities.
  registerStatusObjects(federation, { database, publicOrigin, authorize: mayRead });

  // Fedify has verified the signature (and that the key is the actor's) before a listener runs.
  // The inbox only records the activity, once per id, and answers 202; the worker applies it.
  federation
    .setInboxListeners(INBOX_PATH, SHARED_INBOX_PATH)
    // Once per activity id is Murmur's own record (`received_activities`, written in the recording
    // statement); Fedify's idempotence cache would add a read and a write per activity.
    .withIdempotency(() => null)
    .on(Activity, async (ctx, activity) => {
      const actorUri = activity.actorId;
      if (!activity.id || !actorUri) return;
      // An activity whose id is on another server than its actor's is someone else's claim.
      if (activity.id.origin !== actorUri.origin) return;
      const document = (await activity.toJsonLd({ contextLoader: ctx.contextLoader })) as Record<
        string,
        unknown
      >;
      await recordRemoteActivity(database, {
        activityId: activity.id.href,
        activityType: typeNameOf(activity),
        actorUri: actorUri.href,
        activity: document,
      });
    });

  return federation;
}
