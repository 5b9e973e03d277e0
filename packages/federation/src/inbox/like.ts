/**
 * `Like` of a status known here (Mastodon federates likes to the author's server: a local status):
 * a favourite by the remote account, with its count and the `favourite` notification of the one
 * road (blocks and mutes apply in the notify step). Its `Undo` takes the favourite back.
 */
import type { Like } from '@fedify/vocab';
import { isDomainError } from '@murmur/db';
import { favouriteStatus, unfavouriteStatus } from '@murmur/db/statuses';
import type { InboxContext } from './context.js';

export async function applyLike(
  ctx: InboxContext,
  like: Like,
  actorUri: URL,
  undo = false,
): Promise<void> {
  const status = await ctx.knownStatus(like.objectId);
  if (!status) return;
  const accountId = await ctx.resolver.resolveActor(actorUri);
  if (!accountId) return;
  const action = undo ? unfavouriteStatus : favouriteStatus;
  try {
    await action(ctx.database, { accountId, statusId: status.id });
  } catch (error) {
    // Not visible to that account (followers-only, blocked): nothing to record.
    if (!isDomainError(error, 'StatusNotFound')) throw error;
  }
}
