/**
 * `Update`: of a note, the stored status takes its new content (its author's own, and newer than
 * what is stored); of a question, its poll also takes the counts its server reports; of the actor, its profile is read again from its server (never from the
 * activity, which only says that something changed).
 */
import { isActor, type Update } from '@fedify/vocab';
import { updateRemotePoll, updateRemoteStatus } from '@murmur/db/federation';
import type { InboxContext } from './context.js';
import { isNoteLike, noteContent } from './note.js';
import { isQuestion, pollOf } from './question.js';

export async function applyUpdate(ctx: InboxContext, update: Update, actorUri: URL): Promise<void> {
  const object = await update.getObject({ ...ctx.loaders(), suppressError: true });
  if (isActor(object)) {
    if (object.id?.href === actorUri.href) {
      await ctx.resolver.resolveActor(actorUri, { refresh: true });
    }
    return;
  }
  if (!isNoteLike(object) || !object.id || object.attributionId?.href !== actorUri.href) return;
  if (object.id.origin !== actorUri.origin) return;
  const content = noteContent(object);
  if (!content) return;
  const accountId = await ctx.resolver.resolveActor(actorUri);
  if (!accountId) return;
  if (isQuestion(object)) {
    // Mastodon sends an Update of the question as votes arrive: the counts are the server's.
    const poll = await pollOf(ctx, object);
    if (poll) await updateRemotePoll(ctx.database, { accountId, uri: object.id.href, poll });
  }
  const updated = object.updated ?? object.published;
  await updateRemoteStatus(ctx.database, {
    ...content,
    accountId,
    uri: object.id.href,
    editedAt: updated ? new Date(updated.epochMilliseconds) : new Date(),
  });
}
