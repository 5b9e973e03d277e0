/**
 * `Create` of a `Note`: a vote in a local poll is counted (`applyVote`); any other note (or
 * `Question`) is stored as a remote status (see `storeNote`) when it matters here: its author has
 * local followers, or it mentions a local person, or it answers a local status. Anything else is
 * not stored (as Mastodon drops what no one here asked for), so an unknown server cannot fill the
 * database by posting at the shared inbox.
 */
import { Note, type Create } from '@fedify/vocab';
import type { InboxContext } from './context.js';
import { applyVote } from './vote.js';
import { embeddedObject, isNoteLike, newFetchBudget, storeNote } from './note.js';

export async function applyCreate(
  ctx: InboxContext,
  create: Create,
  actorUri: URL,
  raw: Record<string, unknown>,
): Promise<void> {
  // An embedded object of another origin than the activity is refetched from its own server.
  const note = await create.getObject({ ...ctx.loaders(), suppressError: true });
  if (!isNoteLike(note)) return;
  if (note instanceof Note && note.attributionId?.href === actorUri.href) {
    if (await applyVote(ctx, note, actorUri)) return;
  }
  await storeNote(ctx, note, newFetchBudget(ctx), {
    expectedAuthor: actorUri,
    requireLocalInterest: true,
    raw: embeddedObject(raw, note.id),
  });
}
