/**
 * Applies a recorded incoming activity (`RemoteActivityReceived`): what the worker's
 * `federation-inbox` consumer is to run. For now `Follow` of a local account (the remote account is
 * stored, the follow made — locked accounts do not exist yet, so it is accepted at once — and an
 * `Accept` delivered) and its `Undo`. Other activities are left alone.
 *
 * Idempotent: following twice is a no-op, and a second `Accept` is harmless for the other server.
 * A failed delivery throws, so the event is retried.
 */
import { signRequest, type Federation } from '@fedify/fedify';
import { Accept, Activity, Follow, Undo } from '@fedify/vocab';
import { type Database } from '@murmur/db';
import { findAccountByUsername } from '@murmur/db/accounts';
import { followAccount, unfollowAccount } from '@murmur/db/follows';
import type { RemoteAccountResolver } from './remote-accounts.js';

export interface InboxApplierOptions {
  database: Database;
  federation: Federation<void>;
  resolver: RemoteAccountResolver;
  /** The safe fetch (`@murmur/outbound`), for deliveries. */
  fetch: typeof fetch;
  publicOrigin: string;
}

export interface RecordedActivity {
  activityId: string;
  actorUri: string;
  activity: Record<string, unknown>;
}

export type InboxApplier = (recorded: RecordedActivity) => Promise<void>;

export function createInboxApplier(options: InboxApplierOptions): InboxApplier {
  const { database, federation, resolver, fetch: safeFetch, publicOrigin } = options;
  const context = () => federation.createContext(new URL(publicOrigin), undefined);

  /** The local account a URI of ours names as an actor, or null. */
  async function localActor(uri: URL | null) {
    if (!uri) return null;
    const parsed = context().parseUri(uri);
    if (parsed?.type !== 'actor') return null;
    const account = await findAccountByUsername(database.primary, parsed.identifier);
    return account && account.username === parsed.identifier ? account : null;
  }

  /** Signs (draft-cavage, the local account's RSA key) and POSTs `activity` to `inbox`. */
  async function deliver(username: string, activity: Activity, inbox: URL): Promise<void> {
    const ctx = context();
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
    if (!response.ok && response.status !== 410) {
      throw new Error(`delivery to ${inbox.href} failed: HTTP ${response.status}`);
    }
  }

  async function applyFollow(follow: Follow, actorUri: URL): Promise<void> {
    const target = await localActor(follow.objectId);
    if (!target || !follow.id) return;
    const remoteId = await resolver.resolveActor(actorUri);
    if (!remoteId) return;
    await followAccount(database, { accountId: remoteId, targetAccountId: target.id });
    const ctx = context();
    const actor = await follow.getActor({
      documentLoader: ctx.documentLoader,
      contextLoader: ctx.contextLoader,
    });
    const inbox = actor?.inboxId;
    if (!inbox) return;
    const localUri = ctx.getActorUri(target.username);
    const accept = new Accept({
      id: new URL(`${localUri.href}#accepts/follows/${encodeURIComponent(follow.id.href)}`),
      actor: localUri,
      object: new Follow({ id: follow.id, actor: actorUri, object: localUri }),
    });
    await deliver(target.username, accept, inbox);
  }

  async function applyUndo(undo: Undo, actorUri: URL): Promise<void> {
    const ctx = context();
    const undone = await undo.getObject({
      documentLoader: ctx.documentLoader,
      contextLoader: ctx.contextLoader,
    });
    // Only the actor who followed can undo the follow.
    if (!(undone instanceof Follow) || undone.actorId?.href !== actorUri.href) return;
    const target = await localActor(undone.objectId);
    if (!target) return;
    const remoteId = await resolver.resolveActor(actorUri);
    if (!remoteId) return;
    await unfollowAccount(database, { accountId: remoteId, targetAccountId: target.id });
  }

  return async (recorded) => {
    const ctx = context();
    const activity = await Activity.fromJsonLd(recorded.activity, {
      documentLoader: ctx.documentLoader,
      contextLoader: ctx.contextLoader,
    });
    const actorUri = activity.actorId;
    // The inbox verified that the signer is this actor; a mismatch here is not ours to apply.
    if (!actorUri || actorUri.href !== recorded.actorUri) return;
    if (activity instanceof Follow) await applyFollow(activity, actorUri);
    else if (activity instanceof Undo) await applyUndo(activity, actorUri);
  };
}
