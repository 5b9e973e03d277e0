/**
 * `Follow` of a local account: the remote account is stored and the follow made; its
 * AccountFollowed event sends the `Accept` (the `federation-delivery` consumer, on the delivery
 * ledger). For a locked account, a follow request (with its `follow_request` notification) that
 * its owner authorizes or rejects, which sends the answer (a `Follow` repeated while the request
 * waits keeps the one request). A new `Follow` from an account that already follows is answered
 * with another `Accept` (RemoteFollowRepeated): its server never saw the first one. The same
 * `Follow` delivered twice is applied once (the inbox records each activity id once). The follow
 * (or request) keeps the `Follow`'s id, which the `Accept` names.
 */
import type { Follow } from '@fedify/vocab';
import { isDomainError } from '@murmur/db';
import { acknowledgeRepeatedFollow } from '@murmur/db/federation';
import { followAccount, unfollowAccount } from '@murmur/db/follows';
import type { InboxContext } from './context.js';

export async function applyFollow(ctx: InboxContext, follow: Follow, actorUri: URL): Promise<void> {
  const target = await ctx.localActor(follow.objectId);
  if (!target || !follow.id) return;
  const remoteId = await ctx.resolver.resolveActor(actorUri);
  if (!remoteId) return;
  const pair = { accountId: remoteId, targetAccountId: target.id };
  if (await acknowledgeRepeatedFollow(ctx.database, { ...pair, followUri: follow.id.href })) return;
  try {
    await followAccount(ctx.database, { ...pair, activityUri: follow.id.href });
  } catch (error) {
    // A block between the two: no follow, and nothing said (Mastodon says nothing either).
    if (isDomainError(error, 'NotAllowed')) return;
    throw error;
  }
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
