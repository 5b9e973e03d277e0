/**
 * `Follow` of a local account: the remote account is stored, the follow made, and a signed `Accept`
 * delivered to the follower's inbox; for a locked account, a follow request (with its
 * `follow_request` notification) that its owner authorizes or rejects, which sends the answer. Idempotent: following twice is a no-op, and a second `Accept`
 * is harmless for the other server. A failed delivery throws, so the event is retried.
 */
import { Accept, Follow } from '@fedify/vocab';
import { isDomainError } from '@murmur/db';
import { followAccount, relationships, unfollowAccount } from '@murmur/db/follows';
import type { InboxContext } from './context.js';

export async function applyFollow(ctx: InboxContext, follow: Follow, actorUri: URL): Promise<void> {
  const target = await ctx.localActor(follow.objectId);
  if (!target || !follow.id) return;
  const remoteId = await ctx.resolver.resolveActor(actorUri);
  if (!remoteId) return;
  try {
    await followAccount(ctx.database, { accountId: remoteId, targetAccountId: target.id });
  } catch (error) {
    // A block between the two: no follow, and nothing said (Mastodon says nothing either).
    if (isDomainError(error, 'NotAllowed')) return;
    throw error;
  }
  // A locked account's follow is a request: it is answered when its owner decides.
  const [relation] = await relationships(ctx.database.primary, remoteId, [target.id]);
  if (!relation?.following) return;
  const actor = await follow.getActor(ctx.loaders());
  const inbox = actor?.inboxId;
  if (!inbox) return;
  const localUri = ctx.fedify().getActorUri(target.username);
  const accept = new Accept({
    id: new URL(`${localUri.href}#accepts/follows/${encodeURIComponent(follow.id.href)}`),
    actor: localUri,
    object: new Follow({ id: follow.id, actor: actorUri, object: localUri }),
  });
  await ctx.deliver(target.username, accept, inbox);
}

/** `Undo` of a `Follow`: only the actor who followed can undo the follow. */
export async function applyUndoFollow(
  ctx: InboxContext,
  undone: Follow,
  actorUri: URL,
): Promise<void> {
  if (undone.actorId?.href !== actorUri.href) return;
  const target = await ctx.localActor(undone.objectId);
  if (!target) return;
  const remoteId = await ctx.resolver.resolveActor(actorUri);
  if (!remoteId) return;
  await unfollowAccount(ctx.database, { accountId: remoteId, targetAccountId: target.id });
}
