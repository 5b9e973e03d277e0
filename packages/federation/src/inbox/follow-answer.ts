/**
 * `Accept` or `Reject` of a `Follow` a local person sent (following a remote account is a request
 * until its server answers). The follow is named by its id (`followActivityUri`) or embedded with
 * its actor; either way the answer must come from the account that was asked. Accept turns the
 * request into a follow (AccountFollowed: the home feed fills); Reject ends the request, or the
 * follow if it had been accepted before.
 */
import { Accept, Follow, type Reject } from '@fedify/vocab';
import { isDomainError } from '@murmur/db';
import { authorizeFollowRequest, rejectFollowRequest, unfollowAccount } from '@murmur/db/follows';
import type { InboxContext } from './context.js';

export async function applyFollowAnswer(
  ctx: InboxContext,
  answer: Accept | Reject,
  actorUri: URL,
): Promise<void> {
  const follow = await answer.getObject({ ...ctx.loaders(), suppressError: true });
  const followId = follow?.id ?? answer.objectId;
  let requesterUri: URL | null = null;
  if (follow instanceof Follow && follow.actorId) {
    // Embedded: the follow must be of the account that answers.
    if (follow.objectId && follow.objectId.href !== actorUri.href) return;
    requesterUri = follow.actorId;
  } else if (followId) {
    // Named by id: the ids of our follows are the follower's actor URL with a fragment.
    requesterUri = new URL(followId.href);
    requesterUri.hash = '';
  }
  const requester = await ctx.localActor(requesterUri);
  if (!requester) return;
  const remoteId = await ctx.resolver.resolveActor(actorUri);
  if (!remoteId) return;
  const pair = { accountId: requester.id, targetAccountId: remoteId };
  try {
    if (answer instanceof Accept) await authorizeFollowRequest(ctx.database, pair);
    else {
      await rejectFollowRequest(ctx.database, pair).catch(async (error: unknown) => {
        if (!isDomainError(error, 'AccountNotFound')) throw error;
        // No request: a follow accepted earlier is ended instead.
        await unfollowAccount(ctx.database, pair);
      });
    }
  } catch (error) {
    // No such request (answered twice, or never asked): nothing to do.
    if (!isDomainError(error, 'AccountNotFound')) throw error;
  }
}

/** The id of the `Follow` a local person sends to follow a remote account. */
export function followActivityUri(localActorUri: URL, requestId: string): URL {
  return new URL(`${localActorUri.href}#follows/${requestId}`);
}
