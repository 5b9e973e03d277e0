/**
 * `Announce` (a boost): of a local status, a reblog by the remote account (count and `reblog`
 * notification through the one road); of a remote status, the same reblog, so that the booster's
 * local followers see it in their home feeds (the note fetched from its own server when unknown,
 * and only when the booster has local followers). Only public and unlisted statuses can be boosted.
 * Its `Undo` removes the reblog.
 */
import { PUBLIC_COLLECTION, type Announce } from '@fedify/vocab';
import { isDomainError } from '@murmur/db';
import { hasLocalFollowers } from '@murmur/db/federation';
import { reblogStatus, unreblogStatus } from '@murmur/db/statuses';
import type { InboxContext } from './context.js';
import { isNoteLike, newFetchBudget, storeNote } from './note.js';

export async function applyAnnounce(
  ctx: InboxContext,
  announce: Announce,
  actorUri: URL,
): Promise<void> {
  const accountId = await ctx.resolver.resolveActor(actorUri);
  if (!accountId) return;
  const statusId = await announcedStatus(ctx, announce, accountId);
  if (!statusId) return;
  const isPublic = announce.toIds.some((id) => id.href === PUBLIC_COLLECTION.href);
  try {
    await reblogStatus(ctx.database, {
      accountId,
      statusId,
      visibility: isPublic ? 'public' : 'unlisted',
    });
  } catch (error) {
    if (!isDomainError(error, 'StatusNotFound') && !isDomainError(error, 'NotAllowed')) throw error;
  }
}

export async function applyUndoAnnounce(
  ctx: InboxContext,
  announce: Announce,
  actorUri: URL,
): Promise<void> {
  const status = await ctx.knownStatus(announce.objectId);
  if (!status) return;
  const accountId = await ctx.resolver.resolveActor(actorUri);
  if (!accountId) return;
  try {
    await unreblogStatus(ctx.database, { accountId, statusId: status.id });
  } catch (error) {
    if (!isDomainError(error, 'StatusNotFound')) throw error;
  }
}

async function announcedStatus(
  ctx: InboxContext,
  announce: Announce,
  accountId: string,
): Promise<string | null> {
  const known = await ctx.knownStatus(announce.objectId);
  if (known) return known.id;
  if (!announce.objectId || announce.objectId.origin === new URL(ctx.publicOrigin).origin) {
    return null;
  }
  if (!(await hasLocalFollowers(ctx.database.primary, accountId))) return null;
  // Fetched from its own server: a boost says nothing trustworthy about another server's note.
  let note: unknown;
  try {
    note = await ctx.fedify().lookupObject(announce.objectId.href);
  } catch {
    return null;
  }
  if (!isNoteLike(note) || note.id?.href !== announce.objectId.href) return null;
  return storeNote(ctx, note, newFetchBudget(ctx));
}
