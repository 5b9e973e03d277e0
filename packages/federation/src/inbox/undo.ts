/**
 * `Undo` of what the same actor did before: a `Follow`, a `Like`, an `Announce` or a `Block`. The
 * undone activity must be the actor's own.
 */
import { Activity, Announce, Block, Follow, Like, type Undo } from '@fedify/vocab';
import { applyUndoAnnounce } from './announce.js';
import { applyBlock } from './block.js';
import type { InboxContext } from './context.js';
import { applyUndoFollow } from './follow.js';
import { applyLike } from './like.js';

export async function applyUndo(ctx: InboxContext, undo: Undo, actorUri: URL): Promise<void> {
  const undone = await undo.getObject({ ...ctx.loaders(), suppressError: true });
  if (!(undone instanceof Activity) || undone.actorId?.href !== actorUri.href) return;
  if (undone instanceof Follow) await applyUndoFollow(ctx, undone, actorUri);
  else if (undone instanceof Like) await applyLike(ctx, undone, actorUri, true);
  else if (undone instanceof Announce) await applyUndoAnnounce(ctx, undone, actorUri);
  else if (undone instanceof Block) await applyBlock(ctx, undone, actorUri, true);
}
