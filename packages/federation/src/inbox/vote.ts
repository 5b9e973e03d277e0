/**
 * A remote vote in a local poll, as Mastodon sends one: a `Create` of a `Note` with the chosen
 * option's title as `name`, no content, `inReplyTo` the poll's status, addressed to its author
 * only. It counts as a vote (through `voteInPoll`, with the same rules as a local vote: once per
 * account, not after the end, only in a poll the voter may see), never as a reply. Mastodon sends
 * one such note per choice: in a poll allowing several, each adds its choice to the voter's vote,
 * and a note delivered again counts nothing more.
 */
import type { Note } from '@fedify/vocab';
import { isDomainError } from '@murmur/db';
import { findPollOfStatus, voteInPoll } from '@murmur/db/statuses';
import type { InboxContext } from './context.js';

/** True when the note is a vote in a local poll (applied or refused): not to be stored. */
export async function applyVote(ctx: InboxContext, note: Note, actorUri: URL): Promise<boolean> {
  const title = note.name?.toString();
  if (!title || note.content || !note.replyTargetId) return false;
  const parent = await ctx.knownStatus(note.replyTargetId);
  if (!parent?.local) return false;
  const poll = await findPollOfStatus(ctx.database.primary, parent.id);
  if (!poll) return false;
  const choice = poll.options.indexOf(title);
  const voterId = await ctx.resolver.resolveActor(actorUri);
  if (choice < 0 || !voterId) return true;
  try {
    await voteInPoll(ctx.database, {
      pollId: poll.id,
      accountId: voterId,
      choices: [choice],
      choicesArriveApart: true,
    });
  } catch (error) {
    // Ended, already voted, not visible to the voter: refused as a local vote would be.
    if (!isDomainError(error)) throw error;
  }
  return true;
}
